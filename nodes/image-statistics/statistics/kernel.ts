// ClearMap's ImageStatistics (calcImageStatistics) as a chunk reduction. Each plane yields its own
// partial (count, min, max, sum, M2 about the plane mean); the join merges planes in z order with
// Chan et al.'s parallel-variance formula. Partials are per plane, not per chunk, so the result is
// bit-identical whatever the chunk size or worker count.
import type { Volume } from '../../../engine/data/volume.js';

/** Per-plane partials, 5 values per plane: count, min, max, sum, m2. */
export interface PlaneStats {
  z0: number;
  values: Float64Array;
}

export function planeStatistics(slab: Volume): PlaneStats {
  const [X, Y, Z] = slab.shape;
  const plane = X * Y;
  const d = slab.data;
  const values = new Float64Array(5 * Z);
  for (let z = 0; z < Z; z++) {
    const o = z * plane;
    let min = Infinity, max = -Infinity, sum = 0;
    for (let i = o; i < o + plane; i++) {
      const v = d[i];
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    const mean = sum / plane;
    let m2 = 0;
    for (let i = o; i < o + plane; i++) {
      const r = d[i] - mean;
      m2 += r * r;
    }
    values.set([plane, min, max, sum, m2], 5 * z);
  }
  return { z0: slab.origin[2], values };
}

export interface ImageStatistics {
  count: number;
  min: number;
  max: number;
  sum: number;
  mean: number;
  /** Population standard deviation (numpy's default ddof=0, as ClearMap). */
  std: number;
  var: number;
}

export function joinPlaneStatistics(parts: PlaneStats[]): ImageStatistics {
  const sorted = [...parts].sort((a, b) => a.z0 - b.z0);
  let n = 0, min = Infinity, max = -Infinity, sum = 0, mean = 0, m2 = 0;
  for (const p of sorted) {
    for (let k = 0; k < p.values.length; k += 5) {
      const [nb, mnb, mxb, sb, m2b] = p.values.subarray(k, k + 5);
      const meanB = sb / nb;
      const delta = meanB - mean;
      const tot = n + nb;
      m2 = m2 + m2b + (delta * delta * n * nb) / tot;
      mean = mean + (delta * nb) / tot;
      n = tot;
      sum += sb;
      if (mnb < min) min = mnb;
      if (mxb > max) max = mxb;
    }
  }
  const variance = n ? m2 / n : NaN;
  return { count: n, min, max, sum, mean: n ? sum / n : NaN, std: Math.sqrt(variance), var: variance };
}
