// Point → heat map voxelization, as ClearMap 0.9.2's Analysis/Voxelization.py + VoxelizationCode.pyx.
//
// Points are [x, y, z] in voxel coordinates of the target grid; a point at 3.7 lies in voxel 3.
// ClearMap's kernel geometry is kept exactly (so heat maps match ClearMap's), including its quirk that
// offsets run over range(int(-d/2 + 1), int(d/2 + 1)) with int() truncating toward zero:
//   Spherical  size d: offsets o in that range with Σ o²/((d-1)²/4) < 1. d = 5 → |o| <= 1 (a 3x3x3
//              ball, 27 voxels); d = 7 → |o| <= 2. Deviation: d = 1 (ClearMap divides by zero) → only o = 0.
//   Rectangular size d: every offset in that range, e.g. d = 5 → -1..2 (4 voxels, asymmetric as in ClearMap).
//              Deviation: ClearMap clips y against the x size (a bug that writes out of bounds); we clip y to Y.
//   Pixel      the voxel containing the point. Deviation: ClearMap skips coordinate 0 (`> 0`); we keep it.
//   Gaussian   (not in ClearMap 0.9.2) the Spherical footprint of a *true* ellipsoid |o_i| <= (d_i-1)/2,
//              each voxel weighted exp(-Σ o_i²/(2σ_i²)) with σ_i = sigma_i (default d_i/4), peak 1 at the point's voxel.
// Points whose kernel voxels fall outside the grid contribute only their inside voxels; nothing wraps.
// Output dtype: int32 counts without weights (ClearMap: int32; Pixel int16 → int32 here) and float32
// with weights or for Gaussian (ClearMap: float64; float32 halves the memory of atlas-size maps).
// Like ClearMap, coordinates are rounded to float32 before use (its Cython kernel declares them `float`).
import type { Shape3 } from '../../../engine/data/volume.js';

export type VoxelizeMethod = 'Spherical' | 'Rectangular' | 'Gaussian' | 'Pixel';
export const VOXELIZE_METHODS: readonly VoxelizeMethod[] = ['Spherical', 'Rectangular', 'Gaussian', 'Pixel'];

export interface VoxelizeOptions {
  method?: VoxelizeMethod;
  /** Kernel size in voxels along x, y, z (ClearMap's `size`, default (5,5,5)). */
  size?: [number, number, number];
  /** One weight per point (ClearMap's `weights`); the output is then float32. */
  weights?: ArrayLike<number>;
  /** Gaussian only: standard deviations in voxels (default size / 4). */
  sigma?: [number, number, number];
}

export interface Kernel {
  /** Integer offsets along x, y, z. */
  dx: Int32Array; dy: Int32Array; dz: Int32Array;
  /** Per-offset weight (Gaussian) or undefined (all 1). */
  w?: Float64Array;
}

/** Python's int() of a float: truncation toward zero. */
const trunc = Math.trunc;

function offsetRange(d: number): [number, number] {
  return [trunc(-d / 2 + 1), trunc(d / 2 + 1)]; // half-open, as range(int(-d/2+1), int(d/2+1))
}

/** The kernel offsets of a method and size, computed once per call. */
export function kernelOffsets(method: VoxelizeMethod, size: [number, number, number], sigma?: [number, number, number]): Kernel {
  const dx: number[] = [], dy: number[] = [], dz: number[] = [], w: number[] = [];
  if (method === 'Pixel') return { dx: Int32Array.of(0), dy: Int32Array.of(0), dz: Int32Array.of(0) };
  const ranges = size.map(offsetRange) as [number, number][];
  if (method === 'Rectangular') {
    for (let z = ranges[2][0]; z < ranges[2][1]; z++)
      for (let y = ranges[1][0]; y < ranges[1][1]; y++)
        for (let x = ranges[0][0]; x < ranges[0][1]; x++) { dx.push(x); dy.push(y); dz.push(z); }
    return { dx: Int32Array.from(dx), dy: Int32Array.from(dy), dz: Int32Array.from(dz) };
  }
  if (method === 'Spherical') {
    // ClearMap's squared semi-axes (d-1)²/4, computed in float32 like its `cdef float`
    const r2 = size.map((d) => Math.fround(((d - 1) * (d - 1)) / 4));
    const term = (o: number, a: number) => (r2[a] === 0 ? (o === 0 ? 0 : Infinity) : (o * o) / r2[a]);
    for (let z = ranges[2][0]; z < ranges[2][1]; z++)
      for (let y = ranges[1][0]; y < ranges[1][1]; y++)
        for (let x = ranges[0][0]; x < ranges[0][1]; x++)
          if (term(x, 0) + term(y, 1) + term(z, 2) < 1) { dx.push(x); dy.push(y); dz.push(z); }
    return { dx: Int32Array.from(dx), dy: Int32Array.from(dy), dz: Int32Array.from(dz) };
  }
  // Gaussian: symmetric ellipsoid of semi-axes (d-1)/2 (inclusive), Gaussian weights with peak 1
  const half = size.map((d) => (d - 1) / 2);
  const s = sigma ?? (size.map((d) => d / 4) as [number, number, number]);
  const ext = half.map(Math.floor);
  for (let z = -ext[2]; z <= ext[2]; z++)
    for (let y = -ext[1]; y <= ext[1]; y++)
      for (let x = -ext[0]; x <= ext[0]; x++) {
        const q = [x, y, z].reduce((acc, o, a) => acc + (half[a] === 0 ? (o === 0 ? 0 : Infinity) : (o * o) / (half[a] * half[a])), 0);
        if (q > 1) continue;
        dx.push(x); dy.push(y); dz.push(z);
        w.push(Math.exp(-0.5 * ((x * x) / (s[0] * s[0]) + (y * y) / (s[1] * s[1]) + (z * z) / (s[2] * s[2]))));
      }
  return { dx: Int32Array.from(dx), dy: Int32Array.from(dy), dz: Int32Array.from(dz), w: Float64Array.from(w) };
}

