// Class-probability map -> cell centres, as ClearMap's IlastikClassification.classifyCells does it
// (shared by the classifier plugins; public API: cellsFromMask):
// threshold (or argmax) the cell class, label connected components (6-connectivity, scipy's default
// structure), and take each component's intensity-weighted centre of mass.
//
// Chunking: only the planes [v0, v1) of the slab hold trustworthy probabilities (the rest lacks
// context at an interior chunk edge). A component touching such an edge is dropped, and so is every
// component longer than `maxExtent` planes in z. With overlap >= feature radius + maxExtent, a
// component whose centre lies in the chunk's core is then always complete, so the points are the same
// for any chunking (bit for bit: sums run in global raster order on global coordinates).
import type { Points } from '../../engine/data/points.js';
import type { Volume } from '../../engine/data/volume.js';

export interface CellOptions {
  /** Valid local planes [v0, v1) of the slab. */
  v0: number;
  v1: number;
  /** Depth of the whole stack (to tell interior chunk edges from the stack's own ends). */
  depth: number;
  maxExtent: number;
  minSize: number;
  maxSize: number | null;
}

/**
 * `isCell(i)` says whether voxel i (slab index) belongs to the cell class; `prob(i)` is its cell
 * probability (reported as the component mean). Points are in global [x, y, z] with the columns
 * size, raw (intensity at the rounded centre, ClearMap's findIntensity) and probability.
 */
export function cellsFromMask(slab: Volume, isCell: (i: number) => boolean, prob: (i: number) => number, o: CellOptions): Points {
  const [X, Y, Z] = slab.shape;
  const plane = X * Y;
  const [ox, oy, oz] = slab.origin;
  const v0 = Math.max(0, o.v0), v1 = Math.min(Z, o.v1);
  const lowOpen = oz + v0 > 0, highOpen = oz + v1 < o.depth;
  // union-find over voxels of the valid region, 6-connectivity, raster order
  const parent = new Int32Array(X * Y * Math.max(0, v1 - v0)).fill(-1);
  const base = v0 * plane;
  const find = (a: number): number => {
    while (parent[a] !== a) { parent[a] = parent[parent[a]]; a = parent[a]; }
    return a;
  };
  const union = (a: number, b: number) => {
    const ra = find(a), rb = find(b);
    if (ra !== rb) { if (ra < rb) parent[rb] = ra; else parent[ra] = rb; }
  };
  for (let z = v0; z < v1; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) {
    const i = x + X * (y + Y * z);
    if (!isCell(i)) continue;
    const j = i - base;
    parent[j] = j;
    if (x > 0 && parent[j - 1] >= 0) union(j, j - 1);
    if (y > 0 && parent[j - X] >= 0) union(j, j - X);
    if (z > v0 && parent[j - plane] >= 0) union(j, j - plane);
  }
  // per-component sums, accumulated in raster order with global coordinates
  interface Acc { n: number; w: number; sx: number; sy: number; sz: number; p: number; zmin: number; zmax: number; drop: boolean }
  const comps = new Map<number, Acc>();
  const d = slab.data;
  for (let z = v0; z < v1; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) {
    const i = x + X * (y + Y * z);
    const j = i - base;
    if (parent[j] < 0) continue;
    const r = find(j);
    let c = comps.get(r);
    if (!c) { c = { n: 0, w: 0, sx: 0, sy: 0, sz: 0, p: 0, zmin: z, zmax: z, drop: false }; comps.set(r, c); }
    const w = d[i];
    c.n++; c.w += w; c.sx += w * (x + ox); c.sy += w * (y + oy); c.sz += w * (z + oz); c.p += prob(i);
    c.zmax = z;
    if ((z === v0 && lowOpen) || (z === v1 - 1 && highOpen)) c.drop = true;
  }
  const coords: number[] = [], size: number[] = [], raw: number[] = [], probability: number[] = [];
  // components in order of their first voxel (the root is the smallest index)
  for (const r of [...comps.keys()].sort((a, b) => a - b)) {
    const c = comps.get(r)!;
    if (c.drop || c.zmax - c.zmin + 1 > o.maxExtent || c.n < o.minSize || (o.maxSize !== null && c.n > o.maxSize)) continue;
    let cx: number, cy: number, cz: number;
    if (c.w > 0) { cx = c.sx / c.w; cy = c.sy / c.w; cz = c.sz / c.w; } else {
      // all-zero intensities: unweighted centre
      let sx = 0, sy = 0, sz = 0;
      for (let z = c.zmin; z <= c.zmax; z++) for (let k = 0; k < plane; k++) {
        const j = z * plane + k - base;
        if (parent[j] >= 0 && find(j) === r) { sx += (k % X) + ox; sy += Math.floor(k / X) + oy; sz += z + oz; }
      }
      cx = sx / c.n; cy = sy / c.n; cz = sz / c.n;
    }
    coords.push(cx, cy, cz);
    size.push(c.n);
    probability.push(c.p / c.n);
    const rx = Math.min(X - 1, Math.max(0, Math.round(cx - ox))), ry = Math.min(Y - 1, Math.max(0, Math.round(cy - oy))), rz = Math.min(Z - 1, Math.max(0, Math.round(cz - oz)));
    raw.push(d[rx + X * (ry + Y * rz)]);
  }
  return {
    coords: Float64Array.from(coords),
    properties: { size: Float64Array.from(size), raw: Float64Array.from(raw), probability: Float64Array.from(probability) },
  };
}
