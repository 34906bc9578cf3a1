// Points in atlas regions, as ClearMap 0.9.2's Analysis/Label.py: labelPoints, countPointsInRegions
// (optionally summing a property column instead of counting, ClearMap's `intensities`), at a level or
// collapsed; plus region masks (a region with all its descendants).
import type { Volume } from '../../../../engine/data/volume.js';
import type { Table, Cell } from '../../../../engine/data/table.js';
import type { LabelTree } from './label-tree.js';

export interface LabelOptions {
  /** Map labels to their ancestor at this level (ClearMap's `level`). */
  level?: number;
  /** Map labels to the nearest ancestor marked `collapse` (ClearMap's `collapse`); wins over level. */
  collapse?: boolean;
}

function checkAnnotation(annotation: Volume, where: string): void {
  const n = annotation.shape[0] * annotation.shape[1] * annotation.shape[2];
  if (annotation.data.length !== n) throw new Error(`${where}: annotation has ${annotation.data.length} voxels but shape [${annotation.shape}] needs ${n}`);
}

/**
 * The annotation label under each point ([x, y, z] in annotation voxels; voxel = int(coordinate));
 * points outside the annotation (or with NaN coordinates) get label 0, as in ClearMap.
 */
export function labelPoints(coords: Float64Array, annotation: Volume, tree?: LabelTree, opts: LabelOptions = {}): Float64Array {
  checkAnnotation(annotation, 'labelPoints');
  if (coords.length % 3 !== 0) throw new Error(`labelPoints: points need 3 coordinates each, got ${coords.length} values`);
  if ((opts.level !== undefined || opts.collapse) && !tree) throw new Error('labelPoints: level or collapse needs a label tree');
  const [X, Y, Z] = annotation.shape;
  const n = coords.length / 3;
  const out = new Float64Array(n);
  const a = annotation.data;
  for (let i = 0; i < n; i++) {
    const x = coords[3 * i], y = coords[3 * i + 1], z = coords[3 * i + 2];
    if (x >= 0 && x < X && y >= 0 && y < Y && z >= 0 && z < Z) out[i] = a[Math.trunc(x) + X * (Math.trunc(y) + Y * Math.trunc(z))];
  }
  if (tree && (opts.collapse || opts.level !== undefined)) {
    // map each distinct label once
    const memo = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const l = out[i];
      let m = memo.get(l);
      if (m === undefined) { m = opts.collapse ? tree.labelAtCollapse(l) : tree.labelAtLevel(l, opts.level!); memo.set(l, m); }
      out[i] = m;
    }
  }
  return out;
}

export interface CountOptions extends LabelOptions {
  /** Sum these values per region as well (ClearMap's `intensities` row, e.g. a point property column). */
  weights?: ArrayLike<number>;
  /**
   * Also list regions with no points (ClearMap's allIds). Deviation: at a level only ids at or above
   * that level are added, and when collapsing only collapse targets — ClearMap adds every id, which
   * puts empty rows for regions that cannot receive counts at that level.
   */
  allIds?: boolean;
}

export interface RegionCounts {
  /** Region ids, ascending (ClearMap sorts). */
  ids: number[];
  counts: number[];
  /** Per-region sums of `weights`, when given. */
  sums?: number[];
  /** Labels found under points that are not in the label table (kept as rows, never dropped). */
  unknownIds: number[];
}

export function countPointsInRegions(coords: Float64Array, annotation: Volume, tree: LabelTree, opts: CountOptions = {}): RegionCounts {
  const labels = labelPoints(coords, annotation, tree, opts);
  if (opts.weights && opts.weights.length !== labels.length) throw new Error(`countPointsInRegions: ${opts.weights.length} weights for ${labels.length} points`);
  const counts = new Map<number, number>();
  const sums = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    counts.set(l, (counts.get(l) ?? 0) + 1);
    if (opts.weights) sums.set(l, (sums.get(l) ?? 0) + opts.weights[i]);
  }
  if (opts.allIds) {
    for (const id of tree.ids) {
      if (counts.has(id)) continue;
      const reachable = opts.collapse ? tree.labelAtCollapse(id) === id : opts.level !== undefined ? tree.get(id)!.level <= opts.level : true;
      if (reachable) { counts.set(id, 0); if (opts.weights) sums.set(id, 0); }
    }
  }
  const ids = [...counts.keys()].sort((a, b) => a - b);
  return {
    ids,
    counts: ids.map((id) => counts.get(id)!),
    sums: opts.weights ? ids.map((id) => sums.get(id)!) : undefined,
    unknownIds: ids.filter((id) => !tree.has(id)),
  };
}

export const REGION_COLUMNS = ['id', 'acronym', 'name', 'parent', 'level'] as const;

/** Region description cells for an id; unknown ids get empty acronym, a marker name and null parent/level. */
export function regionCells(tree: LabelTree, id: number): Cell[] {
  const r = tree.get(id);
  if (!r) return [id, '', '(not in label table)', null, null];
  return [id, r.acronym, r.name, r.parent < 0 ? null : r.parent, r.level];
}

/** Region table: id, acronym, name, parent, level, then the count column (and `<sumColumn>` when summed). */
export function regionTable(tree: LabelTree, c: RegionCounts, countColumn = 'count', sumColumn = 'sum'): Table {
  const columns = [...REGION_COLUMNS, countColumn, ...(c.sums ? [sumColumn] : [])];
  const rows = c.ids.map((id, i) => [...regionCells(tree, id), c.counts[i], ...(c.sums ? [c.sums[i]] : [])]);
  return { columns, rows };
}

/** Mask (1/0) of the voxels whose label is `id` or one of its descendants (ClearMap-style region isolation). */
export function regionMask(annotation: Volume, tree: LabelTree, id: number): Uint8Array {
  checkAnnotation(annotation, 'regionMask');
  const keep = tree.descendants(id);
  const a = annotation.data;
  const out = new Uint8Array(a.length);
  // labels repeat in long runs: remember the last decision
  let last = NaN, lastIn = 0;
  for (let i = 0; i < a.length; i++) {
    const l = a[i];
    if (l !== last) { last = l; lastIn = keep.has(l) ? 1 : 0; }
    out[i] = lastIn;
  }
  return out;
}

/** A copy of `data` with every voxel outside region `id` (and its descendants) set to 0. */
export function isolateRegion(data: Volume, annotation: Volume, tree: LabelTree, id: number): Volume {
  if (data.shape.some((s, i) => s !== annotation.shape[i])) throw new Error(`isolateRegion: data shape [${data.shape}] differs from annotation shape [${annotation.shape}]`);
  const mask = regionMask(annotation, tree, id);
  const out = data.data.slice();
  for (let i = 0; i < out.length; i++) if (!mask[i]) out[i] = 0;
  return { ...data, data: out };
}
