// Resampling kernels with ClearMap 0.9.2's conventions (Alignment/Resampling.py, resampleData):
//  - sizes: sink size = ceil(source size * source resolution / sink resolution) per (oriented) axis;
//  - every source plane is resized in x,y first (cv2.resize), the result is stored in the source dtype,
//    then each output plane is interpolated along z (a second cv2.resize), stored again, then the
//    volume is reoriented (permute, then flip);
//  - cv2's INTER_LINEAR pixel-centre mapping: src = (dst + 0.5) * (n / m) - 0.5, clamped to the
//    edge (cv2 replicates the border), no anti-aliasing when shrinking.
// Deviations, on purpose:
//  - 'nearest' samples src = floor((dst + 0.5) * n / m) (centre-aligned, cv2's INTER_NEAREST_EXACT);
//    ClearMap's cv2.INTER_NEAREST takes floor(dst * n / m), which shifts labels by up to half a voxel
//    against the linear grid and against point resampling. 'nearest-cv2' reproduces it for parity.
//  - arithmetic is float64 (cv2 uses float32 weights); integer results are rounded half-to-even and
//    saturated as cv2's saturate_cast does, so results equal cv2's except on float32 knife edges.
//  - ceil() of the sink size ignores a relative excess below 1e-6, so 100 * 0.3 / 0.3 stays 100 and
//    235 planes of 40.000000139698386 µm (1/40 stored as a TIFF rational) make 188 planes of 50 µm,
//    not 189: the plane count follows the requested resolution, not float noise in the voxel size.
import type { DType, Range, Shape3, TypedArray, Volume } from '../../../engine/data/volume.js';
import { allocate, dtypeRange } from '../../../engine/data/volume.js';
import { orientTriple, orientTripleInverse, orientVolume, type Orientation } from './orientation.js';

export type Interpolation = 'linear' | 'nearest' | 'nearest-cv2';
export const INTERPOLATIONS: readonly Interpolation[] = ['linear', 'nearest', 'nearest-cv2'];
export type Triple = [number, number, number];

/** Everything needed to resample a volume or its points; shapes and resolutions in [x, y, z]. */
export interface ResampleGeometry {
  sourceShape: Shape3;
  /** µm per voxel of the source, in source axes. */
  sourceResolution: Triple;
  orientation: Orientation;
  /** Shape of the result, in result (oriented) axes. */
  sinkShape: Shape3;
  /** Effective µm per voxel of the result, in result axes (ClearMap recomputes it from the sizes). */
  sinkResolution: Triple;
  /** The result shape in source axes: what the x,y and z passes produce before reorienting. */
  sinkShapeInSourceAxes: Shape3;
}

function checkTriple(v: unknown, param: string, what: 'positive' | 'size'): Triple {
  const ok = Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0 && (what !== 'size' || Number.isInteger(x)));
  if (!ok) {
    const expect = what === 'size' ? 'three positive integers [x, y, z]' : 'three positive numbers [x, y, z] (µm per voxel)';
    throw new Error(`${param}: expected ${expect}, got ${JSON.stringify(v)}`);
  }
  return [v[0], v[1], v[2]] as Triple;
}

export function ceilTolerant(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - r) <= 1e-6 * Math.max(1, Math.abs(x)) ? r : Math.ceil(x);
}

/**
 * ClearMap's resampleDataSize. Give either `sinkResolution` (µm, in result axes) or `sinkShape`
 * (voxels, in result axes); the other is derived. Parameter names in errors use `names`.
 */
