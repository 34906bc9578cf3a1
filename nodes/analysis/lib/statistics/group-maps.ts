// Voxel-wise group mean / standard deviation / variance (ClearMap's Statistics.mean/std/var, which use
// numpy's ddof = 0). Works on arrays of the same slab of every sample, so a caller can stream a
// group of large heat maps z-slab by z-slab without holding whole volumes.
import type { TypedArray } from '../../../../engine/data/volume.js';
import { meanAndSquares } from './ttest.js';

export interface GroupMapOutputs {
  mean?: Float32Array | Float64Array;
  std?: Float32Array | Float64Array;
  var?: Float32Array | Float64Array;
}

/** Fill the requested outputs for one slab. `ddof` 0 as numpy/ClearMap; 1 gives the sample variance. */
export function groupStatistics(group: readonly TypedArray[], out: GroupMapOutputs, ddof = 0): void {
  const n = group.length;
  if (n === 0) throw new Error('groupStatistics: the group is empty');
  const len = group[0].length;
  group.forEach((a, k) => { if (a.length !== len) throw new Error(`groupStatistics: sample ${k} has ${a.length} voxels, sample 0 has ${len}`); });
  for (const [name, o] of Object.entries(out)) if (o && o.length !== len) throw new Error(`groupStatistics: output '${name}' has ${o.length} voxels, expected ${len}`);
  if (n - ddof <= 0 && (out.std || out.var)) throw new Error(`groupStatistics: ddof ${ddof} needs more than ${ddof} samples, got ${n}`);
  const { mean, std, var: variance } = out;
  // sample-major passes over contiguous arrays (see tTestVoxels for why)
  const [m, ss] = meanAndSquares(group, len);
  for (let i = 0; i < len; i++) {
    if (mean) mean[i] = m[i];
    if (!variance && !std) continue;
    const v = ss[i] / (n - ddof);
    if (variance) variance[i] = v;
    if (std) std[i] = Math.sqrt(v);
  }
}
