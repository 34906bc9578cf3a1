// JavaScript side of the WebAssembly 26-connected grey reconstruction (assembly/reconstruction.ts):
// the padded seed/mask volumes and the queue live in the kernels' memory, reused across chunks.
import type { Shape3 } from '../../../engine/data/volume.js';
import { neighbourhood } from '../neighbourhood.js';
import { wasmKernels } from './loader.js';

/** Copies row n values of the unpadded volume at `src` into the padded J/I at `dst` (as reconstruction.ts's padded()). */
export type RowFill = (src: number, dst: number, n: number, J: Float32Array, I: Float32Array) => void;

/**
 * reconstruct26 of lib/kernels/reconstruction.ts in WebAssembly: padded J and I (-Infinity
 * outside) filled row by row by `fill`; with `hmax`, `fill` sets I only and the seed is
 * J = I - h (I where flatAtMin and I = min), as hMaxTransform computes it. Returns the unpadded
 * reconstruction, or null when the WebAssembly kernels are off.
 */
export function reconstruct26Wasm(shape: Shape3, fill: RowFill, hmax?: { h32: number; min: number; flatAtMin: boolean }): Float32Array | null {
  const k = wasmKernels();
  if (k === null) return null;
  const [X, Y, Z] = shape;
  const PX = X + 2, PY = Y + 2, PP = PX * PY, M = PP * (Z + 2);
  const layout = k.arena([4 * M, 4 * M, 4 * M, M, 4 * 4096, 4 * 4096, 4 * (PX + 8), 4 * (PX + 8), 4 * 26]);
  if (layout === null) return null; // too big for a 32-bit memory: the JavaScript path
  const [J, I, next, queued, heads, tails, col, colA, offs] = layout;
  const buf = k.bytes();
  const Jv = new Float32Array(buf, J, M), Iv = new Float32Array(buf, I, M);
  Iv.fill(-Infinity);
  if (!hmax) Jv.fill(-Infinity);
  for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) fill(X * (y + Y * z), 1 + PX * (y + 1 + PY * (z + 1)), X, Jv, Iv);
  if (hmax) k.exports.hmaxSeed(J, I, M, hmax.h32, hmax.min, hmax.flatAtMin ? 1 : 0);
  new Int32Array(buf, offs, 26).set(neighbourhood([PX, PY, Z + 2], 26).offsets);
  k.exports.reconstruct26(J, I, X, Y, Z, next, queued, heads, tails, col, colA, offs);
  const out = new Float32Array(X * Y * Z);
  for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) {
    const s = 1 + PX * (y + 1 + PY * (z + 1));
    out.set(Jv.subarray(s, s + X), X * (y + Y * z));
  }
  return out;
}
