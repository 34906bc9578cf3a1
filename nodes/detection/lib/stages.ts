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
import { reconstructByDilation, reconstructionRise26 } from '../../../lib/kernels/reconstruction.js';
import { seededWatershed } from '../../../lib/kernels/watershed.js';
import { extendedMaximaStages } from './extended-maxima.js';

type Numbers = ArrayLike<number> & { subarray?(a: number, b: number): ArrayLike<number> };

/** Global voxels [x, y, z] (half-open ranges). */
export type Box = [Range, Range, Range];

/**
 * A slab: global z of its plane 0 and the depth of the whole stack; with x/y tiles also the global
 * x, y of its voxel 0 and the plane size (default: the slab spans whole planes).
 */
export interface Slab { shape: Shape3; z0: number; depth: number; x0?: number; y0?: number; plane?: [number, number] }

/** An image over the slab with the global planes (and, with tiles, columns and rows) where it equals a whole-stack run. */
export interface TrustedImage { data: ArrayLike<number>; trusted: Range; trustedXY?: [Range, Range] }

/** Global [x, y, z] of the slab's voxel 0. */
export const originOf = (s: Slab): [number, number, number] => [s.x0 ?? 0, s.y0 ?? 0, s.z0];
/** Size of the whole stack [x, y, z]. */
export const stackOf = (s: Slab): [number, number, number] => [s.plane?.[0] ?? (s.x0 ?? 0) + s.shape[0], s.plane?.[1] ?? (s.y0 ?? 0) + s.shape[1], s.depth];
export const slabBox = (s: Slab): Box => { const o = originOf(s); return [[o[0], o[0] + s.shape[0]], [o[1], o[1] + s.shape[1]], [o[2], o[2] + s.shape[2]]]; };
/** Where an image is exact, as a box (x/y default: the whole slab). */
export const trustedBox = (im: TrustedImage, s: Slab): Box => { const b = slabBox(s); return [im.trustedXY?.[0] ?? b[0], im.trustedXY?.[1] ?? b[1], im.trusted]; };
const meet = (a: Range, b: Range): Range => [Math.max(a[0], b[0]), Math.min(a[1], b[1])];
export const meetBox = (a: Box, b: Box): Box => [meet(a[0], b[0]), meet(a[1], b[1]), meet(a[2], b[2])];

/** Planes of `r` still exact after a step needing `reach` planes of context (stack edges stay exact). */
export function shrinkRange(r: Range, reach: number, depth: number): Range {
  return [r[0] <= 0 ? 0 : r[0] + reach, r[1] >= depth ? depth : r[1] - reach];
}

/** shrinkRange per axis of a box (stack of size `size`). */
export function shrinkBox(b: Box, reach: [number, number, number], size: [number, number, number]): Box {
  return [shrinkRange(b[0], reach[0], size[0]), shrinkRange(b[1], reach[1], size[1]), shrinkRange(b[2], reach[2], size[2])];
}

/**
 * Where results (points lying there) may differ from a whole-stack run: voxels of the slab marked
 * here, everything outside the box `inside`, and everything outside the slab (within the stack).
 */
