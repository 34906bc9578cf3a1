// Local maxima as ClearMap finds them (MaximaDetection.localMax):
//   maximum_filter(img, size) == img
// with scipy's box window of `size` per axis (offsets -floor(s/2) .. s-1-floor(s/2)). scipy's default
// 'reflect' boundary only repeats values already inside the window, so it equals ignoring the outside.
import type { Shape3 } from '../../engine/data/volume.js';
import { neighbourhood, type Connectivity } from './neighbourhood.js';
import { runningExtremum } from './running-extrema.js';
import { localMaximaWasm } from './wasm/maxima.js';

/** Box maximum over x and y of every plane (z untouched), into a new Float32Array. */
export function maxFilterXY(src: ArrayLike<number>, shape: Shape3, sx: number, sy: number): Float32Array {
  const [X, Y, Z] = shape;
  const P = X * Y;
  const out = new Float32Array(P * Z);
  const rowMax = new Float64Array(X + sx - 1);
  const work = new Float64Array(2 * (X + 3 * sx));
  const plane = new Float32Array(P);
  const row = new Float64Array(X);
  const cx = sx >> 1, cy = sy >> 1;
  for (let z = 0; z < Z; z++) {
    // x: running max per row; the window for x starts at x - cx, stored at (x - cx) + sx - 1
    for (let y = 0; y < Y; y++) {
      const o = z * P + y * X;
      for (let x = 0; x < X; x++) row[x] = src[o + x];
      runningExtremum(row, 0, X, sx, false, rowMax, work);
      for (let x = 0; x < X; x++) plane[y * X + x] = rowMax[x - cx + sx - 1];
    }
    // y: max over whole rows (window sizes are small, so a direct max over sy rows is fastest)
    for (let y = 0; y < Y; y++) {
      const o = z * P + y * X;
      const r0 = Math.max(0, y - cy), r1 = Math.min(Y - 1, y - cy + sy - 1);
      out.set(plane.subarray(r0 * X, r0 * X + X), o);
      for (let r = r0 + 1; r <= r1; r++) {
        const ro = r * X;
        for (let x = 0; x < X; x++) { const v = plane[ro + x]; if (v > out[o + x]) out[o + x] = v; }
      }
    }
  }
  return out;
}

/**
 * Mask of voxels equal to the maximum of their box neighbourhood of size [sx, sy, sz].
 * `values` are compared as float32 (ClearMap's images at this stage are float32).
 */
export function localMaxima(values: Float32Array, shape: Shape3, size: [number, number, number]): Uint8Array {
  const w = localMaximaWasm(values, shape, size); // WebAssembly (the same mask), null when off or NaN
  if (w !== null) return w;
  const [X, Y, Z] = shape;
  const P = X * Y;
  const xy = maxFilterXY(values, shape, size[0], size[1]);
  const mask = new Uint8Array(P * Z);
  const cz = size[2] >> 1;
  for (let z = 0; z < Z; z++) {
    const z0 = Math.max(0, z - cz), z1 = Math.min(Z - 1, z - cz + size[2] - 1);
    const o = z * P;
    for (let i = 0; i < P; i++) {
      let m = xy[z0 * P + i];
      for (let q = z0 + 1; q <= z1; q++) { const v = xy[q * P + i]; if (v > m) m = v; }
      mask[o + i] = m === values[o + i] ? 1 : 0;
    }
  }
  return mask;
}

/**
 * Regional maxima: connected plateaus (equal values, `connectivity`-connected) with no neighbour of a
 * higher value — the morphological definition (skimage.morphology.local_maxima), as opposed to
 * ClearMap's box test above. Plateaus touching the border count (outside is ignored).
 */
export function regionalMaxima(values: ArrayLike<number>, shape: Shape3, connectivity: Connectivity = 26): Uint8Array {
  const [X, Y, Z] = shape;
  const N = X * Y * Z;
  const nb = neighbourhood(shape, connectivity);
  const parent = new Int32Array(N);
  for (let i = 0; i < N; i++) parent[i] = i;
  const find = (a: number) => { while (parent[a] !== a) { parent[a] = parent[parent[a]]; a = parent[a]; } return a; };
  const higher = new Uint8Array(N); // per plateau root: some voxel has a higher neighbour
  const K = nb.offsets.length;
  for (let z = 0, p = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++, p++) {
    const v = values[p];
    for (let k = 0; k < K; k++) {
      const a = x + nb.dx[k], b = y + nb.dy[k], c = z + nb.dz[k];
      if (a < 0 || a >= X || b < 0 || b >= Y || c < 0 || c >= Z) continue;
      const q = p + nb.offsets[k];
      const w = values[q];
      if (w > v) higher[p] = 1;
      else if (w === v && q < p) { const r1 = find(p), r2 = find(q); if (r1 !== r2) parent[r1] = r2; }
    }
  }
  // a plateau is a maximum only if none of its voxels sees a higher neighbour
  const bad = new Uint8Array(N);
  for (let p = 0; p < N; p++) if (higher[p]) bad[find(p)] = 1;
  const out = new Uint8Array(N);
  for (let p = 0; p < N; p++) out[p] = bad[find(p)] ? 0 : 1;
  return out;
}
