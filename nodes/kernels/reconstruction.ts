// Grey-scale reconstruction by dilation of `seed` under `mask` (seed <= mask), 26-connected as
// ClearMap's GreyReconstruction.reconstruct (its default selem is a full 3x3x3 cube; outside the
// volume is ignored). Used for the h-maximum transform: reconstruct(img - h, img).
//
// Algorithm: Vincent 1993 "hybrid" — one raster and one anti-raster propagation pass, then a FIFO
// finishes only where values can still rise. The volume is padded by one voxel of -Infinity on every
// side, so no neighbour access needs a bounds check (padding never rises: there J = I = -Infinity).
import type { Shape3 } from '../../engine/data/volume.js';
import { neighbourhood, type Connectivity } from './neighbourhood.js';

// One extra raster/anti-raster pair before the queued pass: measured ~15% faster overall on DoG
// images (real crop and synthetic); more pairs cost more than the FIFO work they save.
const EXTRA_SCANS = 1;

export function reconstructByDilation(seed: Float32Array, mask: Float32Array, shape: Shape3, connectivity: Connectivity = 26): Float32Array {
  const [X, Y, Z] = shape;
  const N = X * Y * Z;
  if (seed.length !== N || mask.length !== N) throw new Error(`reconstruction: seed/mask length ${seed.length}/${mask.length} does not match shape [${shape.join(', ')}]`);
  for (let i = 0; i < N; i++) if (seed[i] > mask[i]) throw new Error(`reconstruction by dilation: seed (${seed[i]}) exceeds mask (${mask[i]}) at voxel ${i}`);
  const PX = X + 2, PY = Y + 2, PZ = Z + 2;
  const J = new Float32Array(PX * PY * PZ).fill(-Infinity);
  const I = new Float32Array(PX * PY * PZ).fill(-Infinity);
  for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) {
    const s = X * (y + Y * z), d = 1 + PX * (y + 1 + PY * (z + 1));
    J.set(seed.subarray(s, s + X), d);
    I.set(mask.subarray(s, s + X), d);
  }
  const nb = neighbourhood([PX, PY, PZ], connectivity);
  const before = Int32Array.from(nb.before.map((k) => nb.offsets[k]));
  const after = Int32Array.from(nb.after.map((k) => nb.offsets[k]));
  const all = nb.offsets;
  const nb2 = before.length;

  // 1. raster / anti-raster scans. Extra scan pairs before the queued pass are cheap (sequential
  // memory access) and leave far fewer voxels for the FIFO, whose access pattern is random.
  const rasterPass = () => {
    for (let z = 1; z <= Z; z++) for (let y = 1; y <= Y; y++) {
      const row = PX * (y + PY * z);
      for (let p = row + 1; p <= row + X; p++) {
        let m = J[p];
        for (let k = 0; k < nb2; k++) { const v = J[p + before[k]]; if (v > m) m = v; }
        const ip = I[p];
        J[p] = m < ip ? m : ip;
      }
    }
  };
  const antiRasterPass = () => {
    for (let z = Z; z >= 1; z--) for (let y = Y; y >= 1; y--) {
      const row = PX * (y + PY * z);
      for (let p = row + X; p >= row + 1; p--) {
        let m = J[p];
        for (let k = 0; k < na0; k++) { const v = J[p + after[k]]; if (v > m) m = v; }
        const ip = I[p];
        J[p] = m < ip ? m : ip;
      }
    }
  };
  const na0 = after.length;
  for (let pass = 0; pass < EXTRA_SCANS; pass++) { rasterPass(); antiRasterPass(); }
  rasterPass();
  // 2. anti-raster pass, queueing voxels that can still raise a later neighbour. The FIFO is a ring
  // over the padded volume with an "already queued" flag, so it never holds a voxel twice (a queued
  // voxel is processed with its latest value) and never needs to grow.
  const M = J.length;
  const ring = new Int32Array(M);
  const queued = new Uint8Array(M);
  let head = 0, tail = 0, live = 0;
  const na = after.length;
  for (let z = Z; z >= 1; z--) for (let y = Y; y >= 1; y--) {
    const row = PX * (y + PY * z);
    for (let p = row + X; p >= row + 1; p--) {
      let m = J[p];
      for (let k = 0; k < na; k++) { const v = J[p + after[k]]; if (v > m) m = v; }
      const ip = I[p];
      const jp = m < ip ? m : ip;
      J[p] = jp;
      for (let k = 0; k < na; k++) {
        const q = p + after[k];
        const jq = J[q];
        if (jq < jp && jq < I[q]) { ring[tail] = p; tail = tail + 1 === M ? 0 : tail + 1; live++; queued[p] = 1; break; }
      }
    }
  }
  // 3. FIFO propagation
  const nAll = all.length;
  while (live > 0) {
    const p = ring[head];
    head = head + 1 === M ? 0 : head + 1;
    live--;
    queued[p] = 0;
    const jp = J[p];
    for (let k = 0; k < nAll; k++) {
      const q = p + all[k];
      const jq = J[q], iq = I[q];
      if (jq < jp && iq !== jq) {
        J[q] = jp < iq ? jp : iq;
        if (!queued[q]) { queued[q] = 1; ring[tail] = q; tail = tail + 1 === M ? 0 : tail + 1; live++; }
      }
    }
  }
  const out = new Float32Array(N);
  for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) {
    const d = X * (y + Y * z), s = 1 + PX * (y + 1 + PY * (z + 1));
    out.set(J.subarray(s, s + X), d);
  }
  return out;
}

/**
 * h-maximum transform: reconstruct(img - h, img), computed in float32 like ClearMap's float32 images.
 *
 * Shortcut (exact): if the seed of the brightest voxel is still >= the image minimum m, every voxel
 * whose value is m reconstructs to m (the whole volume is one component of {img >= m} and contains
 * that seed). Those voxels are seeded with m directly; the seed stays <= the result, so the
 * reconstruction is unchanged, but the FIFO no longer floods the large flat areas of a clipped DoG.
 * (A max-tree formulation was tried: exact too, but its value-ordered random memory access made it
 * 2-3x slower than these sequential scans.)
 */
export function hMaxTransform(img: Float32Array, shape: Shape3, h: number): Float32Array {
  const seed = new Float32Array(img.length);
  const h32 = Math.fround(h); // numpy subtracts the scalar in float32
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < img.length; i++) { const v = img[i]; if (v < min) min = v; if (v > max) max = v; }
  const flatAtMin = img.length > 0 && Math.fround(max - h32) >= min;
  for (let i = 0; i < img.length; i++) {
    const v = img[i];
    seed[i] = flatAtMin && v === min ? v : v - h32;
  }
  return reconstructByDilation(seed, img, shape, 26);
}
