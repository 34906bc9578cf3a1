// Gathering the report's input after a run from what the CLI already has: the validated workflow,
// the run summary and the output directory (pictures named by nodes' `path` params, CSV tables).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { PointsArtefact } from '../../engine/core/artefacts.js';
import type { RunSummary } from '../../engine/core/events.js';
import type { RunResult } from '../../engine/scheduler/run.js';
import type { Cell, Table } from '../../engine/data/table.js';
import type { ResolvedNode } from '../../engine/workflow/validate.js';
import { findColumn, LABEL_COLUMNS } from './plots.js';
import type { ReportDetection, ReportHistogram, ReportNode, ReportPicture, ReportTable, RunReportDetails } from './report.js';

export function reportNodes(order: readonly ResolvedNode[]): ReportNode[] {
  return order.map((n) => ({
    nodeId: n.id,
    type: n.type.type,
    params: n.params,
    inputs: Object.fromEntries(Object.entries(n.inputs).map(([port, src]) => [port, `${src.node}.${src.port}`])),
  }));
}

const PICTURE = /\.(png|svg|jpe?g|gif)$/i;

/**
 * Pictures written by this run: the `path` param (relative to outDir) of every node that computed or
 * came from the cache, when it names a picture that exists. Failed and skipped nodes are left out,
 * so a stale picture from an earlier run is never shown as this run's.
 */
export function reportPictures(nodes: readonly ReportNode[], summary: RunSummary, outDir: string): ReportPicture[] {
  const ok = new Set(summary.nodes.filter((n) => n.status === 'computed' || n.status === 'cached').map((n) => n.id));
  const out: ReportPicture[] = [];
  for (const n of nodes) {
    const p = n.params.path;
    if (!ok.has(n.nodeId) || typeof p !== 'string' || !PICTURE.test(p)) continue;
    const abs = resolve(outDir, p);
    if (existsSync(abs)) out.push({ path: abs, nodeId: n.nodeId, title: `${n.nodeId}: ${p}` });
  }
  return out;
}

/** Parse one CSV file (as written by tableToCsv: quotes, '' = null, nan/inf, numbers). */
export function parseCsv(text: string, file: string): Table {
  const records: string[][] = [];
  let field = '', row: string[] = [], quoted = false, wasQuoted = false;
  // quoted fields stay text even when they look like numbers
  const quotedFlags: boolean[][] = [];
  let flags: boolean[] = [];
  const endField = () => { row.push(field); field = ''; wasQuoted = false; };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') { quoted = true; wasQuoted = true; }
    else if (c === ',') { flags.push(wasQuoted); endField(); }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      flags.push(wasQuoted); endField(); records.push(row); quotedFlags.push(flags); row = []; flags = [];
    } else field += c;
  }
  if (quoted) throw new Error(`${file}: unterminated quoted field`);
  if (field !== '' || row.length) { flags.push(wasQuoted); endField(); records.push(row); quotedFlags.push(flags); }
  if (!records.length) throw new Error(`${file}: empty CSV file`);
  const [columns, ...rest] = records;
  const rows = rest.map((r, k) => {
    if (r.length !== columns.length) throw new Error(`${file}: line ${k + 2} has ${r.length} fields, the header ${columns.length}`);
    return r.map((v, j): Cell => {
      if (quotedFlags[k + 1][j]) return v;
      if (v === '') return null;
      if (v === 'nan') return NaN;
      if (v === 'inf') return Infinity;
      if (v === '-inf') return -Infinity;
      return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v) ? Number(v) : v;
    });
  });
  return { columns, rows };
}

/** Region tables are small; a bigger CSV is a point list or the like, not for a report table. */
const MAX_TABLE_BYTES = 16 * 1024 * 1024;

/**
 * The region tables under outDir (sorted by relative path): CSV files with a region column
 * (acronym, name, region or id). Point lists (x, y, z, …) and files over 16 MB are left out.
 */
export function reportTables(outDir: string): ReportTable[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (/\.csv$/i.test(name) && st.size <= MAX_TABLE_BYTES) files.push(p);
    }
  };
  if (existsSync(outDir)) walk(outDir);
  return files
    .map((f) => ({ title: relative(outDir, f), table: parseCsv(readFileSync(f, 'utf8'), f) }))
    .filter((t) => findColumn(t.table, LABEL_COLUMNS) >= 0);
}

