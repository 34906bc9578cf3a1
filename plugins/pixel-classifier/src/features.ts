// The filter bank (ilastik's pixel-classification feature families): raw intensity; per sigma the
// Gaussian smoothing, its gradient magnitude (central differences) and its Laplacian (Laplacian of
// Gaussian); differences of Gaussians between consecutive sigmas. Separable float64 convolutions,
// stored as float32; boundary = scipy's 'reflect' at the stack's own edges.
//
// Chunk exactness: along z (and y, for row tiles of a slab) the data is reflected only where the
// *stack* ends (global coordinates); at an interior chunk or tile edge it is clamped instead, which is
// wrong within featureRadius() voxels of that edge — the caller discards those. Everything else is
// computed with the same operations in the same order as for the whole stack, so it is bit-identical.
import type { Volume } from 'clearmap-ts';

export interface FeatureSpec {
  /** Gaussian scales in voxels (isotropic). */
  sigmas: number[];
  /** Kernel radius = floor(truncate * sigma + 0.5), as scipy.ndimage.gaussian_filter. */
  truncate: number;
}

export function gaussianRadius(sigma: number, truncate: number): number {
  return Math.floor(truncate * sigma + 0.5);
}

/** Planes of context each feature needs: the largest Gaussian radius + 1 for the derivatives. */
export function featureRadius(spec: FeatureSpec): number {
  return Math.max(...spec.sigmas.map((s) => gaussianRadius(s, spec.truncate))) + 1;
}

export function featureNames(spec: FeatureSpec): string[] {
  const names = ['raw'];
  for (const s of spec.sigmas) names.push(`gaussian(${s})`, `gradient-magnitude(${s})`, `laplacian-of-gaussian(${s})`);
  for (let i = 0; i + 1 < spec.sigmas.length; i++) names.push(`difference-of-gaussians(${spec.sigmas[i]},${spec.sigmas[i + 1]})`);
  return names;
}

function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const p = 2 * n;
  const j = ((i % p) + p) % p;
  return j < n ? j : p - 1 - j;
}

/** Index map for offsets -r..n+r-1 along an axis of length n whose first element is global `origin` of `total`. */
function indexMap(n: number, r: number, origin: number, total: number): Int32Array {
  const m = new Int32Array(n + 2 * r);
  for (let k = -r; k < n + r; k++) {
    const local = reflect(origin + k, total) - origin;
    m[k + r] = Math.min(n - 1, Math.max(0, local));
  }
  return m;
}

interface Geometry {
  shape: [number, number, number];
  /** Position of the array's first row / plane in the stack, and the stack's extent, along y and z. */
  originY: number; height: number;
  originZ: number; depth: number;
}

const BLOCK = 2048;

/** out[i] = sum_k kernel[k] * src[i + k - r] along one axis (r = (kernel.length - 1) / 2). */
function filterAxis(src: Float64Array, g: Geometry, axis: 0 | 1 | 2, kernel: Float64Array): Float64Array {
  const [X, Y, Z] = g.shape;
  const r = (kernel.length - 1) / 2;
  const n = g.shape[axis];
  const map = axis === 2 ? indexMap(Z, r, g.originZ, g.depth) : axis === 1 ? indexMap(Y, r, g.originY, g.height) : indexMap(X, r, 0, X);
  const stride = axis === 0 ? 1 : axis === 1 ? X : X * Y;
  const out = new Float64Array(src.length);
  const K = kernel.length;
  if (axis === 0) {
    // rows are contiguous: copy each with its reflected border into buf, then convolve
    const buf = new Float64Array(n + 2 * r);
    for (let start = 0; start < src.length; start += X) {
      for (let k = 0; k < buf.length; k++) buf[k] = src[start + map[k]];
      for (let q = 0; q < n; q++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += kernel[k] * buf[q + k];
        out[start + q] = s;
      }
    }
  } else {
    // y and z: accumulate contiguous runs of rows / planes in a small buffer; per voxel the terms are
    // added in the same order k = 0..K-1 as above, so results do not depend on the traversal
    const run = axis === 1 ? X : X * Y;
    const outer = axis === 1 ? Z : 1;
    const acc = new Float64Array(Math.min(BLOCK, run));
    for (let o = 0; o < outer; o++) {
      const base = o * X * Y;
      for (let q = 0; q < n; q++) {
        for (let j0 = 0; j0 < run; j0 += BLOCK) {
          const len = Math.min(BLOCK, run - j0);
          acc.fill(0, 0, len);
          for (let k = 0; k < K; k++) {
            const w = kernel[k], from = base + map[q + k] * stride + j0;
            for (let j = 0; j < len; j++) acc[j] += w * src[from + j];
          }
          const to = base + q * stride + j0;
          for (let j = 0; j < len; j++) out[to + j] = acc[j];
        }
      }
    }
  }
  return out;
}

export function gaussianKernel(sigma: number, truncate: number): Float64Array {
  const r = gaussianRadius(sigma, truncate);
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) { k[i + r] = Math.exp(-0.5 * (i * i) / (sigma * sigma)); sum += k[i + r]; }
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

export function gaussian(src: Float64Array, g: Geometry, sigma: number, truncate: number): Float64Array {
  const k = gaussianKernel(sigma, truncate);
  return filterAxis(filterAxis(filterAxis(src, g, 0, k), g, 1, k), g, 2, k);
}

const DIFF = Float64Array.from([-0.5, 0, 0.5]);
const SECOND = Float64Array.from([1, -2, 1]);

/**
 * All features of a volume or a part of it: `v.origin` gives its position and `extent` = [height, depth]
 * the stack's size along y and z (default: the volume is the whole stack in y and starts at its own
 * origin[2] of a stack `depth` deep). One float32 array per feature, in featureNames() order.
 */
export function computeFeatures(v: Volume, spec: FeatureSpec, depth: number, height = v.origin[1] + v.shape[1]): Float32Array[] {
  const g: Geometry = { shape: v.shape, originY: v.origin[1], height, originZ: v.origin[2], depth };
  const raw = Float64Array.from(v.data as ArrayLike<number>);
  const out: Float32Array[] = [Float32Array.from(raw)];
  const smoothed: Float64Array[] = [];
  for (const s of spec.sigmas) {
    const G = gaussian(raw, g, s, spec.truncate);
    smoothed.push(G);
    out.push(Float32Array.from(G));
    const dx = filterAxis(G, g, 0, DIFF), dy = filterAxis(G, g, 1, DIFF), dz = filterAxis(G, g, 2, DIFF);
    const grad = new Float32Array(G.length);
    for (let i = 0; i < G.length; i++) grad[i] = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i] + dz[i] * dz[i]);
    out.push(grad);
    const lx = filterAxis(G, g, 0, SECOND), ly = filterAxis(G, g, 1, SECOND), lz = filterAxis(G, g, 2, SECOND);
    const log = new Float32Array(G.length);
    for (let i = 0; i < G.length; i++) log[i] = lx[i] + ly[i] + lz[i];
    out.push(log);
  }
  for (let i = 0; i + 1 < smoothed.length; i++) {
    const a = smoothed[i], b = smoothed[i + 1];
    const dog = new Float32Array(a.length);
    for (let j = 0; j < a.length; j++) dog[j] = a[j] - b[j];
    out.push(dog);
  }
  return out;
}
