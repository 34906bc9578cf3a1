// Region tables as labs publish them (brainmapper's summary.csv, ClearMap's countPointsInRegions):
// per region its description and structure path, point counts exclusive of children and rolled up to
// every ancestor, per hemisphere, region volumes in mm³ (annotation voxels x voxel volume), densities
// (points per mm³) and optional summed point properties.
//
// Everything is first counted per annotation label (one pass over the points, one over the
// annotation), then aggregated: `level` / `collapse` map labels as ClearMap does for the exclusive
// columns; the total_* columns add every descendant to each ancestor.
import type { Volume } from '../../../../engine/data/volume.js';
import type { Cell, Table } from '../../../../engine/data/table.js';
import type { LabelTree } from './label-tree.js';

export interface RegionStatsOptions {
  level?: number;
  collapse?: boolean;
  /** List regions without points (count 0) that can receive counts at this level/collapse. */
  allIds?: boolean;
  /** Hemisphere labels on the annotation grid (same shape); values `leftValue` / `rightValue`. */
  hemispheres?: Volume;
  leftValue?: number;
  rightValue?: number;
  /** Point property columns to sum per region (name -> values, one per point). */
  sums?: Record<string, ArrayLike<number>>;
  /** Name of the exclusive count column (default 'count'; e.g. the sample name). */
  countColumn?: string;
  /** Volume of one annotation voxel in mm³ (default from annotation.voxelSize in µm). */
  voxelVolumeMm3?: number;
}

/** Per-label tallies: index i of every array belongs to labels[i]; [total, left, right] triples. */
interface LabelTallies {
  labels: number[];
  index: Map<number, number>;
  points: Float64Array;
  voxels: Float64Array;
  sums: Record<string, Float64Array>;
}

function checkShapes(annotation: Volume, hemispheres: Volume | undefined): void {
  const n = annotation.shape[0] * annotation.shape[1] * annotation.shape[2];
  if (annotation.data.length !== n) throw new Error(`annotation has ${annotation.data.length} voxels but shape [${annotation.shape}] needs ${n}`);
  if (hemispheres && hemispheres.shape.some((s, i) => s !== annotation.shape[i])) {
    throw new Error(`hemispheres volume has shape [${hemispheres.shape}] but the annotation has [${annotation.shape}]; both must be on the same grid`);
  }
}

const voxelTallyCache = new WeakMap<object, WeakMap<object, { labels: number[]; voxels: Float64Array }>>();
const NO_HEMISPHERES = {};

/** Voxels per label and hemisphere (one pass; memoised per annotation/hemispheres array pair). */
export function voxelsPerLabel(annotation: Volume, hemispheres?: Volume, leftValue = 1, rightValue = 2): { labels: number[]; voxels: Float64Array } {
  const key2 = hemispheres?.data ?? NO_HEMISPHERES;
  let inner = voxelTallyCache.get(annotation.data);
  const hit = inner?.get(key2);
  if (hit && (hit as { lr?: string }).lr === `${leftValue},${rightValue}`) return hit;
  const a = annotation.data, h = hemispheres?.data;
  const index = new Map<number, number>();
  const labels: number[] = [];
  let counts: number[] = [];
  let last = NaN, li = -1;
  for (let i = 0; i < a.length; i++) {
    const l = a[i];
    if (l !== last) {
      last = l;
      let k = index.get(l);
      if (k === undefined) { k = labels.length; index.set(l, k); labels.push(l); counts.push(0, 0, 0); }
      li = 3 * k;
    }
    counts[li]++;
    if (h) { const s = h[i]; if (s === leftValue) counts[li + 1]++; else if (s === rightValue) counts[li + 2]++; }
  }
  const res = { labels, voxels: Float64Array.from(counts), lr: `${leftValue},${rightValue}` };
  counts = [];
  if (!inner) { inner = new WeakMap(); voxelTallyCache.set(annotation.data, inner); }
  inner.set(key2, res);
  return res;
}

