// The sweep page: one self-contained HTML file. Per variant its values, cell count and the same overlay
// tiles (same planes, same contrast), then a table of counts and per-cell property distributions on
// shared bins, so variants compare at a glance.
import type { VolumeRef } from '../../engine/core/artefacts.js';
import { pointCount, type Points } from '../../engine/data/points.js';
import { readRegion } from '../../engine/data/read.js';
import { drawPlaneNumber, drawScaleBar } from '../../nodes/pictures/lib/annotate.js';
import { cellZExtents, drawPointsInPlane } from '../../nodes/pictures/lib/markers.js';
import { planeOfSlab, type Plane } from '../../nodes/pictures/lib/planes.js';
import { encodePng } from '../../nodes/pictures/lib/png.js';
import { renderTiledPlanes } from '../../nodes/pictures/lib/tiled-planes.js';
import { toPixelParams } from '../../nodes/detection/lib/physical-units.js';
import type { SweepResult } from './sweep.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]!));
const fmt = (v: unknown) => (typeof v === 'number' ? String(+v.toPrecision(6)) : JSON.stringify(v));

export interface PageOptions {
  /** z planes of the crop to show (default: 3 evenly spaced). */
  planes?: number[];
  /** Largest tile side in pixels. */
  tileSize?: number;
}

/** Marker radius (picture pixels) and z extent (planes) of a cell: from cellDiameter or the maxima box. */
export function cellExtent(params: Record<string, unknown>, voxelSize: [number, number, number], factor: number): { radius: number; zRadius: number } {
  const d = params.cellDiameter;
  if (typeof d === 'number' && d > 0) {
    // z reach: a full diameter (light-sheet cells look about twice as long along z as across)
    return { radius: Math.max(2, Math.round(d / (2 * voxelSize[0] * factor))), zRadius: Math.max(1, Math.ceil(d / voxelSize[2])) };
  }
  const p = toPixelParams(params, voxelSize);
  const size = (p.findExtendedMaximaParameter as { size?: number | number[] } | undefined)?.size ?? 5;
  const box = typeof size === 'number' ? [size, size, size] : size;
  return { radius: Math.max(2, Math.round(box[0] / (2 * factor))), zRadius: box[2] >> 1 };
}

export async function overlayTiles(image: VolumeRef, points: Points | undefined, planes: number[], extent: { radius: number; zRadius: number } | undefined, tileSize: number, unknownVoxel: boolean): Promise<{ png: Uint8Array; factor: number; drawn: number }> {
  const data: Plane[] = [];
  for (const z of planes) data.push(planeOfSlab(await readRegion(image, { z: [z, z + 1] }), 'z'));
  let drawn = 0;
  const { image: img, factor } = renderTiledPlanes(data, { percentiles: [0.5, 99.5], inverse: false, maxSize: tileSize, layout: { columns: planes.length, gap: 4, background: [40, 40, 40] } }, (tile, i, f) => {
    if (points && extent) {
      // each cell over the planes its size spans (else the nominal cell radius)
      const ball = cellZExtents(points, image.voxelSize);
      const reach = ball ? ball.map((b) => Math.max(b, extent.zRadius)) : extent.zRadius;
      drawn += drawPointsInPlane(tile, points, new Int32Array(pointCount(points)), planes[i], reach, { x0: 0, y0: 0, factor: f }, { shape: 'circle', size: extent.radius, colors: [[255, 60, 60]] });
    }
    drawPlaneNumber(tile, planes[i]);
    if (!unknownVoxel) drawScaleBar(tile, image.voxelSize[0] * f);
  });
  return { png: encodePng(img), factor, drawn };
}

function histogramSvg(values: Float64Array, lo: number, hi: number, bins: number): string {
  const counts = new Array<number>(bins).fill(0);
  const w = hi > lo ? (hi - lo) / bins : 1;
  for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / w)))]++;
  const max = Math.max(1, ...counts);
  const bw = 160 / bins;
  const bars = counts.map((c, i) => `<rect x="${(i * bw).toFixed(1)}" y="${(40 - (40 * c) / max).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${((40 * c) / max).toFixed(1)}"><title>${fmt(lo + i * w)}–${fmt(lo + (i + 1) * w)}: ${c}</title></rect>`).join('');
  return `<svg class="hist" width="160" height="40" viewBox="0 0 160 40">${bars}</svg>`;
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))];
}

