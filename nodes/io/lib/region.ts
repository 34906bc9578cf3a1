// Regions of a volume: half-open [start, end) ranges per axis, checked against the shape.
import type { Range, Shape3 } from '../../../engine/data/volume.js';
import type { Region } from '../../../engine/core/artefacts.js';

export interface Box { x: Range; y: Range; z: Range }

const AXES = ['x', 'y', 'z'] as const;

/** Fill missing axes with the full extent and check every range lies inside the shape. */
export function resolveRegion(shape: Shape3, region: Partial<Region> | undefined, where: string): Box {
  const out = {} as Box;
  AXES.forEach((axis, i) => {
    const r = region?.[axis];
    if (r === undefined) { out[axis] = [0, shape[i]]; return; }
    if (!Array.isArray(r) || r.length !== 2 || !Number.isInteger(r[0]) || !Number.isInteger(r[1])) {
      throw new Error(`${where}: region ${axis} must be [start, end] integers, got ${JSON.stringify(r)}`);
    }
    if (r[0] < 0 || r[1] > shape[i] || r[0] >= r[1]) {
      throw new Error(`${where}: region ${axis}=[${r[0]}, ${r[1]}) is empty or outside the volume (size ${shape[i]} along ${axis})`);
    }
    out[axis] = [r[0], r[1]];
  });
  return out;
}

export function boxShape(b: Box): Shape3 {
  return [b.x[1] - b.x[0], b.y[1] - b.y[0], b.z[1] - b.z[0]];
}

/**
 * ClearMap's `toDataRange`: a user range [start, end] where either end may be null (= all), negative
 * values count from the end, and values outside the data are clipped. Returns a half-open range.
 */
export function toDataRange(size: number, r: [number | null, number | null] | null | undefined): Range {
  if (r === null || r === undefined) return [0, size];
  let a = r[0] ?? 0;
  let b = r[1] ?? size;
  if (a < 0) a = -a > size ? 0 : size + a;
  if (a > size) a = size;
  if (b < 0) b = -b > size ? 0 : size + b;
  if (b > size) b = size;
  if (a > b) b = a;
  return [a, b];
}