export function resampleGeometry(opts: {
  sourceShape: Shape3;
  sourceResolution: unknown;
  sinkResolution?: unknown;
  sinkShape?: unknown;
  orientation: Orientation;
  names?: { sourceResolution?: string; sinkResolution?: string; sinkShape?: string };
}): ResampleGeometry {
  const n = { sourceResolution: 'sourceResolution', sinkResolution: 'sinkResolution', sinkShape: 'sinkShape', ...opts.names };
  const srcRes = checkTriple(opts.sourceResolution, n.sourceResolution, 'positive');
  const srcShape = checkTriple(opts.sourceShape, 'source shape', 'size') as Shape3;
  const o = opts.orientation;
  const srcResO = orientTriple(srcRes, o);
  const srcShapeO = orientTriple(srcShape, o);
  let sinkShape: Shape3;
  if (opts.sinkShape !== undefined && opts.sinkShape !== null) {
    sinkShape = checkTriple(opts.sinkShape, n.sinkShape, 'size') as Shape3;
  } else if (opts.sinkResolution !== undefined && opts.sinkResolution !== null) {
    const sinkRes = checkTriple(opts.sinkResolution, n.sinkResolution, 'positive');
    sinkShape = [0, 1, 2].map((i) => Math.max(1, ceilTolerant((srcShapeO[i] * srcResO[i]) / sinkRes[i]))) as Shape3;
  } else {
    throw new Error(`resampling needs either ${n.sinkResolution} (µm per voxel) or ${n.sinkShape} (voxels), got neither`);
  }
  const sinkResolution = [0, 1, 2].map((i) => (srcShapeO[i] / sinkShape[i]) * srcResO[i]) as Triple;
  return {
    sourceShape: srcShape,
    sourceResolution: srcRes,
    orientation: o,
    sinkShape,
    sinkResolution,
    sinkShapeInSourceAxes: orientTripleInverse(sinkShape, o) as Shape3,
  };
}

/** Interpolation taps along one axis: value[d] = a0[d] * src[i0[d]] + a1[d] * src[i1[d]]. */
export interface AxisTaps {
  i0: Int32Array;
  i1: Int32Array;
  a0: Float64Array;
  a1: Float64Array;
}

/** Taps mapping `m` output samples onto `n` input samples (cv2.resize's pixel-centre convention). */
export function axisTaps(n: number, m: number, interpolation: Interpolation): AxisTaps {
  const t: AxisTaps = { i0: new Int32Array(m), i1: new Int32Array(m), a0: new Float64Array(m), a1: new Float64Array(m) };
  const scale = n / m;
  for (let d = 0; d < m; d++) {
    let i0: number, w: number;
    if (n === m) {
      i0 = d; w = 0;
    } else if (interpolation === 'nearest') {
      i0 = Math.min(Math.floor((d + 0.5) * scale), n - 1); w = 0;
    } else if (interpolation === 'nearest-cv2') {
      i0 = Math.min(Math.floor(d * (1 / (m / n))), n - 1); w = 0; // cv2 resizeNN: ifx = 1 / (dsize / ssize)
    } else {
      const x = (d + 0.5) * scale - 0.5;
      i0 = Math.floor(x);
      w = x - i0;
      if (i0 < 0) { i0 = 0; w = 0; }
      if (i0 >= n - 1) { i0 = n - 1; w = 0; }
    }
    t.i0[d] = i0;
    t.i1[d] = w > 0 ? i0 + 1 : i0;
    t.a1[d] = w;
    t.a0[d] = 1 - w;
  }
  return t;
}

/** Input indices [min, max] that the outputs [d0, d1) of these taps read. */
export function tapSpan(t: AxisTaps, range: Range): Range {
  const [d0, d1] = range;
  if (d1 <= d0) return [0, 0];
  return [t.i0[d0], t.i1[d1 - 1] + 1];
}

/** The sorted distinct input indices the outputs [d0, d1) read (input planes a z-slab of the result needs). */
export function tapInputs(t: AxisTaps, range: Range = [0, t.i0.length]): number[] {
  const out: number[] = [];
  for (let d = range[0]; d < range[1]; d++) {
    for (const i of t.a1[d] > 0 ? [t.i0[d], t.i1[d]] : [t.i0[d]]) {
      if (out.length === 0 || out[out.length - 1] < i) out.push(i);
    }
  }
  return out;
}

/** Store float values into `dst` as cv2's saturate_cast does: round half to even and clamp for integer types. */
function storeRow(dst: TypedArray, off: number, vals: Float64Array, n: number, dtype: DType): void {
  if (dtype === 'float32' || dtype === 'float64') {
    for (let i = 0; i < n; i++) dst[off + i] = vals[i];
    return;
  }
  const [lo, hi] = dtypeRange(dtype);
  for (let i = 0; i < n; i++) {
    const v = vals[i];
    let r = Math.round(v);
    if (r - v === 0.5 && (r & 1) !== 0) r -= 1; // half to even (Math.round rounds half up)
    dst[off + i] = r < lo ? lo : r > hi ? hi : r;
  }
}

