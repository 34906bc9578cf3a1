// 1D running minimum / maximum over windows of fixed length L in O(n) per line, independent of L
// (van Herk 1992; Gil & Werman 1993): split the line into blocks of L, take prefix and suffix
// extrema inside each block; any window of length L spans at most two blocks, so its extremum is
// min(suffix[start], prefix[start + L - 1]).

/**
 * Window extrema of `line[offset .. offset + n)` for every window start s in [-(L-1), n-1], written to
 * out[s + L - 1] (so out has n + L - 1 entries). Samples outside the line are ignored (treated as
 * +Infinity for min, -Infinity for max), which is how OpenCV's morphology and a max filter behave.
 * `work` must hold at least 2 * (n + 3L) values. `line` is a Float64Array so the hot loops stay
 * monomorphic (callers copy other element types into a row buffer first).
 */
export function runningExtremum(line: Float64Array, offset: number, n: number, L: number, isMin: boolean, out: Float64Array, work: Float64Array): void {
  if (L === 1) {
    for (let i = 0; i < n; i++) out[i] = line[offset + i];
    return;
  }
  if (isMin) runningMin(line, offset, n, L, out, work);
  else runningMax(line, offset, n, L, out, work);
}

// The two versions are spelled out (rather than one with a comparison flag) to keep the inner loops branch-free.
function runningMin(line: Float64Array, offset: number, n: number, L: number, out: Float64Array, work: Float64Array): void {
  const M = n + 2 * (L - 1);
  const total = Math.ceil(M / L) * L;
  const g = work, hOff = total; // g[0..total) prefix, work[total..2 total) suffix
  // padded sample t is line[t - (L - 1)] inside the line, +Infinity outside
  for (let b = 0; b < total; b += L) {
    let acc = Infinity;
    for (let t = b; t < b + L; t++) {
      const i = t - (L - 1);
      const v = i >= 0 && i < n ? line[offset + i] : Infinity;
      if (v < acc) acc = v;
      g[t] = acc;
      work[hOff + t] = v;
    }
    acc = Infinity;
    for (let t = b + L - 1; t >= b; t--) {
      const v = work[hOff + t];
      if (v < acc) acc = v;
      work[hOff + t] = acc;
    }
  }
  const count = n + L - 1;
  for (let t = 0; t < count; t++) { const a = work[hOff + t], c = g[t + L - 1]; out[t] = a < c ? a : c; }
}

function runningMax(line: Float64Array, offset: number, n: number, L: number, out: Float64Array, work: Float64Array): void {
  const M = n + 2 * (L - 1);
  const total = Math.ceil(M / L) * L;
  const g = work, hOff = total;
  for (let b = 0; b < total; b += L) {
    let acc = -Infinity;
    for (let t = b; t < b + L; t++) {
      const i = t - (L - 1);
      const v = i >= 0 && i < n ? line[offset + i] : -Infinity;
      if (v > acc) acc = v;
      g[t] = acc;
      work[hOff + t] = v;
    }
    acc = -Infinity;
    for (let t = b + L - 1; t >= b; t--) {
      const v = work[hOff + t];
      if (v > acc) acc = v;
      work[hOff + t] = acc;
    }
  }
  const count = n + L - 1;
  for (let t = 0; t < count; t++) { const a = work[hOff + t], c = g[t + L - 1]; out[t] = a > c ? a : c; }
}
