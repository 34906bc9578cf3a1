// Node 'ttest-regions': region-wise t-test between two groups of region count tables
// (ClearMap's tTestPointsInRegions), with Benjamini–Hochberg and Storey q-value columns.
import { readFileSync } from 'node:fs';
import type { Artefact } from '../../../engine/core/artefacts.js';
import { type NodeContext, defineWholeNode } from '../../../engine/core/node-type.js';
import type { Table } from '../../../engine/data/table.js';
import { parseCsvTable, tTestRegionTables } from '../lib/atlas/region-table.js';
import { optionalNumber, resolvePath, stringList } from '../lib/node-helpers.js';

function readTableFile(path: string): Table {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { throw new Error(`${path}: cannot read region table (${(e as Error).message})`); }
  return parseCsvTable(text, path);
}

function tableGroup(input: Artefact | undefined, param: unknown, ctx: NodeContext, name: string): { table: Table; source: string }[] {
  const where = `node '${ctx.nodeId}': ${name}`;
  let items: unknown[];
  if (input) {
    if (input.kind !== 'json' || !Array.isArray(input.value)) throw new Error(`${where}: the wired input must be a json list of region tables or CSV paths`);
    items = input.value;
  } else {
    const list = stringList(param, `${where} (param)`);
    if (!list) throw new Error(`${where}: wire a json list to input '${name}' or set param '${name}' to a list of region table CSV files`);
    items = list;
  }
  return items.map((it, i) => {
    if (typeof it === 'string') { const p = resolvePath(ctx.baseDir, it); return { table: readTableFile(p), source: p }; }
    const t = (it && typeof it === 'object' && (it as { kind?: string }).kind === 'table' ? (it as { table: Table }).table : it) as Table;
    if (!t || !Array.isArray(t.columns) || !Array.isArray(t.rows)) throw new Error(`${where}[${i}]: expected a CSV path or a table {columns, rows}`);
    return { table: t, source: `${where}[${i}]` };
  });
}

export const ttestRegionsNode = defineWholeNode({
  kind: 'whole',
  type: 'ttest-regions',
  version: '1',
  description: "Region-wise two-sample t-test on per-sample region count tables (ClearMap's tTestPointsInRegions; Welch by default), with Benjamini–Hochberg (p_bh) and Storey q-value (q) columns. Rows are matched by region id; a region missing from a sample counts 0.",
  inputs: {
    groupA: { type: 'json', optional: true, description: 'Group A: a json list of region tables ({columns, rows}) or CSV paths; else param groupA.' },
    groupB: { type: 'json', optional: true, description: 'Group B: as groupA.' },
  },
  outputs: {
    table: { type: 'table', description: "id, acronym, name, parent, level, mean_A, std_A, mean_B, std_B, t, p, sign, p_bh, q (with 'columns': those stats prefixed '<column>_' for each column)." },
  },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      groupA: { type: 'array', items: { type: 'string', format: 'path' }, minItems: 1, description: 'Region table CSV files of group A (as written from count-regions).' },
      groupB: { type: 'array', items: { type: 'string', format: 'path' }, minItems: 1, description: 'Region table CSV files of group B.' },
      countColumn: { type: 'string', default: 'count', description: 'Column to compare (e.g. count, or a summed intensity column).' },
      columns: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true, description: "Compare several columns at once (e.g. ['count_left', 'count_right', 'total_count', 'total_density']); output columns are then prefixed '<column>_' (mean_A -> total_count_mean_A). Overrides countColumn." },
      equalVar: { type: 'boolean', default: false, description: 'Pooled-variance Student test instead of Welch (ClearMap default for regions: Welch).' },
      pcutoff: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'Clip p-values above this value to it (the p column only; corrections use unclipped p).' },
      removeNaN: { type: 'boolean', default: true, description: 'Undefined p-values (e.g. all counts equal) become 1.' },
    },
  },
  async run(inputs, params, ctx) {
    const a = tableGroup(inputs.groupA, params.groupA, ctx, 'groupA');
    const b = tableGroup(inputs.groupB, params.groupB, ctx, 'groupB');
    for (const [name, g] of [['groupA', a], ['groupB', b]] as const) {
      if (g.length < 2) throw new Error(`node '${ctx.nodeId}': ${name} has ${g.length} table(s); a t-test needs at least 2 per group`);
    }
    const pcutoff = optionalNumber(params, 'pcutoff', ctx.nodeId);
    // corrections need the unclipped p-values: clip the p column afterwards
    const opts = { equalVar: params.equalVar === true, removeNaN: params.removeNaN !== false };
    const clip = (table: Table, pColumn: string) => {
      if (pcutoff === undefined) return;
      const pc = table.columns.indexOf(pColumn);
      for (const r of table.rows) if (typeof r[pc] === 'number' && (r[pc] as number) > pcutoff) r[pc] = pcutoff;
    };
    const columns = params.columns;
    if (!columns) {
      const table = tTestRegionTables(a, b, { ...opts, countColumn: params.countColumn });
      clip(table, 'p');
      return { table: { kind: 'table', table } };
    }
    // one test per column; rows are the same ids in the same order for every column
    const DESC = 5; // id, acronym, name, parent, level
    let merged: Table | undefined;
    for (const c of columns) {
      const one = tTestRegionTables(a, b, { ...opts, countColumn: c });
      const stats = one.columns.slice(DESC).map((k) => `${c}_${k}`);
      if (!merged) merged = { columns: [...one.columns.slice(0, DESC), ...stats], rows: one.rows.map((r) => r.slice()) };
      else {
        merged.columns.push(...stats);
        one.rows.forEach((r, i) => merged!.rows[i].push(...r.slice(DESC)));
      }
      clip(merged, `${c}_p`);
    }
    return { table: { kind: 'table', table: merged! } };
  },
});
