// JavaScript side of the WebAssembly disk opening (assembly/morphology.ts): the element's chords as a
// plan in the kernels' memory, one plane at a time through a scratch layout reused for every plane.
import type { FlatElement } from '../morphology2d.js';
import { wasmKernels } from './loader.js';

/**
 * ClearMap's background removal of a uint16 slab, src - opening(src, se) per z-plane, into `out`:
 * the same bytes as the JavaScript path. Returns false (nothing written) when the WebAssembly
 * kernels are off or the element does not contain its origin (some pixel might see no element pixel
 * inside the plane, a case only the JavaScript path defines).
 */
export function removeBackgroundU16(src: Uint16Array, X: number, Y: number, Z: number, se: FlatElement, out: Uint16Array): boolean {
  const k = wasmKernels();
  if (k === null) return false;
  const { chords, lengths } = se;
  if (!chords.some((c) => c.dy === 0 && c.a <= 0 && c.b >= 0)) return false;
  const P = X * Y;
  const dyMin = Math.min(...chords.map((c) => c.dy)), R = Math.max(...chords.map((c) => c.dy)) - dyMin + 1;
  const off = Math.max(0, ...chords.map((c) => -c.a));
  const maxB = Math.max(0, ...chords.map((c) => c.b));
  const Lmax = Math.max(...lengths);
  const L8 = Math.ceil(Lmax / 8) * 8;
  const W = Math.ceil((X + 8 + off + maxB + 1) / 8) * 8;
  const EW = W + 2 * L8 + 16;
  const powers = Math.floor(Math.log2(Lmax)) + 1;
  const nL = lengths.length, nC = chords.length;
  const layout = k.arena([4 * (3 * nC + nL), 2 * R * nL * W, 2 * powers * EW, 4 * nC, 2 * P, 2 * P, 2 * P]);
  if (layout === null) return false; // too big for a 32-bit memory: the JavaScript path
  const [plan, ring, pow, ptrs, a, b, c] = layout;
  const buf = k.bytes();
  const p32 = new Int32Array(buf, plan, 3 * nC + nL);
  chords.forEach((ch, i) => { p32[3 * i] = ch.dy; p32[3 * i + 1] = ch.a; p32[3 * i + 2] = ch.lengthIndex; });
  p32.set(lengths, 3 * nC);
  const planeIn = new Uint16Array(buf, a, P), planeOut = new Uint16Array(buf, c, P);
  const e = k.exports;
  for (let z = 0; z < Z; z++) {
    planeIn.set(src.subarray(z * P, z * P + P));
    e.erodeU16(a, b, X, Y, 0, plan, nC, nL, dyMin, R, off, W, Lmax, ring, pow, ptrs);
    e.erodeU16(b, c, X, Y, 1, plan, nC, nL, dyMin, R, off, W, Lmax, ring, pow, ptrs);
    e.subU16(c, a, c, P);
    out.set(planeOut, z * P);
  }
  return true;
}
