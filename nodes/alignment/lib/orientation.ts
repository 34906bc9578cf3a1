// Orientation tuples as ClearMap 0.9.2 defines them (Alignment/Resampling.py): a signed permutation of
// the 1-based axes (1,2,3). Entry i names the source axis that becomes axis i of the result; a minus
// sign reverses that result axis. ClearMap first permutes, then flips. 'Left' = (1,2,3) and
// 'Right' = (-1,2,3) are ClearMap's named orientations (fixOrientation).
import type { Shape3, TypedArray, Volume } from '../../../engine/data/volume.js';
import { allocate } from '../../../engine/data/volume.js';

export type OrientationTuple = [number, number, number];

export interface Orientation {
  /** The validated tuple, e.g. [-2, 1, 3]. */
  tuple: OrientationTuple;
  /** 0-based source axis for each result axis (ClearMap's orientationToPermuation). */
  permutation: [number, number, number];
  /** Result axis i is reversed. */
  flip: [boolean, boolean, boolean];
}

export const IDENTITY: OrientationTuple = [1, 2, 3];

/**
 * Validate an orientation given in params (tuple, 'Left', 'Right', or null/undefined = identity).
 * `param` names the parameter in the error message.
 */
export function parseOrientation(value: unknown, param = 'orientation'): Orientation {
  let tuple: unknown = value;
  if (value === undefined || value === null) tuple = IDENTITY;
  else if (value === 'Left') tuple = [1, 2, 3];
  else if (value === 'Right') tuple = [-1, 2, 3];
  const expected = `a signed permutation of (1, 2, 3) such as [1, 2, 3], [-1, 2, 3] or [2, -1, 3], or 'Left'/'Right'`;
  if (!Array.isArray(tuple) || tuple.length !== 3) {
    throw new Error(`${param}: expected ${expected}, got ${JSON.stringify(value)}`);
  }
  const seen = new Set<number>();
  for (const v of tuple) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v === 0 || Math.abs(v) > 3) {
      throw new Error(`${param}: entry ${JSON.stringify(v)} is not ±1, ±2 or ±3; expected ${expected}, got ${JSON.stringify(value)}`);
    }
    if (seen.has(Math.abs(v))) {
      throw new Error(`${param}: axis ${Math.abs(v)} appears twice in ${JSON.stringify(value)}; expected ${expected}`);
    }
    seen.add(Math.abs(v));
  }
  const t = tuple as OrientationTuple;
  return {
    tuple: [t[0], t[1], t[2]],
    permutation: [Math.abs(t[0]) - 1, Math.abs(t[1]) - 1, Math.abs(t[2]) - 1],
    flip: [t[0] < 0, t[1] < 0, t[2] < 0],
  };
}

/** ClearMap's inverseOrientation: the orientation that undoes `o` (axis inversions included). */
export function inverseOrientation(o: Orientation): Orientation {
  const inv: OrientationTuple = [0, 0, 0];
  for (let i = 0; i < 3; i++) {
    const src = Math.abs(o.tuple[i]) - 1;
    inv[src] = o.tuple[i] < 0 ? -(i + 1) : i + 1;
  }
  return parseOrientation(inv);
}

export function isIdentity(o: Orientation): boolean {
  return o.tuple[0] === 1 && o.tuple[1] === 2 && o.tuple[2] === 3;
}

/** ClearMap's orientResolution / orientDataSize: permute a per-axis triple into the result axes. */
export function orientTriple<T>(v: readonly [T, T, T], o: Orientation): [T, T, T] {
  return [v[o.permutation[0]], v[o.permutation[1]], v[o.permutation[2]]];
}

/** ClearMap's orientResolutionInverse / orientDataSizeInverse: a result-axes triple back to source axes. */
export function orientTripleInverse<T>(v: readonly [T, T, T], o: Orientation): [T, T, T] {
  return orientTriple(v, inverseOrientation(o));
}

/**
 * Reorient a volume: result axis i is source axis permutation[i], reversed when flip[i]
 * (numpy: data.transpose(per) then [::-1] on the flipped axes, as ClearMap's resampleData does).
 */
export function orientVolume<T extends TypedArray>(v: Volume<T>, o: Orientation): Volume<T> {
  if (isIdentity(o)) return v;
  const inShape = v.shape;
  const inStride = [1, inShape[0], inShape[0] * inShape[1]];
  const outShape = orientTriple(inShape, o) as Shape3;
  // for each result axis: step in the source buffer, and the source offset of result index 0
  const step = [0, 0, 0];
  let start = 0;
  for (let i = 0; i < 3; i++) {
    const a = o.permutation[i];
    if (o.flip[i]) {
      step[i] = -inStride[a];
      start += (inShape[a] - 1) * inStride[a];
    } else step[i] = inStride[a];
  }
  const out = allocate(v.dtype, v.data.length) as T;
  const [X, Y, Z] = outShape;
  const src = v.data;
  let k = 0;
  for (let z = 0; z < Z; z++) {
    const oz = start + z * step[2];
    for (let y = 0; y < Y; y++) {
      let s = oz + y * step[1];
      const sx = step[0];
      for (let x = 0; x < X; x++, s += sx) out[k++] = src[s];
    }
  }
  return {
    data: out,
    shape: outShape,
    dtype: v.dtype,
    voxelSize: orientTriple(v.voxelSize, o),
    origin: [0, 0, 0],
  };
}
