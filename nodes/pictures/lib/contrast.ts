// Grey mapping with contrast limits from percentiles, computed on the planes drawn only (a few planes
// of a 20 GB stack say nothing about the rest of it, and reading the rest would be wasteful).
// Percentiles interpolate linearly between order statistics, as numpy.percentile's default.
import type { TypedArray } from '../../../engine/data/volume.js';
import type { RgbaImage } from './rgba.js';

export type Limits = [number, number];

/** Sorted copy of the values of `parts` without NaN (for non-integer data). */
function sortedFinite(parts: readonly TypedArray[]): Float64Array {
  let n = 0;
  for (const p of parts) for (let i = 0; i < p.length; i++) if (p[i] === p[i]) n++;
  const all = new Float64Array(n);
  let o = 0;
  for (const p of parts) for (let i = 0; i < p.length; i++) if (p[i] === p[i]) all[o++] = p[i];
  return all.sort();
}

/** Histogram of 8/16-bit data: exact order statistics without sorting 50 M values. */
function histogram(parts: readonly TypedArray[]): { counts: Float64Array; n: number } {
  const counts = new Float64Array(65536);
  let n = 0;
  for (const p of parts) { for (let i = 0; i < p.length; i++) counts[p[i]]++; n += p.length; }
  return { counts, n };
}

function kthFromHistogram(counts: Float64Array, k: number): number {
  let seen = 0;
  for (let v = 0; v < counts.length; v++) {
    seen += counts[v];
    if (seen > k) return v;
  }
  throw new Error(`order statistic ${k} is out of range`);
}

/**
 * numpy.percentile(values, qs) over all values of `parts` (linear interpolation between order
 * statistics); NaN values are ignored (numpy.nanpercentile). Throws when there is no value at all.
 */
export function percentiles(parts: readonly TypedArray[], qs: number[]): number[] {
  for (const q of qs) if (!(q >= 0 && q <= 100)) throw new Error(`percentile ${q} is not within [0, 100]`);
  const integer = parts.every((p) => p instanceof Uint8Array || p instanceof Uint16Array);
  let kth: (k: number) => number, n: number;
  if (integer) {
    const h = histogram(parts);
    n = h.n;
    kth = (k) => kthFromHistogram(h.counts, k);
  } else {
    const sorted = sortedFinite(parts);
    n = sorted.length;
    kth = (k) => sorted[k];
  }
  if (n === 0) throw new Error('no values to take percentiles of (empty or all NaN)');
  return qs.map((q) => {
    const r = (q / 100) * (n - 1);
    const lo = Math.floor(r), hi = Math.ceil(r);
    const a = kth(lo), b = hi === lo ? a : kth(hi);
    return a + (b - a) * (r - lo);
  });
}

/** Contrast limits from percentiles; equal limits are widened by 1 as ClearMap does (dmax = dmin + 1). */
export function contrastLimits(parts: readonly TypedArray[], range: [number, number]): Limits {
  if (!(range[0] <= range[1])) throw new Error(`percentiles [${range}] must be increasing`);
  const [lo, hi] = percentiles(parts, range);
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

/** Grey level 0..255 of a value: linear between the limits, clipped, rounded to nearest; NaN as the lowest. */
export function greyLevel(v: number, limits: Limits, inverse = false): number {
  const t = (v - limits[0]) / (limits[1] - limits[0]);
  const g = t <= 0 ? 0 : t >= 1 ? 255 : t === t ? Math.round(255 * t) : 0;
  return inverse ? 255 - g : g;
}

/** A plane (width × height values, x fastest) as an opaque grey picture. */
export function greyImage(plane: ArrayLike<number>, width: number, height: number, limits: Limits, inverse = false): RgbaImage {
  const n = width * height;
  if (plane.length !== n) throw new Error(`plane has ${plane.length} values, expected ${width}×${height}`);
  const data = new Uint8Array(4 * n);
  for (let i = 0; i < n; i++) {
    const g = greyLevel(plane[i], limits, inverse), o = 4 * i;
    data[o] = g; data[o + 1] = g; data[o + 2] = g; data[o + 3] = 255;
  }
  return { width, height, data };
}
