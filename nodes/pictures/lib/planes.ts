// Which planes a picture draws, and the geometry of drawing them: plane selection (range + every n-th),
// sections along any axis, block-mean downsampling for 2160×2560 planes, and ClearMap's tile grid.
import type { Range, Shape3, TypedArray, Volume } from '../../../engine/data/volume.js';

export type Axis = 'x' | 'y' | 'z';
const AXIS_INDEX: Record<Axis, number> = { x: 0, y: 1, z: 2 };

/** A 2-D plane of values, x fastest (row = the second axis of the plane). */
export interface Plane {
  values: TypedArray | Float64Array;
  width: number;
  height: number;
}

/** A [start, end) range param (null = the whole axis), checked against the volume; `what` names the param. */
export function resolveRange(r: unknown, size: number, what: string): Range {
  if (r === null || r === undefined) return [0, size];
  if (!Array.isArray(r) || r.length !== 2 || !r.every((v) => Number.isInteger(v))) {
    throw new Error(`${what}: must be [start, end) of integers or null, got ${JSON.stringify(r)}`);
  }
  const [a, b] = r as [number, number];
  if (!(a >= 0 && b <= size && a < b)) throw new Error(`${what}: [${a}, ${b}) is not a non-empty range inside [0, ${size})`);
  return [a, b];
}

/** Plane indices start, start+step, … < end, at most maxCount of them (ClearMap clips at maxtiles). */
export function selectPlanes(range: Range, step: number, maxCount: number): { indices: number[]; clipped: boolean } {
  if (!(Number.isInteger(step) && step >= 1)) throw new Error(`step must be an integer ≥ 1, got ${step}`);
  const indices: number[] = [];
  for (let k = range[0]; k < range[1]; k += step) indices.push(k);
  const clipped = indices.length > maxCount;
  return { indices: clipped ? indices.slice(0, maxCount) : indices, clipped };
}

/** The only plane of a volume read with one axis restricted to a single index. */
export function planeOfSlab(v: Volume, axis: Axis): Plane {
  const [X, Y, Z] = v.shape;
  if (v.shape[AXIS_INDEX[axis]] !== 1) throw new Error(`expected a single ${axis} plane, got shape [${v.shape}]`);
  // x fastest in memory: for a y- or x-section the remaining axes are already row-major.
  if (axis === 'z') return { values: v.data, width: X, height: Y };
  if (axis === 'y') return { values: v.data, width: X, height: Z };
  return { values: v.data, width: Y, height: Z };
}

/** Size of a plane cut perpendicular to `axis` through a volume of `shape`. */
export function sectionSize(shape: Shape3, axis: Axis): [number, number] {
  const [X, Y, Z] = shape;
  return axis === 'z' ? [X, Y] : axis === 'y' ? [X, Z] : [Y, Z];
}

/** Smallest integer factor that brings max(width, height) within maxSize. */
export function downsampleFactor(width: number, height: number, maxSize: number): number {
  return Math.max(1, Math.ceil(Math.max(width, height) / maxSize));
}

/**
 * Block means of factor×factor blocks (edge blocks average the pixels they have). NaN stays NaN.
 * Factor 1 returns the plane itself.
 */
export function downsample(p: Plane, factor: number): Plane {
  if (factor === 1) return p;
  const w = Math.ceil(p.width / factor), h = Math.ceil(p.height / factor);
  const sums = new Float64Array(w * h), counts = new Float64Array(w * h);
  for (let y = 0; y < p.height; y++) {
    const row = Math.floor(y / factor) * w;
    for (let x = 0; x < p.width; x++) {
      const o = row + Math.floor(x / factor);
      sums[o] += p.values[x + p.width * y];
      counts[o]++;
    }
  }
  for (let i = 0; i < sums.length; i++) sums[i] /= counts[i];
  return { values: sums, width: w, height: h };
}

/** Nearest-neighbour subsampling (for label planes, where a mean of ids means nothing). */
export function subsample(p: Plane, factor: number): Plane {
  if (factor === 1) return p;
  const w = Math.ceil(p.width / factor), h = Math.ceil(p.height / factor);
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[x + w * y] = p.values[x * factor + p.width * y * factor];
  return { values: out, width: w, height: h };
}

/** ClearMap's automatic tiling: floor(sqrt(n)) rows and enough columns; or a fixed column count. */
export function gridShape(n: number, columns: number | null): { rows: number; columns: number } {
  if (n < 1) throw new Error('no planes to tile');
  if (columns !== null) {
    if (!(Number.isInteger(columns) && columns >= 1)) throw new Error(`columns must be an integer ≥ 1, got ${columns}`);
    return { rows: Math.ceil(n / columns), columns };
  }
  const rows = Math.max(1, Math.floor(Math.sqrt(n)));
  return { rows, columns: Math.ceil(n / rows) };
}
