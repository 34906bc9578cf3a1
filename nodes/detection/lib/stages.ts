// The steps of ClearMap's detectSpots after filtering — maxima + centres, cell shape + size +
// intensities, box intensities — on a z-slab, each also deciding where its result is exact.
//
// Why this is needed: a slab's result can differ from a whole-stack run's in two non-local ways.
//  1. The h-max transform R = reconstruct(f - h, f) (26-connected): R(p) rises above what the slab
//     gives only through a path from p that leaves the slab at levels above R_slab(p). E = the
//     reconstruction of f seeded with f on the cut planes only is the highest level at which p
//     reaches a cut plane, so R(p) is exact wherever E(p) <= R_slab(p) (checked per voxel). The
//     box maximum test and the threshold are then exact wherever their box sees only exact R inside
//     the slab. A maxima component (6-connected) is exact if neither it nor its 6-neighbours touch an
//     uncertain voxel; a true component that is not exact lies inside the uncertain voxels and the
//     components touching them, and its centre (a weighted mean of its voxels) lies in a plane that
//     contains one of its voxels: every plane holding such a voxel is marked undecided for seeds.
//  2. The seeded watershed floods each 6-connected component K of {img > threshold}
//     independently (ordering ties by push age only ever compares voxels of the same component),
//     so a cell is exact when its K does not reach a cut (or an inexact plane of any image it reads)
//     and no plane of K is undecided for seeds.
// Anything undecided near a chunk's core makes the chunk task read a larger window (chunk-task.ts);
// with no cut (the whole stack) everything is decided, and results are the single-chunk ones.
import type { Range, Shape3 } from '../../../engine/data/volume.js';
import { labelComponents } from '../../../lib/kernels/label.js';
import { centresOfMass, labelSizes, reduceByLabel, type Reduction } from '../../../lib/kernels/measure.js';
import { maxFilterXY } from '../../../lib/kernels/maxima.js';
import { reconstructByDilation } from '../../../lib/kernels/reconstruction.js';
import { seededWatershed } from '../../../lib/kernels/watershed.js';
import { extendedMaximaStages } from './extended-maxima.js';

type Numbers = ArrayLike<number> & { subarray?(a: number, b: number): ArrayLike<number> };

/** A slab: global z of its plane 0 and the depth of the whole stack. */
export interface Slab { shape: Shape3; z0: number; depth: number }

/** An image over the slab with the global planes where it equals a whole-stack run. */
export interface TrustedImage { data: ArrayLike<number>; trusted: Range }

/** Planes of `r` still exact after a step needing `reach` planes of context (stack edges stay exact). */
export function shrinkRange(r: Range, reach: number, depth: number): Range {
  return [r[0] <= 0 ? 0 : r[0] + reach, r[1] >= depth ? depth : r[1] - reach];
}

/**
 * Per slab plane: 1 where results (points whose z lies in that plane) may differ from a whole-stack
 * run. Planes of the slab only; planes outside it count as undecided unless beyond the stack.
 */
export class Undecided {
  readonly flags: Uint8Array;
  constructor(readonly slab: Slab) { this.flags = new Uint8Array(slab.shape[2]); }
  /** Mark global planes outside [t0, t1) (within the slab). */
  outside(r: Range): void {
    for (let z = 0; z < this.flags.length; z++) { const g = z + this.slab.z0; if (g < r[0] || g >= r[1]) this.flags[z] = 1; }
  }
  markGlobal(z: number): void { const l = z - this.slab.z0; if (l >= 0 && l < this.flags.length) this.flags[l] = 1; }
  /** Whether global plane z is undecided (planes beyond the stack hold no points: decided). */
  isGlobal(z: number): boolean {
    if (z < 0 || z >= this.slab.depth) return false;
    const l = z - this.slab.z0;
    return l < 0 || l >= this.flags.length || this.flags[l] === 1;
  }
  /**
   * The largest range of decided planes around `core` (planes below its middle bound it from below,
   * the others from above); beyond the stack's edges counts as decided.
   */
  around(core: Range): Range {
    const { z0, depth } = this.slab;
    const Z = this.flags.length;
    const mid = Math.floor((core[0] + core[1]) / 2);
    let a = z0 <= 0 ? -Infinity : z0, b = z0 + Z >= depth ? Infinity : z0 + Z;
    for (let l = 0; l < Z; l++) {
      if (!this.flags[l]) continue;
      const g = l + z0;
      if (g < mid) a = Math.max(a, g + 1); else b = Math.min(b, g);
    }
    return [a, b];
  }
}