function checkOptions(points: Float64Array | Float32Array, shape: Shape3, o: VoxelizeOptions): void {
  if (points.length % 3 !== 0) throw new Error(`voxelize: points need 3 coordinates each, got ${points.length} values`);
  if (!shape.every((s) => Number.isInteger(s) && s > 0)) throw new Error(`voxelize: shape must be 3 positive integers, got [${shape.join(', ')}]`);
  if (o.method !== undefined && !VOXELIZE_METHODS.includes(o.method)) throw new Error(`voxelize: method '${o.method}' not supported; expected one of ${VOXELIZE_METHODS.join(', ')}`);
  const size = o.size ?? [5, 5, 5];
  if (size.length !== 3 || !size.every((d) => Number.isFinite(d) && d >= 1)) throw new Error(`voxelize: size must be 3 numbers >= 1 (voxels), got [${size.join(', ')}]`);
  if (o.weights && o.weights.length !== points.length / 3) throw new Error(`voxelize: ${o.weights.length} weights for ${points.length / 3} points`);
  if (o.sigma && !(o.sigma.length === 3 && o.sigma.every((s) => s > 0))) throw new Error(`voxelize: sigma must be 3 positive numbers, got [${o.sigma.join(', ')}]`);
}

/**
 * Voxelize interleaved points (x0,y0,z0,x1,...) into a new array of `shape` (x fastest).
 * Returns Int32Array counts, or Float32Array when weighted or Gaussian.
 */
export function voxelize(points: Float64Array | Float32Array, shape: Shape3, opts: VoxelizeOptions = {}): Int32Array | Float32Array {
  checkOptions(points, shape, opts);
  const method = opts.method ?? 'Spherical';
  const kernel = kernelOffsets(method, opts.size ?? [5, 5, 5], opts.sigma);
  const [X, Y, Z] = shape;
  const n = points.length / 3;
  const float = !!opts.weights || !!kernel.w;
  const out = float ? new Float32Array(X * Y * Z) : new Int32Array(X * Y * Z);
  const { dx, dy, dz } = kernel;
  const kw = kernel.w;
  const weights = opts.weights;
  const nk = dx.length;
  const XY = X * Y;
  // linear offsets and the kernel's bounding box, so points whose kernel is fully inside skip bounds checks
  const lin = new Int32Array(nk);
  let x0 = 0, x1 = 0, y0 = 0, y1 = 0, z0 = 0, z1 = 0;
  for (let k = 0; k < nk; k++) {
    lin[k] = dx[k] + X * dy[k] + XY * dz[k];
    x0 = Math.min(x0, dx[k]); x1 = Math.max(x1, dx[k]);
    y0 = Math.min(y0, dy[k]); y1 = Math.max(y1, dy[k]);
    z0 = Math.min(z0, dz[k]); z1 = Math.max(z1, dz[k]);
  }
  const order = rowOrder(points, Y, Z);
  for (let j = 0; j < n; j++) {
    const i = order[j];
    const fx = Math.fround(points[3 * i]), fy = Math.fround(points[3 * i + 1]), fz = Math.fround(points[3 * i + 2]);
    if (fx !== fx || fy !== fy || fz !== fz) continue; // NaN coordinates mark no position
    // floor(c) + o lies in [0, size) exactly when c + o does (o is an integer), so index with the floor
    const cx = Math.floor(fx), cy = Math.floor(fy), cz = Math.floor(fz);
    const w = weights ? weights[i] : 1;
    if (cx + x0 >= 0 && cx + x1 < X && cy + y0 >= 0 && cy + y1 < Y && cz + z0 >= 0 && cz + z1 < Z) {
      const c = cx + X * cy + XY * cz;
      if (kw) for (let k = 0; k < nk; k++) out[c + lin[k]] += w * kw[k];
      else for (let k = 0; k < nk; k++) out[c + lin[k]] += w;
      continue;
    }
    for (let k = 0; k < nk; k++) {
      const x = cx + dx[k], y = cy + dy[k], z = cz + dz[k];
      if (x < 0 || x >= X || y < 0 || y >= Y || z < 0 || z >= Z) continue;
      out[x + X * y + XY * z] += kw ? w * kw[k] : w;
    }
  }
  return out;
}

/**
 * Point indices ordered by voxel row (z, then y; stable counting sort). Visiting points row by row
 * keeps the rows a kernel touches in cache; in random order nearly every kernel row is a cache miss
 * (2-3x slower for 1e6 points at atlas size). Only the order of additions changes (float sums may
 * differ from input order in the last bits).
 */
function rowOrder(points: Float64Array | Float32Array, Y: number, Z: number): Uint32Array {
  const n = points.length / 3;
  const rows = Y * Z;
  // bucket 0: before the grid, 1..rows: row z*Y + y, rows+1: after the grid or NaN
  const bucket = (i: number) => {
    const y = Math.floor(points[3 * i + 1]), z = Math.floor(points[3 * i + 2]);
    if (z < 0 || (z === 0 && y < 0)) return 0;
    if (z >= 0 && z < Z) return 1 + z * Y + Math.min(Math.max(y, 0), Y - 1);
    return rows + 1;
  };
  const start = new Uint32Array(rows + 3);
  const key = new Uint32Array(n);
  for (let i = 0; i < n; i++) { key[i] = bucket(i); start[key[i] + 1]++; }
  for (let b = 1; b < start.length; b++) start[b] += start[b - 1];
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[start[key[i]]++] = i;
  return order;
}
