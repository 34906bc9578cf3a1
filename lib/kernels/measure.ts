// Per-label measurements (scipy.ndimage.center_of_mass / sum / maximum / ... with labels 1..n).
import type { Shape3 } from '../../engine/data/volume.js';

/**
 * Intensity-weighted centres of mass [x, y, z] of labels 1..count; NaN where the weights sum to 0.
 * Coordinates are accumulated as x + origin (z + origin alone when it is a number), so a slab or an
 * x/y tile reports global coordinates bit-identical to what the whole stack gives (adding the
 * origin afterwards would round differently; adding 0 changes nothing).
 */
export function centresOfMass(weights: ArrayLike<number>, labels: Int32Array, shape: Shape3, count: number, origin: number | readonly [number, number, number] = 0): Float64Array {
  const [X, Y, Z] = shape;
  const [ox, oy, oz] = typeof origin === 'number' ? [0, 0, origin] : origin;
  const acc = new Float64Array(4 * (count + 1));
  for (let z = 0, p = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++, p++) {
    const l = labels[p];
    if (l === 0) continue;
    const w = weights[p];
    const o = 4 * l;
    acc[o] += w; acc[o + 1] += w * (x + ox); acc[o + 2] += w * (y + oy); acc[o + 3] += w * (z + oz);
  }
  const out = new Float64Array(3 * count);
  for (let l = 1; l <= count; l++) {
    const s = acc[4 * l];
    out[3 * (l - 1)] = acc[4 * l + 1] / s;
    out[3 * (l - 1) + 1] = acc[4 * l + 2] / s;
    out[3 * (l - 1) + 2] = acc[4 * l + 3] / s;
  }
  return out;
}

export type Reduction = 'sum' | 'mean' | 'max' | 'min';
export const REDUCTIONS: readonly Reduction[] = ['sum', 'mean', 'max', 'min'];

/** Reduce `values` over each label 1..count. Labels without voxels give 0 (scipy gives 0 for sum, nan/0 for others; they are dropped later). */
export function reduceByLabel(values: ArrayLike<number>, labels: Int32Array, count: number, how: Reduction): Float64Array {
  const out = new Float64Array(count + 1);
  const n = new Float64Array(count + 1);
  if (how === 'max') out.fill(-Infinity);
  if (how === 'min') out.fill(Infinity);
  for (let p = 0; p < labels.length; p++) {
    const l = labels[p];
    if (l === 0) continue;
    const v = values[p];
    n[l]++;
    if (how === 'max') { if (v > out[l]) out[l] = v; }
    else if (how === 'min') { if (v < out[l]) out[l] = v; }
    else out[l] += v;
  }
  for (let l = 1; l <= count; l++) {
    if (n[l] === 0) out[l] = 0;
    else if (how === 'mean') out[l] /= n[l];
  }
  return out.subarray(1);
}

/** Number of voxels of each label 1..count. */
export function labelSizes(labels: Int32Array, count: number): Float64Array {
  const out = new Float64Array(count + 1);
  for (let p = 0; p < labels.length; p++) { const l = labels[p]; if (l > 0 && l <= count) out[l]++; }
  return out.subarray(1);
}