export class Undecided {
  readonly flags: Uint8Array;
  readonly inside: Box = [[-Infinity, Infinity], [-Infinity, Infinity], [-Infinity, Infinity]];
  constructor(readonly slab: Slab) { this.flags = new Uint8Array(slab.shape[0] * slab.shape[1] * slab.shape[2]); }
  /** Everything outside global planes [t0, t1) is undecided. */
  outside(r: Range): void { this.inside[2] = meet(this.inside[2], r); }
  /** Everything outside the global box is undecided. */
  outsideBox(b: Box): void { for (let a = 0; a < 3; a++) this.inside[a] = meet(this.inside[a], b[a]); }
  /** Mark a whole global plane. */
  markGlobal(z: number): void { this.markBox([[-Infinity, Infinity], [-Infinity, Infinity], [z, z + 1]]); }
  /** Mark a global box (clipped to the slab). */
  markBox(b: Box): void {
    const [X, Y, Z] = this.slab.shape;
    const o = originOf(this.slab);
    const x0 = Math.max(0, b[0][0] - o[0]), x1 = Math.min(X, b[0][1] - o[0]);
    const y0 = Math.max(0, b[1][0] - o[1]), y1 = Math.min(Y, b[1][1] - o[1]);
    const z0 = Math.max(0, b[2][0] - o[2]), z1 = Math.min(Z, b[2][1] - o[2]);
    if (x1 <= x0) return;
    for (let z = z0; z < z1; z++) for (let y = y0; y < y1; y++) this.flags.fill(1, x0 + X * (y + Y * z), x1 + X * (y + Y * z));
  }
  /** Mark a slab voxel by its local index. */
  markLocal(i: number): void { this.flags[i] = 1; }
  /** Add another set of the same slab. */
  merge(o: Undecided): void {
    this.outsideBox(o.inside);
    for (let i = 0; i < this.flags.length; i++) if (o.flags[i]) this.flags[i] = 1;
  }
  /** Whether global voxel (x, y, z) (integers) is undecided; beyond the stack nothing is. */
  has(x: number, y: number, z: number): boolean {
    const size = stackOf(this.slab), o = originOf(this.slab), [X, Y, Z] = this.slab.shape;
    const g = [x, y, z];
    for (let a = 0; a < 3; a++) if (g[a] < 0 || g[a] >= size[a]) return false;
    for (let a = 0; a < 3; a++) if (g[a] < this.inside[a][0] || g[a] >= this.inside[a][1]) return true;
    const lx = x - o[0], ly = y - o[1], lz = z - o[2];
    if (lx < 0 || lx >= X || ly < 0 || ly >= Y || lz < 0 || lz >= Z) return true;
    return this.flags[lx + X * (ly + Y * lz)] === 1;
  }
  /** Whether any voxel of global plane z is undecided (planes beyond the stack hold no points: decided). */
  isGlobal(z: number): boolean {
    const [X, Y] = this.slab.shape, P = X * Y;
    if (z < 0 || z >= this.slab.depth) return false;
    const b = slabBox(this.slab);
    if (z < b[2][0] || z >= b[2][1] || z < this.inside[2][0] || z >= this.inside[2][1]) return true;
    if (this.inside[0][0] > b[0][0] || this.inside[0][1] < b[0][1] || this.inside[1][0] > b[1][0] || this.inside[1][1] < b[1][1]) return true;
    const l = z - b[2][0];
    for (let i = l * P; i < (l + 1) * P; i++) if (this.flags[i]) return true;
    return false;
  }
  /** Whether nothing in the slab is undecided. */
  none(): boolean {
    const b = slabBox(this.slab), size = stackOf(this.slab);
    for (let a = 0; a < 3; a++) {
      if (this.inside[a][0] > Math.max(0, b[a][0]) || this.inside[a][1] < Math.min(size[a], b[a][1])) return false;
    }
    for (let i = 0; i < this.flags.length; i++) if (this.flags[i]) return false;
    return true;
  }
  /**
   * Boxes (global, within `core` and the stack) holding every undecided voxel of `core`: the parts of
   * the core outside the slab or `inside`, and the bounding box of each 26-connected group of marked
   * voxels. Points lying outside all of them are exact; the chunk task recomputes only these boxes
   * (small windows around them) instead of the whole chunk on a larger window.
   */
  boxesIn(core: Box): Box[] {
    const size = stackOf(this.slab), sb = slabBox(this.slab);
    const c = [0, 1, 2].map((a) => [Math.max(0, core[a][0]), Math.min(size[a], core[a][1])]) as Box;
    if (c.some((r) => r[1] <= r[0])) return [];
    const out: Box[] = [];
    // where marks are meaningful: the slab within `inside` (at the stack's edges the slab's bounds are no cut)
    const d = [0, 1, 2].map((a) => meet(this.inside[a], [sb[a][0] <= 0 ? -Infinity : sb[a][0], sb[a][1] >= size[a] ? Infinity : sb[a][1]])) as Box;
    for (let a = 0; a < 3; a++) {
      const part = (r: Range): Box => c.map((cr, b) => (b === a ? r : cr)) as Box;
      if (d[a][0] > c[a][0]) out.push(part([c[a][0], Math.min(c[a][1], d[a][0])]));
      if (d[a][1] < c[a][1]) out.push(part([Math.max(c[a][0], d[a][1]), c[a][1]]));
    }
    const r = meetBox(c, d);
    if (r.some((x) => x[1] <= x[0])) return out;
    const [X, Y] = this.slab.shape, o = originOf(this.slab);
    const lo = [0, 1, 2].map((a) => r[a][0] - o[a]), hi = [0, 1, 2].map((a) => r[a][1] - o[a]);
    const f = this.flags;
    let seen: Uint8Array | null = null; // over the slab, allocated at the first marked voxel of the core
    const stack: number[] = [];
    for (let z = lo[2]; z < hi[2]; z++) for (let y = lo[1]; y < hi[1]; y++) {
      const row = X * (y + Y * z);
      for (let x = lo[0]; x < hi[0]; x++) {
        if (!f[row + x] || seen?.[row + x]) continue;
        seen ??= new Uint8Array(f.length);
        const b = [x, x, y, y, z, z];
        seen[row + x] = 1;
        stack.push(row + x);
        while (stack.length) {
          const q = stack.pop()!;
          const qx = q % X, qyz = (q - qx) / X, qy = qyz % Y, qz = (qyz - qy) / Y;
          if (qx < b[0]) b[0] = qx; if (qx > b[1]) b[1] = qx;
          if (qy < b[2]) b[2] = qy; if (qy > b[3]) b[3] = qy;
          if (qz < b[4]) b[4] = qz; if (qz > b[5]) b[5] = qz;
          for (let dz = -1; dz <= 1; dz++) {
            const nz = qz + dz;
            if (nz < lo[2] || nz >= hi[2]) continue;
            for (let dy = -1; dy <= 1; dy++) {
              const ny = qy + dy;
              if (ny < lo[1] || ny >= hi[1]) continue;
              for (let dx = -1; dx <= 1; dx++) {
                const nx = qx + dx;
                if (nx < lo[0] || nx >= hi[0]) continue;
                const n = nx + X * (ny + Y * nz);
                if (f[n] && !seen[n]) { seen[n] = 1; stack.push(n); }
              }
            }
          }
        }
        out.push([[b[0] + o[0], b[1] + 1 + o[0]], [b[2] + o[1], b[3] + 1 + o[1]], [b[4] + o[2], b[5] + 1 + o[2]]]);
      }
    }
    return out;
  }
  /** The z range of decidedBox (whole-plane slabs). */
  around(core: Range): Range {
    const b = slabBox(this.slab);
    return this.decidedBox([b[0], b[1], core])[2];
  }
  /**
   * A box around `core` where everything is decided: the slab (unbounded where it reaches the stack's
   * edges) within `inside`, cut at each undecided voxel of the core on the side of the slab's nearest
   * cut (the side whose window must grow). The chunk task grows the window where it misses the core.
   */
  decidedBox(core: Box): Box {
    const [X, Y, Z] = this.slab.shape;
    const o = originOf(this.slab), size = stackOf(this.slab), ext = [X, Y, Z];
    const d = [0, 1, 2].map((a) => [o[a] <= 0 ? -Infinity : o[a], o[a] + ext[a] >= size[a] ? Infinity : o[a] + ext[a]]) as Box;
    for (let a = 0; a < 3; a++) {
      const lo = this.inside[a][0] <= 0 ? -Infinity : this.inside[a][0], hi = this.inside[a][1] >= size[a] ? Infinity : this.inside[a][1];
      d[a] = meet(d[a], [lo, hi]);
    }
    const cutLow = [0, 1, 2].map((a) => o[a] > 0), cutHigh = [0, 1, 2].map((a) => o[a] + ext[a] < size[a]);
    const l0 = [0, 1, 2].map((a) => Math.max(0, core[a][0] - o[a])), l1 = [0, 1, 2].map((a) => Math.min(ext[a], core[a][1] - o[a]));
    const g = [0, 0, 0];
    for (let z = l0[2]; z < l1[2]; z++) for (let y = l0[1]; y < l1[1]; y++) {
      const row = X * (y + Y * z);
      for (let x = l0[0]; x < l1[0]; x++) {
        if (!this.flags[row + x]) continue;
        g[0] = x + o[0]; g[1] = y + o[1]; g[2] = z + o[2];
        const l = [x, y, z];
        let best = -1, side = 0, dist = Infinity;
        for (let a = 0; a < 3; a++) {
          if (cutLow[a] && l[a] < dist) { dist = l[a]; best = a; side = 0; }
          if (cutHigh[a] && ext[a] - 1 - l[a] < dist) { dist = ext[a] - 1 - l[a]; best = a; side = 1; }
        }
        if (best < 0) { best = 2; side = 0; } // no cut: cannot happen for a kernel that decides correctly
        if (side === 0) d[best][0] = Math.max(d[best][0], g[best] + 1); else d[best][1] = Math.min(d[best][1], g[best]);
      }
    }
    return d;
  }
}

