// The run report: one self-contained HTML file (pictures as data: URIs, plots as inline SVG, one
// inline script, no network) with the DAG, per-node status, timings and params, the pictures, and the
// region tables with their plots. Its input is plain data, so the CLI (or anyone) can call it.
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { NodeStatus, RunSummary } from '../../engine/core/events.js';
import type { Table } from '../../engine/data/table.js';
import { writeFileAtomic } from '../../engine/data/atomic.js';
import { readPictureInfo } from '../../nodes/pictures/lib/picture-info.js';
import { dagSvg, STATUS_COLORS } from './dag-svg.js';
import { anchorId, escapeHtml, formatNumber } from './html.js';
import { countsPlot, histogramPlot, pValuePlot, type RegionPlotOptions } from './plots.js';
import { REPORT_SCRIPT } from './sort-script.js';
import { tableHtml } from './table-html.js';

export interface ReportNode {
  nodeId: string;
  type: string;
  /** Params as run (with defaults). */
  params: Record<string, unknown>;
  /** input port → "<nodeId>.<outputPort>" */
  inputs: Record<string, string>;
}

export interface ReportTable extends RegionPlotOptions {
  title: string;
  table: Table;
  /** Node that produced it (links the table to the node's section). */
  nodeId?: string;
}

export interface ReportPicture {
  /** PNG, JPEG, GIF or SVG file; embedded as a data: URI. */
  path: string;
  nodeId?: string;
  title?: string;
}

/** Points a node produced (detections): the count and a histogram per property column. */
export interface ReportDetection {
  nodeId: string;
  count: number;
  histograms: ReportHistogram[];
}

export interface ReportHistogram {
  column: string;
  /** Equal-width bins [start, end) (the last one closed) with their counts. */
  bins: { start: number; end: number; count: number }[];
  min: number;
  max: number;
  mean: number;
}

/** Node types whose pictures make the report's registration section. */
export const REGISTRATION_PICTURE_TYPES = ['registration-preview', 'registration-check'];

export interface RunReportDetails {
  /** Page title (default: the workflow's name, read from the workflow file; else its path). */
  title?: string;
  /** Shown as given; the report never reads the clock, so the same run gives the same bytes. */
  generatedAt?: string;
  nodes: ReportNode[];
  tables?: ReportTable[];
  pictures?: ReportPicture[];
  /** Cell counts and property histograms of the nodes that produced points. */
  detections?: ReportDetection[];
}

const MIME: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.svg': 'image/svg+xml' };

function readPicture(path: string): Buffer {
  if (!MIME[extname(path).toLowerCase()]) throw new Error(`report picture ${path}: unsupported file type (use ${Object.keys(MIME).join(', ')})`);
  try { return readFileSync(path); } catch (e) { throw new Error(`report picture ${path}: cannot be read (${(e as Error).message})`); }
}

function dataUri(path: string, bytes: Buffer): string {
  return `data:${MIME[extname(path).toLowerCase()]};base64,${bytes.toString('base64')}`;
}

function statusBadge(s: NodeStatus | undefined): string {
  const label = s ?? 'not run';
  return `<span class="badge" style="background:${STATUS_COLORS[s ?? 'unknown']};color:${s && s !== 'skipped' ? '#fff' : '#222'}">${escapeHtml(label)}</span>`;
}

/** Caption and colour legend stored in the picture by the picture nodes (PNG only). */
function legendHtml(bytes: Buffer, path: string): string {
  if (extname(path).toLowerCase() !== '.png') return '';
  const info = readPictureInfo(bytes);
  if (!info) return '';
  const items = (info.legend ?? []).map((l) => {
    const color = /^#[0-9a-f]{6}$/i.test(l.color) ? l.color : '#000000';
    return `<li><span class="swatch" style="background:${color}"></span>${escapeHtml(l.label)}</li>`;
  }).join('');
  return `<div class="info">${escapeHtml(info.description)}</div>${items ? `<ul class="legend">${items}</ul>` : ''}`;
}

