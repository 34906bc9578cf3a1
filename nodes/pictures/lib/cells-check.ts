// ClearMap's `cells_check.tif`: overlayPoints with pointColor=None gives a 2-channel stack, channel 0
// the raw data and channel 1 the detected cells voxelized as single pixels ('Pixel'), scaled to the
// data maximum, so that in Fiji the cells light up on top of the data.
import type { TypedArray } from '../../../engine/data/volume.js';
import { dtypeRange, dtypeOf } from '../../../engine/data/volume.js';
import type { Points } from '../../../engine/data/points.js';
import { pointCount } from '../../../engine/data/points.js';

/**
 * Channel 1 of one plane: points per voxel × `value` (ClearMap: voxelize(...).astype(dtype) * data.max()).
 * Points belong to the voxel of their truncated coordinates; the window starts at (x0, y0). Where several
 * points share a voxel the product is saturated at the dtype maximum (numpy would wrap around).
 */
export function cellMarksPlane(
  like: TypedArray, width: number, height: number, points: Points, z: number, x0: number, y0: number, value: number,
): TypedArray {
  const out = new (like.constructor as new (n: number) => TypedArray)(width * height);
  const top = dtypeRange(dtypeOf(like))[1];
  const counts = new Float64Array(width * height);
  const c = points.coords;
  for (let i = 0; i < pointCount(points); i++) {
    if (Math.trunc(c[3 * i + 2]) !== z) continue;
    const x = Math.trunc(c[3 * i]) - x0, y = Math.trunc(c[3 * i + 1]) - y0;
    if (x < 0 || y < 0 || x >= width || y >= height) continue;
    counts[x + width * y]++;
  }
  for (let k = 0; k < counts.length; k++) if (counts[k]) out[k] = Math.min(top, counts[k] * value);
  return out;
}

/** Largest value of some planes (the scale of the marks channel). */
export function planesMax(planes: Iterable<ArrayLike<number>>): number {
  let m = -Infinity;
  for (const p of planes) for (let i = 0; i < p.length; i++) if (p[i] > m) m = p[i];
  return m;
}