export interface MaximaParams { hMax: number | null; size: [number, number, number]; threshold: number | null }

export interface MaximaResult {
  /** Centres [x, y, z] (global), ClearMap's order: raw-weighted centres of the 6-connected maxima (hMax set) or every maximum voxel. */
  centres: Float64Array;
  /** Where seeds of maxima not known exactly might lie. */
  undecided: Undecided;
  /** Extended maxima mask over the slab (0 outside the image's trusted box). */
  mask: Uint8Array;
}

const sub = (a: Numbers, from: number, to: number): ArrayLike<number> => (from === 0 && to === a.length ? a : a.subarray ? a.subarray(from, to) : Array.prototype.slice.call(a, from, to));

/** The voxels of local box [x0, x0 + W) x [y0, y0 + H) x [z0, z0 + D) of a slab of shape [X, Y, ...], copied. */
function crop<T extends Float32Array | Float64Array>(src: ArrayLike<number>, X: number, Y: number, lo: number[], ext: number[], out: T): T {
  const [W, H, D] = ext;
  for (let z = 0; z < D; z++) for (let y = 0; y < H; y++) {
    const from = lo[0] + X * (lo[1] + y + Y * (lo[2] + z)), to = W * (y + H * z);
    for (let x = 0; x < W; x++) out[to + x] = src[from + x];
  }
  return out;
}

/**
 * findExtendedMaxima + centres on the trusted box of `img`; `candidate(i)` (slab voxel index) may
 * drop maximum voxels before the centres (detect does so without h-max: seeds outside the shape mask).
 * Cuts are the faces of that box inside the stack (z planes; with x/y tiles also columns and rows).
 */
