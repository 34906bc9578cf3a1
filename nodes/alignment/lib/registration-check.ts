// Showing the registration, before and after (issue 17, "fail fast and show the registration"):
//  - before registering: the sample's physical extent (voxel size × shape) against the atlas's, with a
//    warning when an axis disagrees by more than ~30% or when a permutation or a flip of the sample's
//    axes fits the atlas much better (a wrong `orientation` in resample); an orientation preview PNG
//    (three mid-planes, sample beside atlas, same µm per pixel);
//  - after registering: a check picture (atlas region boundaries carried onto the resampled sample,
//    three mid-planes) and a similarity score (normalised cross-correlation, before vs after).
// Conventions as the elastix node: images in voxel coordinates (spacing 1), T maps fixed -> moving.
import type { Artefact, VolumeRef } from '../../../engine/core/artefacts.js';
import type { NodeContext } from '../../../engine/core/node-type.js';
import type { Shape3, Volume } from '../../../engine/data/volume.js';
import { contrastLimits, greyImage } from '../../pictures/lib/contrast.js';
import { boundaryMask } from '../../pictures/lib/labels.js';
import { blit, blendPixel, createImage, type Rgb, type RgbaImage } from '../../pictures/lib/rgba.js';

export type V3 = [number, number, number];
export const AXES = ['x', 'y', 'z'] as const;

export interface Grid { shape: Shape3; voxelSize: V3 }

export interface ExtentCheck {
  /** Physical extent in mm, [x, y, z]. */
  fixedMm: V3;
  movingMm: V3;
  /** fixed / moving per axis. */
  ratios: V3;
  /** Messages for the user; empty when the extents agree. */
  warnings: string[];
}

const PERMUTATIONS: V3[] = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
const mm = (g: Grid): V3 => g.shape.map((s, i) => (s * g.voxelSize[i]) / 1000) as V3;
export const fmt = (v: readonly number[], d = 2) => `[${v.map((x) => x.toFixed(d)).join(', ')}]`;
const worst = (r: readonly number[]) => Math.max(...r.map((x) => Math.abs(Math.log(x))));

/**
 * Compare physical extents. `tolerance` is the allowed relative disagreement per axis (0.3 = 30%).
 * When the axes disagree but a permutation of the fixed image's axes agrees, the message names it.
 */
export function checkExtents(fixed: Grid, moving: Grid, tolerance = 0.3, names = { fixed: 'the sample', moving: 'the atlas' }): ExtentCheck {
  const f = mm(fixed), m = mm(moving);
  const ratios = f.map((v, i) => v / m[i]) as V3;
  const warnings: string[] = [];
  const limit = Math.log(1 + tolerance);
  if (worst(ratios) > limit) {
    const bad = ratios.map((r, i) => (Math.abs(Math.log(r)) > limit ? `${AXES[i]} ${(100 * (r - 1)).toFixed(0)}%` : '')).filter(Boolean);
    warnings.push(`the extents disagree: ${names.fixed} is ${fmt(f)} mm, ${names.moving} ${fmt(m)} mm (${bad.join(', ')}); check the voxel size and the resampling`);
    const better = PERMUTATIONS.slice(1)
      .map((p) => ({ p, score: worst(p.map((src, i) => f[src] / m[i])) }))
      .filter((c) => c.score <= limit)
      .sort((a, b) => a.score - b.score)[0];
    if (better) {
      warnings.push(`the orientation looks wrong: ${names.fixed}'s axes (${better.p.map((s) => AXES[s]).join(', ')}) would match ${names.moving}'s (x, y, z); `
        + `its axis order probably differs from the atlas's: set 'orientation' of the resampling to the matching ClearMap tuple`);
    }
  }
  return { fixedMm: f, movingMm: m, ratios, warnings };
}