export interface MaximaParams { hMax: number | null; size: [number, number, number]; threshold: number | null }

export interface MaximaResult {
  /** Centres [x, y, z] (z global), ClearMap's order: raw-weighted centres of the 6-connected maxima (hMax set) or every maximum voxel. */
  centres: Float64Array;
  /** Planes where seeds of maxima not known exactly might lie. */
  undecided: Undecided;
  /** Extended maxima mask over the slab (0 outside the image's trusted planes). */
  mask: Uint8Array;
}

const sub = (a: Numbers, from: number, to: number): ArrayLike<number> => (from === 0 && to === a.length ? a : a.subarray ? a.subarray(from, to) : Array.prototype.slice.call(a, from, to));

/**
 * findExtendedMaxima + centres on the trusted planes of `img`; `candidate(i)` (slab voxel index) may
 * drop maximum voxels before the centres (detect does so without h-max: seeds outside the shape mask).
 */
export function maximaStage(img: TrustedImage & { data: Float32Array }, weights: TrustedImage, slab: Slab, p: MaximaParams, candidate?: (i: number) => boolean): MaximaResult {
  const [X, Y, Z] = slab.shape;
  const P = X * Y;
  const undecided = new Undecided(slab);
  const mask = new Uint8Array(P * Z);
  const d0 = Math.max(img.trusted[0], weights.trusted[0], slab.z0), d1 = Math.min(img.trusted[1], weights.trusted[1], slab.z0 + Z);
  undecided.outside([d0, d1]);
  if (d1 <= d0) return { centres: new Float64Array(0), undecided, mask };
  const l0 = d0 - slab.z0, l1 = d1 - slab.z0, DZ = l1 - l0;
  const shapeD: Shape3 = [X, Y, DZ];
  const imgD = img.data.subarray(l0 * P, l1 * P);
  const wD = sub(weights.data as Numbers, l0 * P, l1 * P);
  const cutLow = d0 > 0, cutHigh = d1 < slab.depth;
  const st = extendedMaximaStages(imgD, shapeD, p.hMax, p.size, p.threshold);
  let maskD = st.mask;
  if (candidate) {
    maskD = Uint8Array.from(maskD);
    for (let i = 0; i < maskD.length; i++) if (maskD[i] && !candidate(i + l0 * P)) maskD[i] = 0;
  }
  mask.set(maskD, l0 * P);

  // voxels whose mask value may differ from a whole-stack run
  let taint: Uint8Array | null = null;
  if (cutLow || cutHigh) {
    const uncertainR = new Float32Array(P * DZ);
    if (p.hMax !== null) {
      const src = st.source, R = st.transformed;
      let min = Infinity;
      for (let i = 0; i < src.length; i++) if (src[i] < min) min = src[i];
      const seed = new Float32Array(src.length).fill(min);
      if (cutLow) seed.set(src.subarray(0, P), 0);
      if (cutHigh) seed.set(src.subarray((DZ - 1) * P, DZ * P), (DZ - 1) * P);
      const escape = reconstructByDilation(seed, src, shapeD, 26);
      for (let i = 0; i < src.length; i++) if (escape[i] > R[i]) uncertainR[i] = 1;
    }
    // A voxel's mask value is certain when its value is below the threshold, or when something in its
    // box (inside the slab) already exceeds its value (R only rises with more context, and R <= f).
    // Otherwise it is uncertain if its own R is, or if it is a maximum here whose box sees an
    // uncertain R or leaves the slab through a cut.
    const [sx, sy, sz] = p.size;
    const cz = sz >> 1;
    const R = st.transformed;
    const xyU = maxFilterXY(uncertainR, shapeD, sx, sy);
    const xyR = maxFilterXY(R, shapeD, sx, sy);
    taint = new Uint8Array(P * DZ);
    const thr = p.threshold;
    for (let z = 0; z < DZ; z++) {
      const lo = z - cz, hi = z - cz + sz - 1;
      const leaves = (lo < 0 && cutLow) || (hi > DZ - 1 && cutHigh);
      const q0 = Math.max(0, lo), q1 = Math.min(DZ - 1, hi);
      for (let i = 0, o = z * P; i < P; i++) {
        const v = imgD[o + i];
        if (thr !== null && !(v >= thr)) continue;
        let boxMax = -Infinity;
        for (let q = q0; q <= q1; q++) { const r = xyR[q * P + i]; if (r > boxMax) boxMax = r; }
        if (boxMax > st.source[o + i]) continue; // R <= the (floor-raised) image it reconstructs
        if (uncertainR[o + i]) { taint[o + i] = 1; continue; }
        if (!st.mask[o + i]) continue;
        if (leaves) { taint[o + i] = 1; continue; }
        for (let q = q0; q <= q1; q++) if (xyU[q * P + i]) { taint[o + i] = 1; break; }
      }
    }
  }

  let centres: Float64Array;
  if (p.hMax !== null) {
    const { labels, count } = labelComponents(maskD, shapeD, 6); // scipy.ndimage.label's default structure
    centres = centresOfMass(wD, labels, shapeD, count, d0);
    if (taint) {
      // a component touching an uncertain voxel (or the cut) may be another one in the whole stack
      const bad = new Uint8Array(count + 1);
      for (let z = 0, q = 0; z < DZ; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++, q++) {
        const l = labels[q];
        if (!l || bad[l]) continue;
        if (taint[q] || (x > 0 && taint[q - 1]) || (x < X - 1 && taint[q + 1]) || (y > 0 && taint[q - X]) || (y < Y - 1 && taint[q + X])
          || (z > 0 ? taint[q - P] : cutLow) || (z < DZ - 1 ? taint[q + P] : cutHigh)) bad[l] = 1;
      }
      for (let z = 0; z < DZ; z++) {
        for (let q = z * P; q < (z + 1) * P; q++) if (taint[q] || bad[labels[q]]) { undecided.flags[z + l0] = 1; break; }
      }
    }
  } else {
    let n = 0;
    for (let i = 0; i < maskD.length; i++) if (maskD[i]) n++;
    centres = new Float64Array(3 * n);
    let k = 0;
    for (let i = 0; i < maskD.length; i++) {
      if (!maskD[i]) continue;
      const x = i % X, yz = (i - x) / X, y = yz % Y;
      centres[k++] = x; centres[k++] = y; centres[k++] = (yz - y) / Y + d0;
    }
    if (taint) for (let z = 0; z < DZ; z++) for (let i = z * P; i < (z + 1) * P; i++) if (taint[i]) { undecided.flags[z + l0] = 1; break; }
  }
  return { centres, undecided, mask };
}