export function maximaStage(img: TrustedImage & { data: Float32Array }, weights: TrustedImage, slab: Slab, p: MaximaParams, candidate?: (i: number) => boolean): MaximaResult {
  const [X, Y, Z] = slab.shape;
  const P = X * Y;
  const o = originOf(slab), size = stackOf(slab);
  const undecided = new Undecided(slab);
  const mask = new Uint8Array(P * Z);
  const D = meetBox(meetBox(trustedBox(img, slab), trustedBox(weights, slab)), slabBox(slab));
  undecided.outsideBox(D);
  if (D.some((r) => r[1] <= r[0])) return { centres: new Float64Array(0), undecided, mask };
  const lo = [0, 1, 2].map((a) => D[a][0] - o[a]), ext = D.map((r) => r[1] - r[0]);
  const [DX, DY, DZ] = ext;
  const PD = DX * DY;
  const shapeD: Shape3 = [DX, DY, DZ];
  const full = DX === X && DY === Y;
  const l0 = lo[2];
  const imgD = full ? img.data.subarray(l0 * P, (l0 + DZ) * P) : crop(img.data, X, Y, lo, ext, new Float32Array(PD * DZ));
  const wD = full ? sub(weights.data as Numbers, l0 * P, (l0 + DZ) * P) : crop(weights.data, X, Y, lo, ext, new Float64Array(PD * DZ));
  const toSlab = full ? (i: number) => i + l0 * P : (i: number) => {
    const x = i % DX, yz = (i - x) / DX, y = yz % DY, z = (yz - y) / DY;
    return x + lo[0] + X * (y + lo[1] + Y * (z + lo[2]));
  };
  const cutLow = D.map((r) => r[0] > 0), cutHigh = D.map((r, a) => r[1] < size[a]);
  const anyCut = cutLow.some(Boolean) || cutHigh.some(Boolean);
  const st = extendedMaximaStages(imgD, shapeD, p.hMax, p.size, p.threshold);
  let maskD = st.mask;
  if (candidate) {
    maskD = Uint8Array.from(maskD);
    for (let i = 0; i < maskD.length; i++) if (maskD[i] && !candidate(toSlab(i))) maskD[i] = 0;
  }
  if (full) mask.set(maskD, l0 * P);
  else for (let i = 0; i < maskD.length; i++) if (maskD[i]) mask[toSlab(i)] = 1;

  // voxels whose mask value may differ from a whole-stack run
  let taint: Uint8Array | null = null;
  if (anyCut) {
    const uncertainR = new Uint8Array(PD * DZ);
    // R+ = max(R, E) where it exceeds R (an upper bound of the whole-stack R there); null: not known
    let risen: Map<number, number> | null = null;
    if (p.hMax !== null) {
      // R(p) is exact where the highest level at which p reaches a cut face (E(p), the reconstruction
      // of f seeded with f on the cut faces) is not above R(p). max(R, E) is R raised from the cut
      // faces, which visits only the voxels where E > R (uncertainR marks them).
      const src = st.source, R = st.transformed;
      let min = Infinity, max = -Infinity, nan = false;
      for (let i = 0; i < src.length; i++) { const v = src[i]; if (v < min) min = v; if (v > max) max = v; if (v !== v) nan = true; }
      if (nan) escapeByReconstruction(src, R, shapeD, cutLow, cutHigh, min, uncertainR);
      else {
        const faces: number[] = [];
        for (let z = 0; z < DZ; z++) for (let y = 0; y < DY; y++) {
          const row = z * PD + y * DX;
          if ((z === 0 && cutLow[2]) || (z === DZ - 1 && cutHigh[2]) || (y === 0 && cutLow[1]) || (y === DY - 1 && cutHigh[1])) { for (let x = 0; x < DX; x++) faces.push(row + x); continue; }
          if (cutLow[0]) faces.push(row);
          if (cutHigh[0]) faces.push(row + DX - 1);
        }
        risen = reconstructionRise26(R, src, shapeD, faces, uncertainR, [min, max]);
      }
    }
    // A voxel's mask value (R is the maximum of its box, and f >= threshold) may differ from a
    // whole-stack run's only where R may: the whole-stack R' satisfies R <= R' <= R+ = max(R, E), and
    // R'(p) >= min(R'(q), c(p, q)) for c(p, q) the level of any path between them (the lowest f on it).
    //  - below the threshold, or with a box voxel whose R already exceeds f(p) (>= R'(p)): certain;
    //  - a box reaching beyond a cut: uncertain (voxels not seen);
    //  - not a maximum here: certain if a box voxel's R exceeds R+(p), as it stays above p;
    //  - a maximum here: certain if every box voxel q that may rise above R(p) (R+(q) > R(p)) is joined
    //    to p inside the box at a level >= R+(q): then R'(p) >= R'(q). Without escape levels (risen
    //    null: NaN in the image) any uncertain R in the box makes it uncertain.
    // Only voxels that are uncertain or maxima need their box scanned (not a whole-window max filter).
    const [sx, sy, sz] = p.size;
    const cx = sx >> 1, cy = sy >> 1, cz = sz >> 1;
    const R = st.transformed, src = st.source, isMax = st.mask;
    const hi = (q: number) => (uncertainR[q] ? risen?.get(q) ?? Infinity : R[q]);
    const leavesX = new Uint8Array(DX), leavesY = new Uint8Array(DY);
    for (let x = 0; x < DX; x++) leavesX[x] = (x - cx < 0 && cutLow[0]) || (x - cx + sx - 1 > DX - 1 && cutHigh[0]) ? 1 : 0;
    for (let y = 0; y < DY; y++) leavesY[y] = (y - cy < 0 && cutLow[1]) || (y - cy + sy - 1 > DY - 1 && cutHigh[1]) ? 1 : 0;
    taint = new Uint8Array(PD * DZ);
    const thr = p.threshold;
    const level = new Float32Array(sx * sy * sz); // widest-path levels from p inside its box
    for (let z = 0; z < DZ; z++) {
      const zlo = z - cz, zhi = z - cz + sz - 1;
      const leavesZ = (zlo < 0 && cutLow[2]) || (zhi > DZ - 1 && cutHigh[2]);
      const q0 = Math.max(0, zlo), q1 = Math.min(DZ - 1, zhi);
      for (let y = 0, i = 0, o2 = z * PD; y < DY; y++) {
        const y0 = Math.max(0, y - cy), y1 = Math.min(DY - 1, y - cy + sy - 1);
        for (let x = 0; x < DX; x++, i++) {
          const at = o2 + i;
          const v = imgD[at];
          if (thr !== null && !(v >= thr)) continue;
          const u = uncertainR[at];
          if (!u && !isMax[at]) continue; // R exact and below a box voxel's: stays below it
          const x0 = Math.max(0, x - cx), x1 = Math.min(DX - 1, x - cx + sx - 1);
          let boxMax = -Infinity, rising = 0;
          for (let q = q0; q <= q1; q++) for (let yy = y0; yy <= y1; yy++) {
            const row = q * PD + yy * DX;
            for (let xx = x0; xx <= x1; xx++) { const r = R[row + xx]; if (r > boxMax) boxMax = r; rising |= uncertainR[row + xx]; }
          }
          if (boxMax > src[at]) continue; // R <= the (floor-raised) image it reconstructs
          if (leavesZ || leavesX[x] || leavesY[y]) { taint[at] = 1; continue; }
          if (!isMax[at]) { if (!(boxMax > hi(at))) taint[at] = 1; continue; }
          if (!rising) continue;
          if (!risen) { taint[at] = 1; continue; }
          // a maximum with box voxels that may rise: each one above R(p) must join p high enough
          const Rp = R[at];
          let joined = false, ok = true;
          for (let q = q0; q <= q1 && ok; q++) for (let yy = y0; yy <= y1 && ok; yy++) {
            const row = q * PD + yy * DX;
            for (let xx = x0; xx <= x1; xx++) {
              const g = row + xx;
              if (g === at || !uncertainR[g]) continue;
              const h = hi(g);
              if (!(h > Rp)) continue;
              if (!joined) { widestInBox(src, DX, PD, x0, x1, y0, y1, q0, q1, x, y, z, level); joined = true; }
              if (!(level[xx - x0 + (x1 - x0 + 1) * (yy - y0 + (y1 - y0 + 1) * (q - q0))] >= h)) { ok = false; break; }
            }
          }
          if (!ok) taint[at] = 1;
        }
      }
    }
  }

  let centres: Float64Array;
  if (p.hMax !== null) {
    const { labels, count } = labelComponents(maskD, shapeD, 6); // scipy.ndimage.label's default structure
    centres = centresOfMass(wD, labels, shapeD, count, [D[0][0], D[1][0], D[2][0]]);
    if (taint) {
      // a component touching an uncertain voxel (or a cut) may be another one in the whole stack
      const bad = new Uint8Array(count + 1);
      for (let z = 0, q = 0; z < DZ; z++) for (let y = 0; y < DY; y++) for (let x = 0; x < DX; x++, q++) {
        const l = labels[q];
        if (!l || bad[l]) continue;
        if (taint[q] || (x > 0 ? taint[q - 1] : cutLow[0]) || (x < DX - 1 ? taint[q + 1] : cutHigh[0]) || (y > 0 ? taint[q - DX] : cutLow[1]) || (y < DY - 1 ? taint[q + DX] : cutHigh[1])
          || (z > 0 ? taint[q - PD] : cutLow[2]) || (z < DZ - 1 ? taint[q + PD] : cutHigh[2])) bad[l] = 1;
      }
      // A true component that is not exact lies inside U = the uncertain voxels and the components
      // touching them, so inside one 6-connected component of U; its centre (a weighted mean of its
      // voxels) lies in that component's bounding box, or, when the component reaches a cut, in the
      // band between that cut and the component's far side (the rest of it lies beyond the cut).
      const U = taint;
      for (let q = 0; q < U.length; q++) if (labels[q] && bad[labels[q]]) U[q] = 1;
      markUncertain(U, shapeD, D, cutLow, cutHigh, undecided);
    }
  } else {
    let n = 0;
    for (let i = 0; i < maskD.length; i++) if (maskD[i]) n++;
    centres = new Float64Array(3 * n);
    let k = 0;
    for (let i = 0; i < maskD.length; i++) {
      if (!maskD[i]) continue;
      const x = i % DX, yz = (i - x) / DX, y = yz % DY;
      centres[k++] = x + D[0][0]; centres[k++] = y + D[1][0]; centres[k++] = (yz - y) / DY + D[2][0];
    }
    // every centre is a maximum voxel: undecided exactly where the mask is uncertain
    if (taint) for (let i = 0; i < taint.length; i++) if (taint[i]) undecided.markLocal(toSlab(i));
  }
  return { centres, undecided, mask };
}

