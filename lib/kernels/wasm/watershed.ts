// JavaScript side of the WebAssembly seeded watershed of uint16 images (assembly/watershed.ts).
import type { Shape3 } from '../../../engine/data/volume.js';
import { neighbourhood, type Connectivity } from '../neighbourhood.js';
import { wasmKernels } from './loader.js';

/** bucketWatershed of lib/kernels/watershed.ts for a Uint16Array image; null when the kernels are off. */
export function watershedU16Wasm(image: Uint16Array, markers: Int32Array, mask: Uint8Array | null, shape: Shape3, connectivity: Connectivity, descending: boolean): Int32Array | null {
  const k = wasmKernels();
  if (k === null) return null;
  const [X, Y, Z] = shape;
  const N = X * Y * Z;
  const nb = neighbourhood(shape, connectivity);
  const K = nb.offsets.length;
  const layout = k.arena([2 * N, 4 * N, mask ? N : 0, 4 * N, 4 * N, 4 * 65536, 4 * 65536, 4 * 2048, 4 * 64, 4 * K, 4 * K, 4 * K, 4 * K]);
  if (layout === null) return null; // too big for a 32-bit memory: the JavaScript path
  const [img, mk, ms, out, next, heads, tails, bits0, bits1, offs, ndx, ndy, ndz] = layout;
  const buf = k.bytes();
  new Uint16Array(buf, img, N).set(image);
  new Int32Array(buf, mk, N).set(markers);
  if (mask) new Uint8Array(buf, ms, N).set(mask);
  new Int32Array(buf, offs, K).set(nb.offsets);
  new Int32Array(buf, ndx, K).set(nb.dx);
  new Int32Array(buf, ndy, K).set(nb.dy);
  new Int32Array(buf, ndz, K).set(nb.dz);
  k.exports.watershedU16(img, mk, mask ? ms : 0, out, X, Y, Z, K, offs, ndx, ndy, ndz, descending ? 1 : 0, next, heads, tails, bits0, bits1);
  return new Int32Array(buf.slice(out, out + 4 * N));
}