/** Equal-width histogram of the finite values (at most `maxBins` bins; integers get unit-wide bins when few). */
export function histogram(column: string, values: Float64Array, maxBins = 30): ReportHistogram | undefined {
  let min = Infinity, max = -Infinity, sum = 0, n = 0;
  for (const v of values) if (Number.isFinite(v)) { if (v < min) min = v; if (v > max) max = v; sum += v; n++; }
  if (n === 0) return undefined;
  const integers = values.every((v) => !Number.isFinite(v) || Number.isInteger(v));
  const bins = integers && max - min + 1 <= maxBins ? max - min + 1 : max > min ? maxBins : 1;
  const lo = integers && bins === max - min + 1 ? min - 0.5 : min;
  const width = integers && bins === max - min + 1 ? 1 : max > min ? (max - min) / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) if (Number.isFinite(v)) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  return { column, min, max, mean: sum / n, bins: counts.map((count, i) => ({ start: lo + i * width, end: lo + (i + 1) * width, count })) };
}

/**
 * Point counts and property histograms of the nodes that produced points in this run (from a
 * RunResult's outputs; a summary read back from a file has none). Nodes that only move points
 * (same count and columns as their points input, e.g. transforms) are left out.
 */
export function reportDetections(order: readonly ResolvedNode[], summary: RunSummary): ReportDetection[] {
  const outputs = (summary as Partial<RunResult>).outputs;
  if (!outputs) return [];
  const pointsOf = (id: string, port?: string): PointsArtefact | undefined => {
    const o = outputs.get(id);
    if (!o) return undefined;
    const a = port ? o[port] : Object.values(o).find((x) => x.kind === 'points');
    return a && a.kind === 'points' ? a : undefined;
  };
  const out: ReportDetection[] = [];
  for (const n of order) {
    const p = pointsOf(n.id);
    if (!p) continue;
    const count = p.points.coords.length / 3;
    const cols = Object.keys(p.points.properties);
    const mover = Object.values(n.inputs).some((src) => {
      const q = pointsOf(src.node, src.port);
      return q !== undefined && q.points.coords.length === p.points.coords.length && Object.keys(q.points.properties).join() === cols.join();
    });
    if (mover) continue;
    const histograms = cols.map((c) => histogram(c, p.points.properties[c])).filter((h): h is ReportHistogram => h !== undefined);
    out.push({ nodeId: n.id, count, histograms });
  }
  return out;
}

/** Everything writeRunReport needs, from what `clearmap run` has at the end of a run (pass runWorkflow's result to get the cell histograms). */
export function collectRunReport(order: readonly ResolvedNode[], summary: RunSummary, outDir: string, generatedAt?: string): RunReportDetails {
  const nodes = reportNodes(order);
  // only nodes that write files name pictures with `path` (a reader's `path` is an input)
  const writers = new Set(order.filter((n) => Object.values(n.type.outputs).some((o) => o.type === 'file')).map((n) => n.id));
  const pictures = reportPictures(nodes.filter((n) => writers.has(n.nodeId)), summary, outDir);
  const detections = reportDetections(order, summary);
  return { nodes, pictures, tables: reportTables(outDir), ...(detections.length ? { detections } : {}), ...(generatedAt ? { generatedAt } : {}) };
}

/** A RunSummary read back from `clearmap run --summary FILE`, checked enough to give clear errors. */
export function readRunSummary(file: string): RunSummary {
  let s: unknown;
  try { s = JSON.parse(readFileSync(file, 'utf8')); } catch (e) { throw new Error(`${file}: not a readable JSON run summary (${(e as Error).message})`); }
  const o = s as Partial<RunSummary>;
  if (!o || typeof o !== 'object' || !Array.isArray(o.nodes) || typeof o.seconds !== 'number') {
    throw new Error(`${file}: not a run summary (expected { workflow, ok, nodes: [...], seconds, peakRssMB } as written by --summary)`);
  }
  o.nodes.forEach((n, i) => {
    if (typeof n?.id !== 'string' || typeof n.type !== 'string' || typeof n.status !== 'string' || typeof n.seconds !== 'number') {
      throw new Error(`${file}: nodes[${i}] needs id, type, status and seconds`);
    }
  });
  return { workflow: String(o.workflow ?? ''), ok: o.ok ?? o.nodes.every((n) => n.status !== 'failed'), nodes: o.nodes, seconds: o.seconds, peakRssMB: o.peakRssMB ?? 0 };
}
