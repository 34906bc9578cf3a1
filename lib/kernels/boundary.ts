// Boundary handling shared by the linear filters. scipy.ndimage's default mode 'reflect' (which
// ClearMap's filters use through scipy.ndimage.correlate) mirrors about the edge *between* samples:
//   d c b a | a b c d | d c b a
// Indices far outside the array keep reflecting, so kernels longer than the array are fine.

/** Map any integer index onto [0, n) with scipy's 'reflect' rule. */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n;
  let r = i % period;
  if (r < 0) r += period;
  return r < n ? r : period - 1 - r;
}

/** reflectIndex for every position of [start, start + count). */
export function reflectedRange(start: number, count: number, n: number): Int32Array {
  const out = new Int32Array(count);
  for (let k = 0; k < count; k++) out[k] = reflectIndex(start + k, n);
  return out;
}