/** Convert a volume to `dtype` with cv2's saturate_cast (round half to even, clamp to the type's range). */
export function convertVolume(v: Volume, dtype: DType): Volume {
  if (v.dtype === dtype) return v;
  const n = v.data.length;
  const out = allocate(dtype, n);
  const CH = 65536;
  const buf = new Float64Array(Math.min(CH, n));
  for (let s = 0; s < n; s += CH) {
    const e = Math.min(n, s + CH);
    for (let i = s; i < e; i++) buf[i - s] = v.data[i];
    storeRow(out, s, buf, e - s, dtype);
  }
  return { ...v, data: out, dtype };
}

/**
 * Resize one x,y plane (`src` from `srcOffset`, sx * sy values) into `dst` (from `dstOffset`,
 * dx * dy values) with the given taps; rows of the source are interpolated in x once each.
 */
export function resizePlane(
  src: TypedArray, srcOffset: number, sx: number,
  dst: TypedArray, dstOffset: number, dtype: DType,
  tx: AxisTaps, ty: AxisTaps,
): void {
  const dx = tx.i0.length, dy = ty.i0.length;
  // a two-row cache: the y taps never go backwards, so each needed source row is interpolated once
  const rows = [new Float64Array(dx), new Float64Array(dx)];
  const key = [-1, -1];
  let lru = 0;
  const rowOf = (r: number): Float64Array => {
    if (key[0] === r) return rows[0];
    if (key[1] === r) return rows[1];
    const slot = lru; lru = 1 - lru;
    key[slot] = r;
    const buf = rows[slot];
    const base = srcOffset + r * sx;
    const { i0, i1, a0, a1 } = tx;
    for (let x = 0; x < dx; x++) buf[x] = a0[x] * src[base + i0[x]] + a1[x] * src[base + i1[x]];
    return buf;
  };
  const out = new Float64Array(dx);
  for (let y = 0; y < dy; y++) {
    const w1 = ty.a1[y];
    if (w1 === 0) {
      storeRow(dst, dstOffset + y * dx, rowOf(ty.i0[y]), dx, dtype);
      continue;
    }
    const r0 = rowOf(ty.i0[y]);
    // protect r0 from being evicted by the second row: mark it most recently used
    lru = key[0] === ty.i0[y] ? 1 : 0;
    const r1 = rowOf(ty.i1[y]);
    const w0 = ty.a0[y];
    for (let x = 0; x < dx; x++) out[x] = w0 * r0[x] + w1 * r1[x];
    storeRow(dst, dstOffset + y * dx, out, dx, dtype);
  }
}

/** One output plane from two x,y-resized input planes: a0 * A + a1 * B (the z pass). */
export function blendPlanes(a: TypedArray, b: TypedArray, a0: number, a1: number, dst: TypedArray, dstOffset: number, n: number, dtype: DType): void {
  if (a1 === 0) {
    dst.set(a.subarray(0, n), dstOffset);
    return;
  }
  const CH = 4096;
  const buf = new Float64Array(Math.min(CH, n));
  for (let s = 0; s < n; s += CH) {
    const e = Math.min(n, s + CH);
    for (let i = s; i < e; i++) buf[i - s] = a0 * a[i] + a1 * b[i];
    storeRow(dst, dstOffset + s, buf, e - s, dtype);
  }
}

/** The x,y and z taps of a resampling (all in source axes). */
export interface ResamplePlan {
  geometry: ResampleGeometry;
  interpolation: Interpolation;
  tx: AxisTaps;
  ty: AxisTaps;
  tz: AxisTaps;
}

export function planResample(g: ResampleGeometry, interpolation: Interpolation): ResamplePlan {
  if (!INTERPOLATIONS.includes(interpolation)) {
    throw new Error(`interpolation: expected one of ${INTERPOLATIONS.join(', ')}, got ${JSON.stringify(interpolation)}`);
  }
  const [X, Y, Z] = g.sourceShape;
  const [mx, my, mz] = g.sinkShapeInSourceAxes;
  return { geometry: g, interpolation, tx: axisTaps(X, mx, interpolation), ty: axisTaps(Y, my, interpolation), tz: axisTaps(Z, mz, interpolation) };
}

