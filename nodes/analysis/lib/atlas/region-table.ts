// Region tables across samples: read them back from CSV, align rows by region id, and run ClearMap's
// tTestPointsInRegions per region with multiple-comparison corrections added as columns.
import type { Cell, Table } from '../../../../engine/data/table.js';
import { splitCsvLine } from './label-tree.js';
import { tTestRegions, type VoxelTTestOptions } from '../statistics/ttest.js';
import { benjaminiHochberg, estimateQValues } from '../statistics/multiple-comparison.js';

/** Parse a CSV table as written by tableToCsv (numbers become numbers, empty cells null). */
export function parseCsvTable(text: string, source: string): Table {
  const lines = text.split(/\r?\n/).filter((l) => l !== '');
  if (lines.length === 0) throw new Error(`${source}: empty table`);
  const columns = splitCsvLine(lines[0]);
  const rows = lines.slice(1).map((l, i) => {
    const cells = splitCsvLine(l);
    if (cells.length !== columns.length) throw new Error(`${source}: line ${i + 2} has ${cells.length} cells, the header has ${columns.length}`);
    return cells.map((c): Cell => {
      if (c === '') return null;
      if (c === 'nan') return NaN;
      if (c === 'inf' || c === '-inf') return c === 'inf' ? Infinity : -Infinity;
      const v = Number(c);
      return Number.isNaN(v) ? c : v;
    });
  });
  return { columns, rows };
}

function column(t: Table, name: string, source: string): number {
  const i = t.columns.indexOf(name);
  if (i < 0) throw new Error(`${source}: no column '${name}' (columns: ${t.columns.join(', ')})`);
  return i;
}

export interface RegionTTestOptions extends VoxelTTestOptions {
  /** Column holding the per-sample value (default 'count'). */
  countColumn?: string;
}

const DESCRIPTION = ['acronym', 'name', 'parent', 'level'] as const;

/**
 * One t-test per region over per-sample region tables (each with an 'id' column and the count column).
 * Rows are matched by id; a region missing from a sample's table counts 0 there. Output columns:
 * id, acronym, name, parent, level, mean_A, std_A, mean_B, std_B (ddof 1), t, p, sign, p_bh, q.
 */
export function tTestRegionTables(groupA: { table: Table; source: string }[], groupB: { table: Table; source: string }[], opts: RegionTTestOptions = {}): Table {
  const countColumn = opts.countColumn ?? 'count';
  const values = new Map<number, { a: number[]; b: number[]; desc: Cell[] }>();
  const add = (group: 'a' | 'b', k: number, nSamples: number, t: Table, source: string) => {
    const idCol = column(t, 'id', source), cCol = column(t, countColumn, source);
    const descCols = DESCRIPTION.map((d) => t.columns.indexOf(d));
    t.rows.forEach((r, i) => {
      const id = r[idCol], v = r[cCol];
      if (typeof id !== 'number') throw new Error(`${source}: row ${i + 1}: id '${id}' is not a number`);
      if (typeof v !== 'number') throw new Error(`${source}: row ${i + 1}: ${countColumn} '${v}' is not a number`);
      let e = values.get(id);
      if (!e) { e = { a: new Array(groupA.length).fill(0), b: new Array(groupB.length).fill(0), desc: descCols.map((c) => (c >= 0 ? r[c] : null)) }; values.set(id, e); }
      if (e[group].length !== nSamples) throw new Error('internal: sample count mismatch');
      e[group][k] = v;
    });
  };
  groupA.forEach((s, k) => add('a', k, groupA.length, s.table, s.source));
  groupB.forEach((s, k) => add('b', k, groupB.length, s.table, s.source));
  const ids = [...values.keys()].sort((x, y) => x - y);
  const rowsA = ids.map((id) => values.get(id)!.a), rowsB = ids.map((id) => values.get(id)!.b);
  const res = tTestRegions(rowsA, rowsB, opts);
  // corrections on the raw (uncut) p-values; NaN (removeNaN false) rows are excluded from them
  const finite = ids.map((_, i) => i).filter((i) => !Number.isNaN(res.p[i]));
  const pFinite = finite.map((i) => res.p[i]);
  const bh = benjaminiHochberg(pFinite), q = estimateQValues(pFinite);
  const pbh = new Array<number>(ids.length).fill(NaN), qv = new Array<number>(ids.length).fill(NaN);
  finite.forEach((i, j) => { pbh[i] = bh[j]; qv[i] = q[j]; });
  const stat = (x: number[]) => {
    const m = x.reduce((s, v) => s + v, 0) / x.length;
    return [m, Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1))];
  };
  return {
    columns: ['id', ...DESCRIPTION, 'mean_A', 'std_A', 'mean_B', 'std_B', 't', 'p', 'sign', 'p_bh', 'q'],
    rows: ids.map((id, i) => [id, ...values.get(id)!.desc, ...stat(rowsA[i]), ...stat(rowsB[i]), res.t[i], res.p[i], res.sign[i], pbh[i], qv[i]]),
  };
}