export async function renderSweepPage(r: SweepResult, o: PageOptions = {}): Promise<string> {
  const image = r.image;
  const tileSize = o.tileSize ?? 320;
  const Z = image?.shape[2] ?? 0;
  const planes = o.planes ?? (Z ? [...new Set([0.2, 0.5, 0.8].map((f) => Math.min(Z - 1, Math.floor(f * Z))))] : []);
  const unknownVoxel = !!image?.voxelSizeUnknown?.length;
  const keys = Object.keys(r.variants[0]?.values ?? {});
  const sections: string[] = [];
  for (const v of r.variants) {
    const count = v.points ? pointCount(v.points.points) : null;
    let fig = '';
    if (image && planes.length) {
      const params = { ...r.baseParams };
      // the variant's own params decide the marker extent (a varied cellDiameter draws its own size)
      for (const [k, val] of Object.entries(v.values)) if (k === `${r.pointsNode}.cellDiameter`) params.cellDiameter = val;
      const factor0 = Math.max(1, Math.ceil(Math.max(image.shape[0], image.shape[1]) / tileSize));
      const extent = cellExtent(params, image.voxelSize, factor0);
      const { png, drawn } = await overlayTiles(image, v.points?.points, planes, extent, tileSize, unknownVoxel);
      fig = `<figure class="overlay"><img alt="variant ${v.index} overlay" src="data:image/png;base64,${Buffer.from(png).toString('base64')}">`
        + `<figcaption>planes ${planes.join(', ')} of the crop; ${drawn} marks: cells whose centre lies within ${extent.zRadius} plane${extent.zRadius === 1 ? '' : 's'} of the plane shown${v.points?.points.properties.size ? ' (larger cells: the planes their size spans)' : ''}; circle = cell size${unknownVoxel ? '; no scale bar: the voxel size is unknown' : ''}</figcaption></figure>`;
    }
    const statuses = v.nodes.map((n) => `<span class="st ${n.status}">${esc(n.id)}: ${n.status}</span>`).join(' ');
    sections.push(`<section class="variant" data-variant="${v.index}"><h2>Variant ${v.index}</h2>`
      + `<p class="values">${keys.map((k) => `<code>${esc(k)} = ${esc(fmt(v.values[k]))}</code>`).join(' ')}</p>`
      + `<p class="count">${count === null ? `<span class="error">failed: ${esc(v.error ?? 'no points')}</span>` : `<b class="cells">${count}</b> cells`} <small>${v.seconds.toFixed(1)} s</small></p>`
      + `${fig}<p class="statuses">${statuses}</p></section>`);
  }
  // property distributions on shared bins
  const columns = [...new Set(r.variants.flatMap((v) => (v.points ? Object.keys(v.points.points.properties) : [])))];
  const range = new Map(columns.map((c) => {
    let lo = Infinity, hi = -Infinity;
    for (const v of r.variants) for (const x of v.points?.points.properties[c] ?? []) { if (x < lo) lo = x; if (x > hi) hi = x; }
    return [c, [lo, hi] as [number, number]];
  }));
  const head = `<tr><th>variant</th>${keys.map((k) => `<th>${esc(k)}</th>`).join('')}<th>cells</th>${columns.map((c) => `<th>${esc(c)} <small>[${fmt(range.get(c)![0])}, ${fmt(range.get(c)![1])}]</small><br><small>median (10–90 %)</small></th>`).join('')}</tr>`;
  const rows = r.variants.map((v) => {
    const cells = columns.map((c) => {
      const col = v.points?.points.properties[c];
      if (!col || col.length === 0) return '<td>–</td>';
      const s = Float64Array.from(col).sort();
      const [lo, hi] = range.get(c)!;
      return `<td>${histogramSvg(col instanceof Float64Array ? col : Float64Array.from(col), lo, hi, 20)}<br>${fmt(quantile(s, 0.5))} (${fmt(quantile(s, 0.1))}–${fmt(quantile(s, 0.9))})</td>`;
    }).join('');
    return `<tr><td>${v.index}</td>${keys.map((k) => `<td>${esc(fmt(v.values[k]))}</td>`).join('')}<td class="count">${v.points ? pointCount(v.points.points) : 'failed'}</td>${cells}</tr>`;
  }).join('');
  const crop = (['x', 'y', 'z'] as const).map((a) => `${a} ${r.crop[a][0] ?? ''}:${r.crop[a][1] ?? ''}`).join(', ');
  const vs = image ? (unknownVoxel ? 'unknown voxel size' : `voxel ${image.voxelSize.join(' × ')} µm`) : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sweep: ${esc(r.name)}</title><style>
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
.variants{display:flex;flex-wrap:wrap;gap:1em}.variant{border:1px solid #ccc;border-radius:6px;padding:.6em;flex:1 1 420px}
.variant h2{margin:.1em 0;font-size:1.1em}.cells{font-size:1.4em}figure{margin:.4em 0}figure img{max-width:100%;image-rendering:pixelated}
figcaption{font-size:.85em;color:#555}.st{font-size:.8em;padding:0 .3em;border-radius:3px;background:#eee}.st.computed{background:#d6ecff}.st.cached{background:#dff5dd}.st.failed{background:#fdd}
table{border-collapse:collapse;margin-top:1em}td,th{border:1px solid #ccc;padding:.3em .5em;text-align:right;vertical-align:bottom}.hist rect{fill:#4a7fb5}.error{color:#b00}
</style></head><body><h1>Parameter sweep: ${esc(r.name)}</h1>
<p>Workflow <code>${esc(r.workflow)}</code>; crop ${esc(crop)} (${image ? image.shape.join(' × ') : '?'} voxels, ${esc(vs)}); points from node <code>${esc(r.pointsNode)}</code> drawn on <code>${esc(r.imageNode)}</code>. ${r.variants.length} variants; every variant shows the same planes with the same contrast.</p>
<div class="variants">${sections.join('')}</div>
<h2>Counts and per-cell properties</h2><table id="counts">${head}${rows}</table>
</body></html>
`;
}