export interface ShapeResult {
  /** Indices (into the seeds) of the cells kept (size > 0), in seed order. */
  kept: number[];
  size: Float64Array;
  /** Per intensity image: the reduction over each kept cell. */
  intensities: Float64Array[];
}

/**
 * ClearMap's detectCellShape + findCellSize + findCellIntensity: seeds (global centres) mark voxel
 * int(centre) with label i + 1 (later seeds overwrite earlier ones; a coordinate <= 0 or outside is
 * skipped, z tested globally), watershed of -flood within flood > threshold, sizes and intensities
 * per cell; cells of size 0 are removed. Marks `undecided` the planes of seeds whose cell may differ
 * from a whole-stack run (seedsUndecided: planes where the seeds themselves are not known exactly).
 */
export function shapeStage(flood: TrustedImage, slab: Slab, seeds: Float64Array, seedsUndecided: (zPlane: number) => boolean, threshold: number | null,
  images: TrustedImage[], how: Reduction, undecided: Undecided): ShapeResult {
  const [X, Y, Z] = slab.shape;
  const N = X * Y * Z;
  const n = seeds.length / 3;
  const markers = new Int32Array(N);
  for (let i = 0; i < n; i++) {
    const cx = seeds[3 * i], cy = seeds[3 * i + 1], cz = seeds[3 * i + 2];
    // strict > 0 as ClearMap (a NaN centre fails every comparison and is skipped, as in numpy)
    if (!(cx > 0 && cx < X && cy > 0 && cy < Y && cz > 0)) continue;
    const zl = Math.trunc(cz) - slab.z0;
    if (zl < 0 || zl >= Z) continue;
    markers[Math.trunc(cx) + X * (Math.trunc(cy) + Y * zl)] = i + 1;
  }
  let cellMask: Uint8Array | null = null;
  if (threshold !== null) {
    cellMask = new Uint8Array(N);
    const d = flood.data;
    for (let i = 0; i < N; i++) cellMask[i] = d[i] > threshold ? 1 : 0;
  }
  const labels = seededWatershed(flood.data, markers, cellMask, slab.shape, 6, true);
  const size = labelSizes(labels, n);
  const all = images.map((im) => reduceByLabel(im.data, labels, n, how));
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (size[i] > 0) kept.push(i);

  // which seeds' results are exact
  const whole = slab.z0 <= 0 && slab.z0 + Z >= slab.depth;
  undecided.outside(flood.trusted);
  const anySeedUndecided = (() => { for (let z = slab.z0; z < slab.z0 + Z; z++) if (seedsUndecided(z)) return true; return false; })();
  const narrowed = images.some((im) => im.trusted[0] > Math.max(0, slab.z0) || im.trusted[1] < Math.min(slab.depth, slab.z0 + Z))
    || flood.trusted[0] > Math.max(0, slab.z0) || flood.trusted[1] < Math.min(slab.depth, slab.z0 + Z);
  if (whole && !anySeedUndecided && !narrowed) return { kept, size: select(size, kept), intensities: all.map((a) => select(a, kept)) };
  for (let z = slab.z0; z < slab.z0 + Z; z++) if (seedsUndecided(z)) undecided.markGlobal(z);
  // K: components of the flood mask; exact if inside the planes where everything it reads is exact
  let okLo = flood.trusted[0] > 0 ? flood.trusted[0] + 1 : 0;
  let okHi = flood.trusted[1] < slab.depth ? flood.trusted[1] - 2 : slab.depth - 1; // last plane K may hold
  for (const im of images) { okLo = Math.max(okLo, im.trusted[0]); okHi = Math.min(okHi, im.trusted[1] - 1); }
  let comp: Int32Array, kOk: Uint8Array;
  if (cellMask) {
    const { labels: kl, count } = labelComponents(cellMask, slab.shape, 6);
    comp = kl;
    const zmin = new Int32Array(count + 1).fill(Z), zmax = new Int32Array(count + 1).fill(-1);
    const P = X * Y;
    for (let z = 0, q = 0; z < Z; z++) for (let i = 0; i < P; i++, q++) {
      const l = kl[q];
      if (!l) continue;
      if (z < zmin[l]) zmin[l] = z;
      if (z > zmax[l]) zmax[l] = z;
    }
    kOk = new Uint8Array(count + 1);
    for (let l = 1; l <= count; l++) {
      const a = zmin[l] + slab.z0, b = zmax[l] + slab.z0;
      let ok = a >= okLo && b <= okHi;
      for (let z = a; ok && z <= b; z++) if (seedsUndecided(z)) ok = false;
      kOk[l] = ok ? 1 : 0;
    }
  } else {
    // no mask: one basin over the whole slab
    comp = new Int32Array(N).fill(1);
    kOk = Uint8Array.from([0, whole && !anySeedUndecided && !narrowed ? 1 : 0]);
  }
  for (let i = 0; i < n; i++) {
    const cx = seeds[3 * i], cy = seeds[3 * i + 1], cz = seeds[3 * i + 2];
    if (!(cz >= slab.z0 && cz < slab.z0 + Z)) continue; // outside the slab: undecided there anyway
    if (!(cx > 0 && cx < X && cy > 0 && cy < Y && cz > 0)) continue; // never a cell
    const v = Math.trunc(cx) + X * (Math.trunc(cy) + Y * (Math.trunc(cz) - slab.z0));
    const l = comp[v];
    if (l ? !kOk[l] : seedsUndecided(Math.trunc(cz))) undecided.markGlobal(Math.trunc(cz));
  }
  return { kept, size: select(size, kept), intensities: all.map((a) => select(a, kept)) };
}