/** Trilinear value of `v` at a continuous voxel position; NaN outside. */
function sampleAt(v: Volume, x: number, y: number, z: number): number {
  const [X, Y, Z] = v.shape;
  if (!(x >= 0 && y >= 0 && z >= 0 && x <= X - 1 && y <= Y - 1 && z <= Z - 1)) return NaN;
  const x0 = Math.min(Math.floor(x), Math.max(0, X - 2)), y0 = Math.min(Math.floor(y), Math.max(0, Y - 2)), z0 = Math.min(Math.floor(z), Math.max(0, Z - 2));
  const fx = X > 1 ? x - x0 : 0, fy = Y > 1 ? y - y0 : 0, fz = Z > 1 ? z - z0 : 0;
  const sx = X > 1 ? 1 : 0, sy = Y > 1 ? X : 0, sz = Z > 1 ? X * Y : 0;
  const d = v.data, i = x0 + X * (y0 + Y * z0);
  const c00 = d[i] * (1 - fx) + d[i + sx] * fx, c10 = d[i + sy] * (1 - fx) + d[i + sy + sx] * fx;
  const c01 = d[i + sz] * (1 - fx) + d[i + sz + sx] * fx, c11 = d[i + sz + sy] * (1 - fx) + d[i + sz + sy + sx] * fx;
  return (c00 * (1 - fy) + c10 * fy) * (1 - fz) + (c01 * (1 - fy) + c11 * fy) * fz;
}

function nearestAt(v: Volume, x: number, y: number, z: number): number {
  const [X, Y, Z] = v.shape;
  const i = Math.round(x), j = Math.round(y), k = Math.round(z);
  if (i < 0 || j < 0 || k < 0 || i >= X || j >= Y || k >= Z) return 0;
  return v.data[i + X * (j + Y * k)];
}

/** Pearson correlation of paired samples (NaN pairs skipped); NaN when either side is constant. */
export function normalisedCrossCorrelation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let n = 0, sa = 0, sb = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === a[i] && b[i] === b[i]) { n++; sa += a[i]; sb += b[i]; }
  if (n < 2) return NaN;
  const ma = sa / n, mb = sb / n;
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    if (!(a[i] === a[i] && b[i] === b[i])) continue;
    const da = a[i] - ma, db = b[i] - mb;
    ab += da * db; aa += da * da; bb += db * db;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : NaN;
}

/** Fixed-image voxels on a grid of step `stride` (the points the scores are computed at). */
export function gridPoints(shape: Shape3, stride: number): Float64Array {
  const n = [0, 1, 2].map((i) => Math.ceil(shape[i] / stride));
  const out = new Float64Array(n[0] * n[1] * n[2] * 3);
  let k = 0;
  for (let z = 0; z < shape[2]; z += stride) for (let y = 0; y < shape[1]; y += stride) for (let x = 0; x < shape[0]; x += stride) {
    out[k++] = x; out[k++] = y; out[k++] = z;
  }
  return out;
}

/** Fixed voxel → moving voxel with the centres aligned in physical space (what "before registration" compares). */
export function centredMap(fixed: Grid, moving: Grid, flip: [boolean, boolean, boolean] = [false, false, false]): (p: V3) => V3 {
  return (p) => [0, 1, 2].map((i) => {
    const cf = (fixed.shape[i] - 1) / 2, cm = (moving.shape[i] - 1) / 2;
    const d = (p[i] - cf) * (fixed.voxelSize[i] / moving.voxelSize[i]);
    return cm + (flip[i] ? -d : d);
  }) as V3;
}

export function scoreMapped(fixed: Volume, moving: Volume, points: Float64Array, mapped: Float64Array): number {
  const a = new Float64Array(points.length / 3), b = new Float64Array(points.length / 3);
  const X = fixed.shape[0], Y = fixed.shape[1];
  for (let i = 0; i < a.length; i++) {
    a[i] = fixed.data[points[3 * i] + X * (points[3 * i + 1] + Y * points[3 * i + 2])];
    b[i] = sampleAt(moving, mapped[3 * i], mapped[3 * i + 1], mapped[3 * i + 2]);
  }
  return normalisedCrossCorrelation(a, b);
}