function tally(coords: Float64Array, annotation: Volume, opts: RegionStatsOptions): LabelTallies {
  const { hemispheres } = opts;
  checkShapes(annotation, hemispheres);
  if (coords.length % 3 !== 0) throw new Error(`points need 3 coordinates each, got ${coords.length} values`);
  const leftValue = opts.leftValue ?? 1, rightValue = opts.rightValue ?? 2;
  const vox = voxelsPerLabel(annotation, hemispheres, leftValue, rightValue);
  const labels = [...vox.labels];
  const index = new Map<number, number>(labels.map((l, i) => [l, i]));
  if (!index.has(0)) { index.set(0, labels.length); labels.push(0); }
  const n = coords.length / 3;
  const [X, Y, Z] = annotation.shape;
  const a = annotation.data, h = hemispheres?.data;
  const pointLabel = new Int32Array(n), pointSide = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = coords[3 * i], y = coords[3 * i + 1], z = coords[3 * i + 2];
    // ClearMap: voxel = int(coordinate); outside the annotation (or NaN) = label 0
    if (x >= 0 && x < X && y >= 0 && y < Y && z >= 0 && z < Z) {
      const v = Math.trunc(x) + X * (Math.trunc(y) + Y * Math.trunc(z));
      pointLabel[i] = index.get(a[v])!;
      if (h) pointSide[i] = h[v] === leftValue ? 1 : h[v] === rightValue ? 2 : 0;
    } else pointLabel[i] = index.get(0)!;
  }
  const points = new Float64Array(3 * labels.length);
  const voxels = new Float64Array(3 * labels.length);
  voxels.set(vox.voxels);
  const sums: Record<string, Float64Array> = {};
  for (const [name, values] of Object.entries(opts.sums ?? {})) {
    if (values.length !== n) throw new Error(`${values.length} values of '${name}' for ${n} points`);
    sums[name] = new Float64Array(3 * labels.length);
  }
  const sumEntries = Object.entries(opts.sums ?? {}).map(([k, v]) => [sums[k], v] as const);
  for (let i = 0; i < n; i++) {
    const k = 3 * pointLabel[i], s = pointSide[i];
    points[k]++;
    if (s) points[k + s]++;
    for (const [acc, v] of sumEntries) { acc[k] += v[i]; if (s) acc[k + s] += v[i]; }
  }
  return { labels, index, points, voxels, sums };
}

/** Add triple `src[3i..]` into `dst` at region `r` (a Map of triples). */
function addTriple(dst: Map<number, Float64Array>, r: number, src: Float64Array, i: number): void {
  let t = dst.get(r);
  if (!t) { t = new Float64Array(3); dst.set(r, t); }
  t[0] += src[3 * i]; t[1] += src[3 * i + 1]; t[2] += src[3 * i + 2];
}

/**
 * The region table. Columns: id, acronym, name, parent, level,
 * <count>, <count>_left, <count>_right, volume_mm3(_left/_right), density(_left/_right) — exclusive of
 * children (after `level`/`collapse` mapping, as ClearMap counts) — then total_count(_left/_right),
 * total_volume_mm3(_left/_right), total_density(_left/_right) — the region with all its descendants —
 * then per summed property <name>_sum and total_<name>_sum, then structure_id_path ("/997/8/567/").
 * Left/right columns only with hemispheres.
 * Rows sorted by id; labels missing from the tree are kept as rows (empty description).
 */
