// Runs in the engine's worker threads: one histogram per chunk (integer counts, so the join is exact).
import type { ChunkGeometry, Volume } from 'clearmap-ts';
import type { HistogramParams } from './params.js';

export function chunkHistogram(slab: Volume, _g: ChunkGeometry, params: HistogramParams): Float64Array {
  const { bins, range } = params;
  const [lo, hi] = range;
  const counts = new Float64Array(bins + 2); // [below range, bins..., above range]
  const scale = bins / (hi - lo);
  const d = slab.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v < lo) counts[0]++;
    else if (v >= hi) { if (v === hi) counts[bins]++; else counts[bins + 1]++; } // numpy: last bin includes hi
    else counts[1 + Math.min(bins - 1, Math.floor((v - lo) * scale))]++;
  }
  return counts;
}