export function mapAll(points: Float64Array, f: (p: V3) => V3): Float64Array {
  const out = new Float64Array(points.length);
  for (let i = 0; i < points.length; i += 3) out.set(f([points[i], points[i + 1], points[i + 2]]), i);
  return out;
}

/** NCC with the centres aligned, and the best of the 7 axis flips (a flipped sample shows up here). */
export function orientationScores(fixed: Volume, moving: Volume, stride: number): { identity: number; best: { flip: [boolean, boolean, boolean]; ncc: number } } {
  const pts = gridPoints(fixed.shape, stride);
  const identity = scoreMapped(fixed, moving, pts, mapAll(pts, centredMap(fixed, moving)));
  let best = { flip: [false, false, false] as [boolean, boolean, boolean], ncc: identity };
  for (let m = 1; m < 8; m++) {
    const flip: [boolean, boolean, boolean] = [!!(m & 1), !!(m & 2), !!(m & 4)];
    const ncc = scoreMapped(fixed, moving, pts, mapAll(pts, centredMap(fixed, moving, flip)));
    if (ncc > best.ncc) best = { flip, ncc };
  }
  return { identity, best };
}

// ---- pictures ---------------------------------------------------------------------------------------

/** Mid-plane of a volume across `axis`, sampled by `value(x, y, z)` on the fixed grid. Returns width × height values. */
function planeAcross(shape: Shape3, axis: 0 | 1 | 2, value: (p: V3) => number): { values: Float64Array; width: number; height: number } {
  const [u, v] = axis === 2 ? [0, 1] : axis === 1 ? [0, 2] : [1, 2];
  const width = shape[u], height = shape[v];
  const values = new Float64Array(width * height);
  const mid = Math.floor((shape[axis] - 1) / 2);
  for (let j = 0; j < height; j++) for (let i = 0; i < width; i++) {
    const p = [0, 0, 0] as V3;
    p[axis] = mid; p[u] = i; p[v] = j;
    values[i + width * j] = value(p);
  }
  return { values, width, height };
}

function scaleImage(img: RgbaImage, fx: number, fy: number): RgbaImage {
  const w = Math.max(1, Math.round(img.width * fx)), h = Math.max(1, Math.round(img.height * fy));
  const out = createImage(w, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const sx = Math.min(img.width - 1, Math.floor(x / fx)), sy = Math.min(img.height - 1, Math.floor(y / fy));
    out.data.set(img.data.subarray(4 * (sx + img.width * sy), 4 * (sx + img.width * sy) + 4), 4 * (x + w * y));
  }
  return out;
}

function finite(values: Float64Array): Float32Array {
  return Float32Array.from(values.filter((v) => v === v));
}

function greyPlane(p: { values: Float64Array; width: number; height: number }): RgbaImage {
  const f = finite(p.values);
  const limits = f.length ? contrastLimits([f], [1, 99.5]) : [0, 1] as [number, number];
  return greyImage(p.values.map((v) => (v === v ? v : limits[0])), p.width, p.height, limits);
}

/** Rows of pictures side by side (gap of 6 px, dark background). */
function compose(rows: RgbaImage[][]): RgbaImage {
  const gap = 6;
  const width = Math.max(...rows.map((r) => r.reduce((s, i) => s + i.width, 0) + gap * (r.length + 1)));
  const height = rows.reduce((s, r) => s + Math.max(...r.map((i) => i.height)), 0) + gap * (rows.length + 1);
  const out = createImage(width, height, [32, 32, 32]);
  let y = gap;
  for (const r of rows) {
    let x = gap;
    for (const img of r) { blit(out, img, x, y); x += img.width + gap; }
    y += Math.max(...r.map((i) => i.height)) + gap;
  }
  return out;
}

/** µm per picture pixel for a grid's plane across `axis`, as [x scale, y scale] relative to `um`. */
function physicalScale(g: Grid, axis: 0 | 1 | 2, um: number): [number, number] {
  const [u, v] = axis === 2 ? [0, 1] : axis === 1 ? [0, 2] : [1, 2];
  return [g.voxelSize[u] / um, g.voxelSize[v] / um];
}