export function regionStatistics(coords: Float64Array, annotation: Volume, tree: LabelTree, opts: RegionStatsOptions = {}): { table: Table; unknownIds: number[]; pointsPerLabel: Map<number, number> } {
  if (opts.level !== undefined && opts.collapse) throw new Error("'level' and 'collapse' exclude each other");
  const t = tally(coords, annotation, opts);
  const voxelMm3 = opts.voxelVolumeMm3 ?? (annotation.voxelSize[0] * annotation.voxelSize[1] * annotation.voxelSize[2]) / 1e9;
  const target = (id: number) => (!tree.has(id) ? id : opts.collapse ? tree.labelAtCollapse(id) : opts.level !== undefined ? tree.labelAtLevel(id, opts.level) : id);
  const excl = { points: new Map<number, Float64Array>(), voxels: new Map<number, Float64Array>(), sums: Object.fromEntries(Object.keys(t.sums).map((k) => [k, new Map<number, Float64Array>()])) };
  const total = { points: new Map<number, Float64Array>(), voxels: new Map<number, Float64Array>(), sums: Object.fromEntries(Object.keys(t.sums).map((k) => [k, new Map<number, Float64Array>()])) };
  const pointsPerLabel = new Map<number, number>();
  const withPoints = new Set<number>();
  t.labels.forEach((label, i) => {
    const r = target(label);
    addTriple(excl.points, r, t.points, i);
    addTriple(excl.voxels, r, t.voxels, i);
    if (t.points[3 * i] > 0) { withPoints.add(r); pointsPerLabel.set(label, t.points[3 * i]); }
    for (const k of Object.keys(t.sums)) addTriple(excl.sums[k], r, t.sums[k], i);
    // rolled up: the label itself and every ancestor
    const chain = tree.has(label) ? tree.structurePath(label) : [label];
    for (const anc of chain) {
      addTriple(total.points, anc, t.points, i);
      addTriple(total.voxels, anc, t.voxels, i);
      for (const k of Object.keys(t.sums)) addTriple(total.sums[k], anc, t.sums[k], i);
    }
  });
  const rowIds = new Set<number>(withPoints);
  if (opts.allIds) {
    for (const id of tree.ids) {
      const reachable = opts.collapse ? tree.labelAtCollapse(id) === id : opts.level !== undefined ? tree.get(id)!.level <= opts.level : true;
      if (reachable) rowIds.add(id);
    }
  }
  const ids = [...rowIds].sort((x, y) => x - y);
  const hemi = opts.hemispheres !== undefined;
  const c = opts.countColumn ?? 'count';
  const sides = hemi ? ['', '_left', '_right'] : [''];
  const sumNames = Object.keys(t.sums);
  const columns = ['id', 'acronym', 'name', 'parent', 'level',
    ...sides.map((s) => `${c}${s}`), ...sides.map((s) => `volume${s}_mm3`), ...sides.map((s) => `density${s}`),
    ...sides.map((s) => `total_count${s}`), ...sides.map((s) => `total_volume${s}_mm3`), ...sides.map((s) => `total_density${s}`),
    ...sumNames.flatMap((k) => [...sides.map((s) => `${k}_sum${s}`), ...sides.map((s) => `total_${k}_sum${s}`)]), 'structure_id_path'];
  const zero = new Float64Array(3);
  const pick = (m: Map<number, Float64Array>, id: number) => m.get(id) ?? zero;
  const triple = (v: Float64Array) => (hemi ? [v[0], v[1], v[2]] : [v[0]]);
  const mm3 = (v: Float64Array) => triple(v).map((x) => x * voxelMm3);
  const density = (p: Float64Array, v: Float64Array) => triple(p).map((x, k) => { const vol = triple(v)[k] * voxelMm3; return vol > 0 ? x / vol : null; });
  const rows: Cell[][] = ids.map((id) => {
    const r = tree.get(id);
    const desc: Cell[] = r ? [id, r.acronym, r.name, r.parent < 0 ? null : r.parent, r.level] : [id, '', '(not in label table)', null, null];
    const path = r ? `/${tree.structurePath(id).join('/')}/` : `/${id}/`;
    const ep = pick(excl.points, id), ev = pick(excl.voxels, id), tp = pick(total.points, id), tv = pick(total.voxels, id);
    return [...desc, ...triple(ep), ...mm3(ev), ...density(ep, ev), ...triple(tp), ...mm3(tv), ...density(tp, tv),
      ...sumNames.flatMap((k) => [...triple(pick(excl.sums[k], id)), ...triple(pick(total.sums[k], id))]), path];
  });
  return { table: { columns, rows }, unknownIds: ids.filter((id) => !tree.has(id)), pointsPerLabel };
}
