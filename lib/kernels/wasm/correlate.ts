// JavaScript side of the WebAssembly separable correlation (assembly/correlate.ts): input planes are
// converted to float32 (as the JavaScript filters do) into a ring of as many planes as the z kernel
// needs, each output plane is correlated in the kernels' memory and stored as float32.
import type { Shape3, TypedArray } from '../../../engine/data/volume.js';
import { reflectedRange } from '../boundary.js';
import type { SeparableWeights } from '../correlate.js';
import { wasmKernels } from './loader.js';

function isSymmetric(w: Float64Array): boolean {
  for (let k = 0; k < w.length >> 1; k++) if (w[k] !== w[w.length - 1 - k]) return false;
  return true;
}

/**
 * The float32 result of correlating `src` (any dtype, converted to float32 first) with one kernel
 * (`clip`: negatives set to 0) or the difference of two (`dog`: k0 - k1, negatives set to 0), into
 * `out`: the same bits as correlateSeparable + the JavaScript filters. False when the WebAssembly
 * kernels are off (nothing written).
 */
export function correlateSeparableF32(src: TypedArray, shape: Shape3, kernels: SeparableWeights[], mode: 'clip' | 'dog', out: Float32Array): boolean {
  const k = wasmKernels();
  if (k === null) return false;
  if (kernels.length !== (mode === 'dog' ? 2 : 1)) throw new Error(`correlateSeparableF32: ${mode} takes ${mode === 'dog' ? 2 : 1} kernel(s)`);
  const [X, Y, Z] = shape;
  const P = X * Y;
  if (P === 0 || Z === 0) return true;
  const sz = Math.max(...kernels.map((w) => w[2].length));
  const S = Math.min(Z, sz); // ring slots: every plane a tap can reach lies in a window of sz planes
  const sizes: number[] = [S * 4 * P, 4 * P];
  for (const [wx, wy, wz] of kernels) {
    sizes.push(8 * P, 8 * P, 8 * P, 8 * (X + wx.length + 8), 4 * 5 * Math.max(wy.length, wz.length),
      4 * wz.length, 8 * wz.length, 4 * Y * wy.length, 8 * wy.length, 4 * (X + wx.length), 8 * wx.length);
  }
  const at = k.arena(sizes);
  if (at === null) return false; // too big for a 32-bit memory: the JavaScript path
  const buf = k.bytes();
  const ring = at[0], outPlane = at[1];
  const plans = kernels.map(([wx, wy, wz], n) => {
    const [bz, by, bx, pad, taps, zp, zw, yTab, yw, xTab, xw] = at.slice(2 + 11 * n, 13 + 11 * n);
    new Float64Array(buf, zw, wz.length).set(wz);
    new Float64Array(buf, yw, wy.length).set(wy);
    new Float64Array(buf, xw, wx.length).set(wx);
    const cy = wy.length >> 1;
    const yt = new Int32Array(buf, yTab, Y * wy.length);
    for (let y = 0; y < Y; y++) yt.set(reflectedRange(y - cy, wy.length, Y), y * wy.length);
    new Int32Array(buf, xTab, X + wx.length - 1).set(reflectedRange(-(wx.length >> 1), X + wx.length - 1, X));
    const flags = (isSymmetric(wz) ? 1 : 0) | (isSymmetric(wy) ? 2 : 0) | (isSymmetric(wx) ? 4 : 0)
      | (wy.length === 1 && wy[0] === 1 ? 8 : 0) | (wx.length === 1 && wx[0] === 1 ? 16 : 0);
    return { wz, sz: wz.length, sy: wy.length, sx: wx.length, bz, by, bx, pad, taps, zp, zw, yTab, yw, xTab, xw, flags };
  });
  const slotPlane = new Int32Array(S).fill(-1);
  const planeView = (slot: number) => new Float32Array(buf, ring + slot * 4 * P, P);
  const result = new Float32Array(buf, outPlane, P);
  const e = k.exports;
  const cz = sz >> 1;
  for (let z = 0; z < Z; z++) {
    // load the planes of the window [z - cz, z - cz + sz) (inside the stack) not yet in their slot
    for (let q = Math.max(0, z - cz); q < Math.min(Z, z - cz + sz); q++) {
      const slot = q % S;
      if (slotPlane[slot] !== q) { planeView(slot).set(src.subarray(q * P, q * P + P)); slotPlane[slot] = q; }
    }
    const planes = plans.map((p) => {
      const zpv = new Int32Array(buf, p.zp, p.sz);
      const c = p.sz >> 1;
      const idx = reflectedRange(z - c, p.sz, Z);
      for (let t = 0; t < p.sz; t++) {
        if (slotPlane[idx[t] % S] !== idx[t]) throw new Error(`correlateSeparableF32: plane ${idx[t]} not in the ring at z ${z}`);
        zpv[t] = ring + (idx[t] % S) * 4 * P;
      }
      return e.separablePlane(P, X, Y, p.zp, p.zw, p.sz, p.yTab, p.yw, p.sy, p.xTab, p.xw, p.sx, p.flags, p.bz, p.by, p.bx, p.pad, p.taps);
    });
    if (mode === 'dog') e.dogStore(outPlane, planes[0], planes[1], P);
    else e.clipStore(outPlane, planes[0], P);
    out.set(result, z * P);
  }
  return true;
}