/**
 * level[k] = the highest level at which voxel (x, y, z) joins box voxel k by a 26-connected path inside
 * the box [x0, x1] x [y0, y1] x [z0, z1] (the lowest src on the path, both ends included; -Infinity if
 * none). Sweeps forward and back until nothing rises (the maxima box: a few dozen voxels).
 */
function widestInBox(src: Float32Array, DX: number, PD: number, x0: number, x1: number, y0: number, y1: number, z0: number, z1: number, x: number, y: number, z: number, level: Float32Array): void {
  const W = x1 - x0 + 1, H = y1 - y0 + 1, D = z1 - z0 + 1, WH = W * H, n = WH * D;
  level.fill(-Infinity, 0, n);
  level[x - x0 + W * (y - y0 + H * (z - z0))] = src[x + DX * y + PD * z];
  for (let changed = true, pass = 0; changed; pass++) {
    changed = false;
    for (let k0 = 0; k0 < n; k0++) {
      const k = pass & 1 ? n - 1 - k0 : k0;
      const lx = k % W, lyz = (k - lx) / W, ly = lyz % H, lz = (lyz - ly) / H;
      let best = -Infinity;
      for (let dz = lz > 0 ? -1 : 0; dz <= (lz < D - 1 ? 1 : 0); dz++) for (let dy = ly > 0 ? -1 : 0; dy <= (ly < H - 1 ? 1 : 0); dy++) {
        const r = k + dz * WH + dy * W;
        for (let dx = lx > 0 ? -1 : 0; dx <= (lx < W - 1 ? 1 : 0); dx++) if (level[r + dx] > best) best = level[r + dx];
      }
      const f = src[x0 + lx + DX * (y0 + ly) + PD * (z0 + lz)];
      const v = best < f ? best : f;
      if (v > level[k]) { level[k] = v; changed = true; }
    }
  }
}

