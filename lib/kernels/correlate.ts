// Linear correlation of [x, y, z] volumes with scipy.ndimage.correlate's conventions (which ClearMap
// uses): kernel centre at floor(size / 2) per axis, boundary mode 'reflect', accumulation in double.
// Both functions stream: they hand each finished output plane (Float64) to `emit`, so callers can
// combine/convert/clip without holding a double-precision copy of the whole volume.
import type { Shape3 } from '../../engine/data/volume.js';
import { reflectIndex, reflectedRange } from './boundary.js';

export type PlaneSink = (z: number, plane: Float64Array) => void;

/** out[x] = sum_k w[k] * row[reflect(x + k - c)] for one contiguous row (row may be any offset into src). */
function correlateRow(src: ArrayLike<number>, offset: number, n: number, w: Float64Array, pad: Float64Array, out: Float64Array, outOffset: number): void {
  const s = w.length, c = s >> 1;
  // reflect-padded copy: pad[j] = row[reflect(j - c)]
  for (let j = 0; j < n + s - 1; j++) {
    const i = j - c;
    pad[j] = src[offset + (i >= 0 && i < n ? i : reflectIndex(i, n))];
  }
  if (isSymmetric(w)) {
    // fold mirrored taps: half the multiplications (Gaussians, means)
    const half = s >> 1, odd = s & 1;
    for (let x = 0; x < n; x++) {
      let acc = odd ? w[half] * pad[x + half] : 0;
      for (let k = 0; k < half; k++) acc += w[k] * (pad[x + k] + pad[x + s - 1 - k]);
      out[outOffset + x] = acc;
    }
    return;
  }
  for (let x = 0; x < n; x++) {
    let acc = 0;
    for (let k = 0; k < s; k++) acc += w[k] * pad[x + k];
    out[outOffset + x] = acc;
  }
}

function isSymmetric(w: Float64Array): boolean {
  for (let k = 0; k < w.length >> 1; k++) if (w[k] !== w[w.length - 1 - k]) return false;
  return true;
}

/** 1D weights along x, y and z of one separable kernel. */
export type SeparableWeights = [Float64Array, Float64Array, Float64Array];

/**
 * Separable correlation with one or more kernels (each given as 1D weights along x, y, z), streamed:
 * emit(z, planes) receives output plane z of every kernel, so e.g. a DoG can subtract two Gaussians
 * plane by plane. Exact equivalent of correlating with the outer-product kernel, because 'reflect'
 * extends each axis independently.
 */
export function correlateSeparable(src: ArrayLike<number>, shape: Shape3, kernels: SeparableWeights[], emit: (z: number, planes: Float64Array[]) => void): void {
  const [X, Y, Z] = shape;
  const P = X * Y;
  const bufs = kernels.map(() => ({ z: new Float64Array(P), y: new Float64Array(P), x: new Float64Array(P) }));
  const pad = new Float64Array(X + Math.max(...kernels.map((k) => k[0].length)));
  const results: Float64Array[] = new Array(kernels.length);
  for (let z = 0; z < Z; z++) {
    kernels.forEach(([wx, wy, wz], n) => {
      const b = bufs[n];
      // z pass: weighted sum of whole input planes (contiguous, vectorisable)
      const cz = wz.length >> 1;
      const zp = b.z;
      zp.fill(0);
      const zSym = isSymmetric(wz);
      for (let k = 0; k < (zSym ? (wz.length + 1) >> 1 : wz.length); k++) {
        const w = wz[k];
        if (w === 0) continue;
        const base = reflectIndex(z + k - cz, Z) * P;
        const mirror = wz.length - 1 - k;
        if (zSym && mirror !== k) { // mirrored plane with the same weight
          const base2 = reflectIndex(z + mirror - cz, Z) * P;
          for (let i = 0; i < P; i++) zp[i] += w * (src[base + i] + src[base2 + i]);
        } else {
          for (let i = 0; i < P; i++) zp[i] += w * src[base + i];
        }
      }
      // y pass: weighted sum of whole rows
      let cur = b.z;
      if (!(wy.length === 1 && wy[0] === 1)) {
        const cy = wy.length >> 1, yp = b.y;
        yp.fill(0);
        const ySym = isSymmetric(wy);
        for (let y = 0; y < Y; y++) {
          const o = y * X;
          for (let k = 0; k < (ySym ? (wy.length + 1) >> 1 : wy.length); k++) {
            const w = wy[k];
            if (w === 0) continue;
            const r = reflectIndex(y + k - cy, Y) * X;
            const mirror = wy.length - 1 - k;
            if (ySym && mirror !== k) {
              const r2 = reflectIndex(y + mirror - cy, Y) * X;
              for (let x = 0; x < X; x++) yp[o + x] += w * (cur[r + x] + cur[r2 + x]);
            } else {
              for (let x = 0; x < X; x++) yp[o + x] += w * cur[r + x];
            }
          }
        }
        cur = yp;
      }
      // x pass: per row, on a reflect-padded copy
      if (!(wx.length === 1 && wx[0] === 1)) {
        for (let y = 0; y < Y; y++) correlateRow(cur, y * X, X, wx, pad, b.x, y * X);
        cur = b.x;
      }
      results[n] = cur;
    });
    emit(z, results);
  }
}

/**
 * Correlation with a general (non-separable) 3D kernel of size [sx, sy, sz], weights x fastest.
 * Zero weights are skipped, so sparse kernels (sphere, disk) cost only their support.
 */
export function correlate3d(src: ArrayLike<number>, shape: Shape3, weights: Float64Array, ksize: Shape3, emit: PlaneSink): void {
  const [X, Y, Z] = shape;
  const [sx, sy, sz] = ksize;
  if (weights.length !== sx * sy * sz) throw new Error(`kernel has ${weights.length} weights but size [${ksize.join(', ')}]`);
  const P = X * Y;
  const acc = new Float64Array(P);
  const pad = new Float64Array(X + sx - 1);
  const cx = sx >> 1, cy = sy >> 1, cz = sz >> 1;
  const xIndex = reflectedRange(-cx, X + sx - 1, X);
  for (let z = 0; z < Z; z++) {
    acc.fill(0);
    for (let kz = 0; kz < sz; kz++) {
      const pz = reflectIndex(z + kz - cz, Z) * P;
      for (let ky = 0; ky < sy; ky++) {
        const wOff = (kz * sy + ky) * sx;
        let any = false;
        for (let kx = 0; kx < sx; kx++) if (weights[wOff + kx] !== 0) { any = true; break; }
        if (!any) continue;
        for (let y = 0; y < Y; y++) {
          const row = pz + reflectIndex(y + ky - cy, Y) * X;
          for (let j = 0; j < pad.length; j++) pad[j] = src[row + xIndex[j]];
          const o = y * X;
          for (let kx = 0; kx < sx; kx++) {
            const w = weights[wOff + kx];
            if (w === 0) continue;
            for (let x = 0; x < X; x++) acc[o + x] += w * pad[x + kx];
          }
        }
      }
    }
    emit(z, acc);
  }
}
