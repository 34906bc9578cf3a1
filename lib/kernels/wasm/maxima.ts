// JavaScript side of the WebAssembly local maxima (assembly/maxima.ts).
import type { Shape3 } from '../../../engine/data/volume.js';
import { wasmKernels } from './loader.js';

/**
 * localMaxima of lib/kernels/maxima.ts (voxels equal to the maximum of their box [sx, sy, sz],
 * outside ignored) in WebAssembly. Null when the kernels are off or the data hold a NaN (then the
 * order in which the JavaScript path compares decides, so it computes the mask).
 */
export function localMaximaWasm(values: Float32Array, shape: Shape3, size: [number, number, number]): Uint8Array | null {
  const k = wasmKernels();
  if (k === null) return null;
  const [X, Y, Z] = shape;
  const [sx, sy, sz] = size;
  const P = X * Y;
  const mask = new Uint8Array(P * Z);
  if (P === 0 || Z === 0) return mask;
  const S = Math.min(Z, sz);
  const PS = 4 * (Math.ceil(P / 16) * 16 + 16); // slot stride: SIMD loops may write past a plane's end
  const layout = k.arena([S * PS, S * PS, 4 * P, 4 * (X + sx + 12), 4 * sz, P + 16]);
  if (layout === null) return null; // too big for a 32-bit memory: the JavaScript path
  const [vals, xy, tmp, row, planes, m] = layout;
  const buf = k.bytes();
  const e = k.exports;
  const slotPlane = new Int32Array(S).fill(-1);
  const ptrs = new Int32Array(buf, planes, sz);
  const maskView = new Uint8Array(buf, m, P);
  const cz = sz >> 1;
  for (let z = 0; z < Z; z++) {
    const z0 = Math.max(0, z - cz), z1 = Math.min(Z - 1, z - cz + sz - 1);
    let n = 0;
    for (let q = z0; q <= z1; q++) {
      const slot = q % S;
      if (slotPlane[slot] !== q) {
        const v = vals + slot * PS;
        new Float32Array(buf, v, P).set(values.subarray(q * P, q * P + P));
        if (e.hasNaN(v, P)) return null;
        e.maxPlaneXY(v, xy + slot * PS, X, Y, sx, sy, row, tmp);
        slotPlane[slot] = q;
      }
      ptrs[n++] = xy + slot * PS;
    }
    e.maxMaskZ(vals + (z % S) * PS, planes, n, m, P);
    mask.set(maskView, z * P);
  }
  return mask;
}