/** uncertainR where the escape level E (reconstruction of src seeded with src on the cut faces) exceeds R: the full reconstruction, for images holding NaN. */
function escapeByReconstruction(src: Float32Array, R: Float32Array, shapeD: Shape3, cutLow: boolean[], cutHigh: boolean[], min: number, uncertainR: Uint8Array): void {
  const [DX, DY, DZ] = shapeD, PD = DX * DY;
  const seed = new Float32Array(src.length).fill(min);
  if (cutLow[2]) seed.set(src.subarray(0, PD), 0);
  if (cutHigh[2]) seed.set(src.subarray((DZ - 1) * PD, DZ * PD), (DZ - 1) * PD);
  if (cutLow[1] || cutHigh[1]) for (let z = 0; z < DZ; z++) {
    if (cutLow[1]) { const a = z * PD; seed.set(src.subarray(a, a + DX), a); }
    if (cutHigh[1]) { const a = z * PD + (DY - 1) * DX; seed.set(src.subarray(a, a + DX), a); }
  }
  if (cutLow[0] || cutHigh[0]) for (let r = 0; r < DY * DZ; r++) {
    if (cutLow[0]) seed[r * DX] = src[r * DX];
    if (cutHigh[0]) seed[r * DX + DX - 1] = src[r * DX + DX - 1];
  }
  const escape = reconstructByDilation(seed, src, shapeD, 26);
  for (let i = 0; i < src.length; i++) if (escape[i] > R[i]) uncertainR[i] = 1;
}