/** Three mid-planes, fixed beside moving, each drawn at the same µm per pixel. */
export function previewPicture(fixed: Volume, moving: Volume): RgbaImage {
  const um = Math.min(...fixed.voxelSize, ...moving.voxelSize) * (Math.max(...fixed.shape, ...moving.shape) * Math.min(...fixed.voxelSize, ...moving.voxelSize) > 20000 ? 2 : 1);
  const zoom = Math.max(1, Math.round(300 / Math.max(...fixed.shape.map((s, i) => (s * fixed.voxelSize[i]) / um))));
  return compose(([2, 1, 0] as const).map((axis) => [fixed, moving].map((v) => {
    const [sx, sy] = physicalScale(v, axis, um);
    return scaleImage(greyPlane(planeAcross(v.shape, axis, (p) => v.data[p[0] + v.shape[0] * (p[1] + v.shape[1] * p[2])])), sx * zoom, sy * zoom);
  })));
}

const BOUNDARY: Rgb = [255, 64, 64];

/** Three mid-planes of the fixed image with the moving-frame labels carried onto it (nearest) as outlines, and the registered moving image beside them. */
export function checkPicture(fixed: Volume, moving: Volume, map: (p: V3) => V3, labels?: Volume): RgbaImage {
  const zoom = Math.max(1, Math.round(300 / Math.max(...fixed.shape)));
  return compose(([2, 1, 0] as const).map((axis) => {
    const grey = greyPlane(planeAcross(fixed.shape, axis, (p) => fixed.data[p[0] + fixed.shape[0] * (p[1] + fixed.shape[1] * p[2])]));
    const warped = greyPlane(planeAcross(fixed.shape, axis, (p) => { const q = map(p); return sampleAt(moving, q[0], q[1], q[2]); }));
    const [sx, sy] = physicalScale(fixed, axis, Math.min(...fixed.voxelSize));
    const left = scaleImage(grey, sx * zoom, sy * zoom);
    if (labels) {
      const lab = planeAcross(fixed.shape, axis, (p) => { const q = map(p); return nearestAt(labels, q[0], q[1], q[2]); });
      // outlines drawn on the zoomed picture, so they stay one pixel wide
      const big = { values: new Float64Array(left.width * left.height), width: left.width, height: left.height };
      for (let y = 0; y < big.height; y++) for (let x = 0; x < big.width; x++) {
        big.values[x + big.width * y] = lab.values[Math.min(lab.width - 1, Math.floor(x / (sx * zoom))) + lab.width * Math.min(lab.height - 1, Math.floor(y / (sy * zoom)))];
      }
      const mask = boundaryMask(big);
      for (let i = 0; i < mask.length; i++) if (mask[i]) blendPixel(left, i % big.width, Math.floor(i / big.width), BOUNDARY, 0.8);
    }
    return [left, scaleImage(warped, sx * zoom, sy * zoom)];
  }));
}

// ---- node helpers --------------------------------------------------------------------------------------

export function volumeIn(inputs: Record<string, Artefact | undefined>, port: string, ctx: NodeContext, optional = false): VolumeRef | undefined {
  const v = inputs[port];
  if (!v) { if (optional) return undefined; throw new Error(`node '${ctx.nodeId}': input '${port}' is missing`); }
  if (v.kind !== 'volume') throw new Error(`node '${ctx.nodeId}': input '${port}' must be a volume`);
  return v;
}

export async function readAsFloat(ctx: NodeContext, ref: VolumeRef): Promise<Volume> {
  const v = await ctx.readVolume(ref);
  return v.data instanceof Float32Array || v.data instanceof Float64Array ? v : { ...v, data: Float32Array.from(v.data), dtype: 'float32' };
}

export const gridOf = (v: VolumeRef): Grid => ({ shape: v.shape, voxelSize: v.voxelSize });
export const flipNames = (f: readonly boolean[]) => f.map((b, i) => (b ? AXES[i] : '')).filter(Boolean).join(' and ');