function pictureFigure(p: ReportPicture, index: number): string {
  const caption = p.title ?? basename(p.path);
  const bytes = readPicture(p.path);
  return `<figure id="picture-${index}"><img class="thumb" src="${dataUri(p.path, bytes)}" alt="${escapeHtml(caption)}" title="click to enlarge">`
    + `<figcaption>${escapeHtml(caption)}${p.nodeId ? ` <a href="#${anchorId('node', p.nodeId)}">(${escapeHtml(p.nodeId)})</a>` : ''}${legendHtml(bytes, p.path)}</figcaption></figure>`;
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1400px; }
h1 { margin-bottom: 4px; } .meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.sortable th { cursor: pointer; background: #f2f2f2; user-select: none; }
th[aria-sort="ascending"]::after { content: " ▲"; } th[aria-sort="descending"]::after { content: " ▼"; }
.badge { padding: 1px 8px; border-radius: 8px; font-size: 12px; }
.dag-wrap, .plot { overflow-x: auto; }
pre { background: #f7f7f7; padding: 8px; margin: 4px 0; font-size: 12px; overflow-x: auto; }
.gallery { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; max-width: 420px; } figcaption { font-size: 12px; color: #444; }
figcaption .info { margin-top: 2px; color: #666; }
ul.legend { list-style: none; padding: 0; margin: 4px 0; display: flex; flex-wrap: wrap; gap: 4px 12px; }
.swatch { display: inline-block; width: 11px; height: 11px; border: 1px solid #888; margin-right: 4px; vertical-align: -1px; }
img.thumb { max-width: 320px; max-height: 320px; border: 1px solid #ccc; cursor: zoom-in; image-rendering: pixelated; }
img.thumb.zoomed { max-width: none; max-height: none; cursor: zoom-out; }
figure:has(img.zoomed) { max-width: none; }
.error { color: #b00020; white-space: pre-wrap; }
`;

/** The `name` of a workflow file, or undefined when the file is gone or unreadable. */
export function workflowName(file: string): string | undefined {
  try {
    if (!file || !existsSync(file)) return undefined;
    const name = (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name;
    return typeof name === 'string' && name.trim() ? name : undefined;
  } catch {
    return undefined;
  }
}

/** The report as an HTML string (pure apart from reading the picture files). */
export async function renderRunReport(summary: RunSummary, details: RunReportDetails): Promise<string> {
  const status = new Map(summary.nodes.map((n) => [n.id, n.status] as const));
  const timing = new Map(summary.nodes.map((n) => [n.id, n]));
  // nodes the summary knows but the details do not (e.g. a caller passing no workflow) still get a row
  const known = new Set(details.nodes.map((n) => n.nodeId));
  const nodes: ReportNode[] = [...details.nodes, ...summary.nodes.filter((n) => !known.has(n.id)).map((n) => ({ nodeId: n.id, type: n.type, params: {}, inputs: {} }))];
  const pictures = details.pictures ?? [];
  const tables = details.tables ?? [];
  const title = details.title ?? workflowName(summary.workflow) ?? `ClearMap run: ${summary.workflow}`;
  const detections = details.detections ?? [];
  const typeOf = new Map(nodes.map((n) => [n.nodeId, n.type]));
  const isRegistration = (p: ReportPicture) => p.nodeId !== undefined && REGISTRATION_PICTURE_TYPES.includes(typeOf.get(p.nodeId) ?? '');
  const counts = (['computed', 'cached', 'failed', 'skipped'] as const).map((s) => [s, summary.nodes.filter((n) => n.status === s).length] as const).filter(([, k]) => k > 0);

  const out: string[] = [];
  out.push('<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; style-src \'unsafe-inline\'; script-src \'unsafe-inline\'">',
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>`);
  out.push(`<h1>${escapeHtml(title)}</h1>`);
  out.push(`<p class="meta">Workflow <b>${escapeHtml(summary.workflow)}</b> — ${summary.ok ? 'finished' : '<span class="error">failed</span>'} in ${formatNumber(+summary.seconds.toFixed(2))} s, peak memory ${formatNumber(Math.round(summary.peakRssMB))} MB — ${counts.map(([s, k]) => `${k} ${s}`).join(', ') || 'no nodes'}${details.generatedAt ? ` — ${escapeHtml(details.generatedAt)}` : ''}</p>`);

  out.push('<h2>Workflow</h2>', `<div class="dag-wrap">${dagSvg(nodes.map((n) => ({ id: n.nodeId, type: n.type, inputs: n.inputs })), status)}</div>`);

  out.push('<h2>Nodes</h2>', '<table class="sortable" id="nodes-table"><thead><tr>'
    + ['node', 'type', 'status', 'seconds', 'chunks computed', 'chunks cached'].map((c, i) => `<th data-col="${i}" tabindex="0" aria-sort="none">${c}</th>`).join('')
    + '</tr></thead><tbody>');
  for (const n of nodes) {
    const s = timing.get(n.nodeId);
    out.push(`<tr><td><a href="#${anchorId('node', n.nodeId)}">${escapeHtml(n.nodeId)}</a></td><td>${escapeHtml(n.type)}</td>`
      + `<td>${statusBadge(s?.status)}</td>`
      + `<td class="num" data-sort="${s ? s.seconds : ''}">${s ? formatNumber(+s.seconds.toFixed(3)) : ''}${s?.computedSeconds !== undefined ? ` (computed in ${formatNumber(+s.computedSeconds.toFixed(2))} s)` : ''}</td>`
      + `<td class="num" data-sort="${s?.chunks ? s.chunks.computed : ''}">${s?.chunks ? `${s.chunks.computed} / ${s.chunks.total}` : ''}</td>`
      + `<td class="num" data-sort="${s?.chunks ? s.chunks.cached : ''}">${s?.chunks ? s.chunks.cached : ''}</td></tr>`);
  }
  out.push('</tbody></table>');

  // registration preview and check first (with their scores in the captions), then the other pictures
  const registration = pictures.map((p, k) => ({ p, k })).filter(({ p }) => isRegistration(p));
  if (registration.length) {
    out.push('<h2>Registration check</h2>', '<p class="meta">Before registering: the sample beside the atlas at the same scale (is the orientation right?). After: the atlas boundaries carried onto the sample and the similarity (NCC) before vs after.</p>');
    out.push(`<div class="gallery">${registration.map(({ p, k }) => pictureFigure(p, k)).join('')}</div>`);
  }
  const others = pictures.map((p, k) => ({ p, k })).filter(({ p }) => !isRegistration(p));
  if (others.length) out.push('<h2>Pictures</h2>', `<div class="gallery">${others.map(({ p, k }) => pictureFigure(p, k)).join('')}</div>`);

  if (detections.length) {
    out.push('<h2>Cells</h2>');
    for (const d of detections) {
      out.push(`<h3 id="${anchorId('cells', d.nodeId)}"><a href="#${anchorId('node', d.nodeId)}">${escapeHtml(d.nodeId)}</a>: ${formatNumber(d.count)} points</h3>`);
      if (d.histograms.length) out.push(`<div class="gallery">${(await Promise.all(d.histograms.map((h) => histogramPlot(h)))).map((svg) => `<div class="plot">${svg}</div>`).join('')}</div>`);
    }
  }

  for (const [i, t] of tables.entries()) {
    const what = `report table '${t.title}'`;
    out.push(`<h2>${escapeHtml(t.title)}</h2>`);
    if (t.nodeId) out.push(`<p class="meta">from <a href="#${anchorId('node', t.nodeId)}">${escapeHtml(t.nodeId)}</a>, ${t.table.rows.length} rows — click a header to sort</p>`);
    const plots = [await countsPlot(t.table, t, what), await pValuePlot(t.table, t, what)].filter((s): s is string => s !== null);
    for (const svg of plots) out.push(`<div class="plot">${svg}</div>`);
    out.push(tableHtml(t.table, `table-${i}`));
  }

  out.push('<h2>Node details</h2>');
  for (const n of nodes) {
    const s = timing.get(n.nodeId);
    out.push(`<section id="${anchorId('node', n.nodeId)}"><h3>${escapeHtml(n.nodeId)} <small>(${escapeHtml(n.type)})</small> ${statusBadge(s?.status)}</h3>`);
    if (s?.error) out.push(`<p class="error">${escapeHtml(s.error)}</p>`);
    const det = detections.find((d) => d.nodeId === n.nodeId);
    if (det) out.push(`<p><a href="#${anchorId('cells', n.nodeId)}">${formatNumber(det.count)} points</a>${det.histograms.length ? ` (histograms of ${det.histograms.map((h) => escapeHtml(h.column)).join(', ')})` : ''}</p>`);
    const inputs = Object.entries(n.inputs);
    if (inputs.length) out.push(`<p>inputs: ${inputs.map(([port, ref]) => `${escapeHtml(port)} ← <a href="#${anchorId('node', ref.slice(0, ref.lastIndexOf('.')))}">${escapeHtml(ref)}</a>`).join(', ')}</p>`);
    out.push(`<details${Object.keys(n.params).length ? '' : ' hidden'}><summary>params</summary><pre>${escapeHtml(JSON.stringify(n.params, null, 2))}</pre></details>`);
    // pictures are embedded once, in the gallery; link to them
    const own = pictures.map((p, k) => ({ p, k })).filter(({ p }) => p.nodeId === n.nodeId);
    if (own.length) out.push(`<p>pictures: ${own.map(({ p, k }) => `<a href="#picture-${k}">${escapeHtml(basename(p.path))}</a>`).join(', ')}</p>`);
    out.push('</section>');
  }
  out.push(`<script>${REPORT_SCRIPT}</script>`, '</body></html>', '');
  return out.join('\n');
}

/** Write the report atomically to `outFile`. */
export async function writeRunReport(summary: RunSummary, details: RunReportDetails, outFile: string): Promise<void> {
  writeFileAtomic(outFile, await renderRunReport(summary, details));
}