/** Mark the bounding boxes of U's components, and for those touching a cut the band from the cut to their far side. */
function markUncertain(U: Uint8Array, shapeD: Shape3, D: Box, cutLow: boolean[], cutHigh: boolean[], undecided: Undecided): void {
  const [DX, DY, DZ] = shapeD;
  const { labels, count } = labelComponents(U, shapeD, 6);
  if (!count) return;
  const bb = new Int32Array(6 * (count + 1));
  for (let l = 1; l <= count; l++) { bb[6 * l] = bb[6 * l + 2] = bb[6 * l + 4] = 1 << 30; bb[6 * l + 1] = bb[6 * l + 3] = bb[6 * l + 5] = -1; }
  for (let z = 0, q = 0; z < DZ; z++) for (let y = 0; y < DY; y++) for (let x = 0; x < DX; x++, q++) {
    const l = labels[q];
    if (!l) continue;
    const b = 6 * l;
    if (x < bb[b]) bb[b] = x; if (x > bb[b + 1]) bb[b + 1] = x;
    if (y < bb[b + 2]) bb[b + 2] = y; if (y > bb[b + 3]) bb[b + 3] = y;
    if (z < bb[b + 4]) bb[b + 4] = z; if (z > bb[b + 5]) bb[b + 5] = z;
  }
  const band = [0, 0, 0, 0, 0, 0]; // per axis: depth of the band at the low and the high cut
  const ext = [DX, DY, DZ];
  const all: Range = [-Infinity, Infinity];
  for (let l = 1; l <= count; l++) {
    const b = 6 * l;
    undecided.markBox([[bb[b] + D[0][0], bb[b + 1] + 1 + D[0][0]], [bb[b + 2] + D[1][0], bb[b + 3] + 1 + D[1][0]], [bb[b + 4] + D[2][0], bb[b + 5] + 1 + D[2][0]]]);
    for (let a = 0; a < 3; a++) {
      if (cutLow[a] && bb[b + 2 * a] === 0) band[2 * a] = Math.max(band[2 * a], bb[b + 2 * a + 1] + 1);
      if (cutHigh[a] && bb[b + 2 * a + 1] === ext[a] - 1) band[2 * a + 1] = Math.max(band[2 * a + 1], ext[a] - bb[b + 2 * a]);
    }
  }
  for (let a = 0; a < 3; a++) {
    const box = (r: Range): Box => [a === 0 ? r : all, a === 1 ? r : all, a === 2 ? r : all];
    if (band[2 * a]) undecided.markBox(box([D[a][0], D[a][0] + band[2 * a]]));
    if (band[2 * a + 1]) undecided.markBox(box([D[a][1] - band[2 * a + 1], D[a][1]]));
  }
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
 * int(centre) with label i + 1 (later seeds overwrite earlier ones; a coordinate <= 0 or outside the
 * stack is skipped), watershed of -flood within flood > threshold, sizes and intensities per cell;
 * cells of size 0 are removed. Marks `undecided` where cells may differ from a whole-stack run
 * (seedsUndecided: where the seeds themselves are not known exactly).
 */
export function shapeStage(flood: TrustedImage, slab: Slab, seeds: Float64Array, seedsUndecided: Undecided, threshold: number | null,
  images: TrustedImage[], how: Reduction, undecided: Undecided): ShapeResult {
  const [X, Y, Z] = slab.shape;
  const N = X * Y * Z;
  const n = seeds.length / 3;
  const o = originOf(slab), size = stackOf(slab);
  const [SX, SY] = size;
  /** Local voxel index of a seed, or -1 (never a cell, or outside the slab). */
  const voxelOf = (i: number): number => {
    const cx = seeds[3 * i], cy = seeds[3 * i + 1], cz = seeds[3 * i + 2];
    // strict > 0 as ClearMap (a NaN centre fails every comparison and is skipped, as in numpy)
    if (!(cx > 0 && cx < SX && cy > 0 && cy < SY && cz > 0)) return -1;
    const xl = Math.trunc(cx) - o[0], yl = Math.trunc(cy) - o[1], zl = Math.trunc(cz) - o[2];
    if (xl < 0 || xl >= X || yl < 0 || yl >= Y || zl < 0 || zl >= Z) return -1;
    return xl + X * (yl + Y * zl);
  };
  const markers = new Int32Array(N);
  for (let i = 0; i < n; i++) { const v = voxelOf(i); if (v >= 0) markers[v] = i + 1; }
  let cellMask: Uint8Array | null = null;
  if (threshold !== null) {
    cellMask = new Uint8Array(N);
    const d = flood.data;
    for (let i = 0; i < N; i++) cellMask[i] = d[i] > threshold ? 1 : 0;
  }
  const labels = seededWatershed(flood.data, markers, cellMask, slab.shape, 6, true);
  const cellSize = labelSizes(labels, n);
  const all = images.map((im) => reduceByLabel(im.data, labels, n, how));
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (cellSize[i] > 0) kept.push(i);

  // which seeds' results are exact
  const sb = slabBox(slab);
  const whole = [0, 1, 2].every((a) => sb[a][0] <= 0 && sb[a][1] >= size[a]);
  const floodBox = trustedBox(flood, slab);
  undecided.outsideBox(floodBox);
  const anySeedUndecided = !seedsUndecided.none();
  const narrowedBox = (b: Box) => [0, 1, 2].some((a) => b[a][0] > Math.max(0, sb[a][0]) || b[a][1] < Math.min(size[a], sb[a][1]));
  const narrowed = images.some((im) => narrowedBox(trustedBox(im, slab))) || narrowedBox(floodBox);
  if (whole && !anySeedUndecided && !narrowed) return { kept, size: select(cellSize, kept), intensities: all.map((a) => select(a, kept)) };
  undecided.merge(seedsUndecided);
  // K: components of the flood mask; exact if inside the box where everything it reads is exact
  // (not touching the flood's inexact border, which may connect it to more) and holding no voxel
  // where a seed may be missing, extra or elsewhere
  const okLo = [0, 1, 2].map((a) => (floodBox[a][0] > 0 ? floodBox[a][0] + 1 : 0));
  const okHi = [0, 1, 2].map((a) => (floodBox[a][1] < size[a] ? floodBox[a][1] - 2 : size[a] - 1)); // last voxel K may hold
  for (const im of images) {
    const b = trustedBox(im, slab);
    for (let a = 0; a < 3; a++) { okLo[a] = Math.max(okLo[a], b[a][0]); okHi[a] = Math.min(okHi[a], b[a][1] - 1); }
  }
  let comp: Int32Array, kOk: Uint8Array;
  const seedFlags = seedsUndecided.flags, seedIn = seedsUndecided.inside;
  const seedOut = (x: number, y: number, z: number) => x < seedIn[0][0] || x >= seedIn[0][1] || y < seedIn[1][0] || y >= seedIn[1][1] || z < seedIn[2][0] || z >= seedIn[2][1];
  if (cellMask) {
    const { labels: kl, count } = labelComponents(cellMask, slab.shape, 6);
    comp = kl;
    const lo = new Int32Array(3 * (count + 1)).fill(1 << 30), hi = new Int32Array(3 * (count + 1)).fill(-(1 << 30));
    kOk = new Uint8Array(count + 1).fill(1);
    kOk[0] = 0;
    for (let z = 0, q = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++, q++) {
      const l = kl[q];
      if (!l) continue;
      const gx = x + o[0], gy = y + o[1], gz = z + o[2];
      if (gx < lo[3 * l]) lo[3 * l] = gx; if (gx > hi[3 * l]) hi[3 * l] = gx;
      if (gy < lo[3 * l + 1]) lo[3 * l + 1] = gy; if (gy > hi[3 * l + 1]) hi[3 * l + 1] = gy;
      if (gz < lo[3 * l + 2]) lo[3 * l + 2] = gz; if (gz > hi[3 * l + 2]) hi[3 * l + 2] = gz;
      if (kOk[l] && (seedFlags[q] || seedOut(gx, gy, gz))) kOk[l] = 0;
    }
    for (let l = 1; l <= count; l++) {
      for (let a = 0; a < 3; a++) if (lo[3 * l + a] < okLo[a] || hi[3 * l + a] > okHi[a]) kOk[l] = 0;
    }
  } else {
    // no mask: one basin over the whole slab
    comp = new Int32Array(N).fill(1);
    kOk = Uint8Array.from([0, whole && !anySeedUndecided && !narrowed ? 1 : 0]);
  }
  for (let i = 0; i < n; i++) {
    const v = voxelOf(i); // outside the slab: undecided there anyway
    if (v < 0) continue;
    const l = comp[v];
    if (l ? !kOk[l] : seedFlags[v] || seedOut(Math.trunc(seeds[3 * i]), Math.trunc(seeds[3 * i + 1]), Math.trunc(seeds[3 * i + 2]))) undecided.markLocal(v);
  }
  return { kept, size: select(cellSize, kept), intensities: all.map((a) => select(a, kept)) };
}

function select(a: Float64Array, idx: number[]): Float64Array {
  const out = new Float64Array(idx.length);
  idx.forEach((i, j) => { out[j] = a[i]; });
  return out;
}

/**
 * ClearMap's findIntensity: reduce over the box [int(c - lo), int(c + hi)) per axis, clipped to the
 * stack (lo = floor(s/2), hi = lo + 1 for odd s), or the value at int(c) when method is null. Centres
 * are global; where a box leaves an image's trusted box is marked undecided.
 */
export function boxIntensityStage(images: TrustedImage[], slab: Slab, centres: Float64Array, method: Reduction | null, size: [number, number, number], undecided: Undecided): Float64Array[] {
  const [X, Y, Z] = slab.shape;
  const n = centres.length / 3;
  const lo = size.map((s) => (s - 1) >> 1), hi = size.map((s) => ((s - 1) >> 1) + 1);
  const o = originOf(slab), stack = stackOf(slab), sb = slabBox(slab);
  const all: Range = [-Infinity, Infinity];
  for (const im of images) {
    const t = trustedBox(im, slab);
    for (let a = 0; a < 3; a++) {
      const [t0, t1] = t[a];
      for (let c = sb[a][0]; c < sb[a][1]; c++) {
        const ok = method === null ? c >= t0 && c < t1 : (t0 <= 0 || c - lo[a] >= t0) && (t1 >= stack[a] || c + hi[a] <= t1);
        if (!ok) undecided.markBox([a === 0 ? [c, c + 1] : all, a === 1 ? [c, c + 1] : all, a === 2 ? [c, c + 1] : all]);
      }
    }
  }
  return images.map(({ data: img }) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const cx = centres[3 * i], cy = centres[3 * i + 1], cz = centres[3 * i + 2];
      if (method === null) {
        const xl = Math.trunc(cx) - o[0], yl = Math.trunc(cy) - o[1], zl = Math.trunc(cz) - o[2];
        out[i] = xl >= 0 && xl < X && yl >= 0 && yl < Y && zl >= 0 && zl < Z ? img[xl + X * (yl + Y * zl)] : NaN;
        continue;
      }
      // the box in the stack, then within the slab (a box leaving the slab is undecided anyway)
      const x0 = Math.max(0, Math.trunc(cx - lo[0]), o[0]) - o[0], x1 = Math.min(stack[0], Math.trunc(cx + hi[0]), o[0] + X) - o[0];
      const y0 = Math.max(0, Math.trunc(cy - lo[1]), o[1]) - o[1], y1 = Math.min(stack[1], Math.trunc(cy + hi[1]), o[1] + Y) - o[1];
      const zs = Math.max(0, Math.trunc(cz - lo[2]), o[2]) - o[2], ze = Math.min(stack[2], Math.trunc(cz + hi[2]), o[2] + Z) - o[2];
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