function select(a: Float64Array, idx: number[]): Float64Array {
  const out = new Float64Array(idx.length);
  idx.forEach((i, j) => { out[j] = a[i]; });
  return out;
}

/**
 * ClearMap's findIntensity: reduce over the box [int(c - lo), int(c + hi)) per axis, clipped to the
 * stack (lo = floor(s/2), hi = lo + 1 for odd s), or the value at int(c) when method is null. Centres
 * have global z; planes whose box leaves an image's trusted planes are marked undecided.
 */
export function boxIntensityStage(images: TrustedImage[], slab: Slab, centres: Float64Array, method: Reduction | null, size: [number, number, number], undecided: Undecided): Float64Array[] {
  const [X, Y, Z] = slab.shape;
  const n = centres.length / 3;
  const lo = size.map((s) => (s - 1) >> 1), hi = size.map((s) => ((s - 1) >> 1) + 1);
  const { z0, depth } = slab;
  for (const im of images) {
    const [t0, t1] = im.trusted;
    for (let z = z0; z < z0 + Z; z++) {
      const ok = method === null ? z >= t0 && z < t1 : (t0 <= 0 || z - lo[2] >= t0) && (t1 >= depth || z + hi[2] <= t1);
      if (!ok) undecided.markGlobal(z);
    }
  }
  return images.map(({ data: img }) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const cx = centres[3 * i], cy = centres[3 * i + 1], cz = centres[3 * i + 2];
      if (method === null) {
        const zl = Math.trunc(cz) - z0;
        out[i] = zl >= 0 && zl < Z ? img[Math.trunc(cx) + X * (Math.trunc(cy) + Y * zl)] : NaN;
        continue;
      }
      const x0 = Math.max(0, Math.trunc(cx - lo[0])), x1 = Math.min(X, Math.trunc(cx + hi[0]));
      const y0 = Math.max(0, Math.trunc(cy - lo[1])), y1 = Math.min(Y, Math.trunc(cy + hi[1]));
      const zs = Math.max(0, Math.trunc(cz - lo[2]), z0) - z0, ze = Math.min(depth, Math.trunc(cz + hi[2]), z0 + Z) - z0;
      let acc = method === 'max' ? -Infinity : method === 'min' ? Infinity : 0, cnt = 0;
      for (let z = zs; z < ze; z++) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
        const v = img[x + X * (y + Y * z)];
        cnt++;
        if (method === 'max') { if (v > acc) acc = v; } else if (method === 'min') { if (v < acc) acc = v; } else acc += v;
      }
      out[i] = method === 'mean' ? acc / cnt : acc;
    }
    return out;
  });
}