/** x,y-resize the planes of a slab whose (global) z is listed in `planes`; returns them concatenated. */
export function resizeSlabPlanes(plan: ResamplePlan, slab: Volume, planes: readonly number[]): TypedArray {
  const [X, Y] = plan.geometry.sourceShape;
  if (slab.shape[0] !== X || slab.shape[1] !== Y) {
    throw new Error(`resample: slab is ${slab.shape[0]} x ${slab.shape[1]} but the source is ${X} x ${Y}`);
  }
  const [mx, my] = plan.geometry.sinkShapeInSourceAxes;
  const out = allocate(slab.dtype, planes.length * mx * my);
  planes.forEach((z, k) => {
    const local = z - slab.origin[2];
    if (local < 0 || local >= slab.shape[2]) throw new Error(`resample: plane ${z} is not in the slab z=[${slab.origin[2]}, ${slab.origin[2] + slab.shape[2]})`);
    resizePlane(slab.data, local * X * Y, X, out, k * mx * my, slab.dtype, plan.tx, plan.ty);
  });
  return out;
}

/**
 * The z pass plus reorientation: combine x,y-resized planes (looked up by source z) into the result.
 * `planeOf(z)` must return every plane tapInputs(plan.tz) lists.
 */
export function assembleResampled(plan: ResamplePlan, dtype: DType, planeOf: (z: number) => TypedArray): Volume {
  const [mx, my, mz] = plan.geometry.sinkShapeInSourceAxes;
  const n = mx * my;
  const out = allocate(dtype, n * mz);
  const { i0, i1, a0, a1 } = plan.tz;
  for (let z = 0; z < mz; z++) blendPlanes(planeOf(i0[z]), a1[z] > 0 ? planeOf(i1[z]) : planeOf(i0[z]), a0[z], a1[z], out, z * n, n, dtype);
  const unoriented: Volume = {
    data: out, shape: [mx, my, mz], dtype,
    voxelSize: orientTripleInverse(plan.geometry.sinkResolution, plan.geometry.orientation),
    origin: [0, 0, 0],
  };
  return orientVolume(unoriented, plan.geometry.orientation);
}

/** Resample a whole in-memory volume (ClearMap's resampleData). */
export function resampleVolume(v: Volume, g: ResampleGeometry, interpolation: Interpolation): Volume {
  if (v.shape.some((s, i) => s !== g.sourceShape[i])) {
    throw new Error(`resample: volume is [${v.shape}] but the geometry was planned for [${g.sourceShape}]`);
  }
  const plan = planResample(g, interpolation);
  const planes = tapInputs(plan.tz);
  const data = resizeSlabPlanes(plan, { ...v, origin: [0, 0, 0] }, planes);
  const [mx, my] = g.sinkShapeInSourceAxes;
  const index = new Map(planes.map((z, k) => [z, k]));
  return assembleResampled(plan, v.dtype, (z) => data.subarray(index.get(z)! * mx * my, (index.get(z)! + 1) * mx * my) as TypedArray);
}

/**
 * Resample a volume too big for memory, reading only the input planes the result needs, in runs of at
 * most `slabPlanes` consecutive planes (e.g. through ctx.readVolume). Each needed plane is read and
 * x,y-resized once; only the small resized planes are kept.
 */
export async function resampleStreaming(
  read: (z: Range) => Promise<Volume>,
  g: ResampleGeometry,
  dtype: DType,
  interpolation: Interpolation,
  opts: { slabPlanes?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<Volume> {
  const plan = planResample(g, interpolation);
  const needed = tapInputs(plan.tz);
  const slabPlanes = Math.max(1, opts.slabPlanes ?? 16);
  const [mx, my] = g.sinkShapeInSourceAxes;
  const planes = new Map<number, TypedArray>();
  let k = 0;
  while (k < needed.length) {
    // a run of consecutive needed planes, at most slabPlanes long
    let e = k + 1;
    while (e < needed.length && needed[e] === needed[e - 1] + 1 && e - k < slabPlanes) e++;
    const z0 = needed[k], z1 = needed[e - 1] + 1;
    const slab = await read([z0, z1]);
    if (slab.dtype !== dtype) throw new Error(`resample: the reader returned ${slab.dtype} planes, expected ${dtype}`);
    const part = resizeSlabPlanes(plan, { ...slab, origin: [0, 0, z0] }, needed.slice(k, e));
    for (let j = k; j < e; j++) planes.set(needed[j], part.subarray((j - k) * mx * my, (j - k + 1) * mx * my) as TypedArray);
    k = e;
    opts.onProgress?.(k, needed.length);
  }
  return assembleResampled(plan, dtype, (z) => planes.get(z)!);
}
