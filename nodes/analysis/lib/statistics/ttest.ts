// Two-sample t-tests as ClearMap's Analysis/Statistics.py (tTestVoxelization, tTestPointsInRegions,
// cutoffPValues, colorPValues), computed like scipy.stats.ttest_ind (variance with ddof = 1).
// Deviation: both tests default to Welch's unequal-variance test (issue 6); ClearMap 0.9.2 uses the
// pooled (equal-variance) test for voxels and Welch for regions. Pass equalVar: true for the pooled test.
import type { TypedArray } from '../../../../engine/data/volume.js';
import { logBeta, logBetaHalf, studentTTwoSidedP } from './special.js';

export interface TTestResult { t: number; p: number; df: number }

function meanVar(x: ArrayLike<number>): [number, number] {
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  const m = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) { const d = x[i] - m; ss += d * d; }
  return [m, ss / (n - 1)];
}

/** t statistic and degrees of freedom from group means, variances (ddof 1) and sizes, as scipy. */
function tAndDf(m1: number, v1: number, n1: number, m2: number, v2: number, n2: number, equalVar: boolean): [number, number] {
  if (equalVar) {
    const df = n1 + n2 - 2;
    const pooled = ((n1 - 1) * v1 + (n2 - 1) * v2) / df;
    return [(m1 - m2) / Math.sqrt(pooled * (1 / n1 + 1 / n2)), df];
  }
  const vn1 = v1 / n1, vn2 = v2 / n2;
  let df = ((vn1 + vn2) * (vn1 + vn2)) / ((vn1 * vn1) / (n1 - 1) + (vn2 * vn2) / (n2 - 1));
  if (Number.isNaN(df)) df = 1; // scipy: both variances zero
  return [(m1 - m2) / Math.sqrt(vn1 + vn2), df];
}

/** scipy.stats.ttest_ind(a, b, equal_var) for one pair of samples (each needs at least 2 values). */
export function tTestIndependent(a: ArrayLike<number>, b: ArrayLike<number>, equalVar = false): TTestResult {
  if (a.length < 2 || b.length < 2) throw new Error(`tTestIndependent: each group needs at least 2 values, got ${a.length} and ${b.length}`);
  const [m1, v1] = meanVar(a);
  const [m2, v2] = meanVar(b);
  const [t, df] = tAndDf(m1, v1, a.length, m2, v2, b.length, equalVar);
  return { t, df, p: studentTTwoSidedP(t, df) };
}

export interface VoxelTTestOptions {
  /** Pooled-variance test (ClearMap's tTestVoxelization); default false = Welch. */
  equalVar?: boolean;
  /** NaN p-values (e.g. all values equal in both groups) → p = 1, sign 0, as ClearMap's removeNaN. Default true. */
  removeNaN?: boolean;
  /** Clip p-values above this to it (ClearMap's cutoffPValues); undefined = no clipping. */
  pcutoff?: number;
}

/**
 * Voxel-wise t-test over equally long arrays (one per sample; e.g. the same z-slab of every heat
 * map). Writes p-values into `pOut` and, if given, sign(t) (-1, 0, +1; A > B is +1) into `signOut`.
 * No allocation per voxel (four float64 buffers per call); call it slab by slab so whole groups never
 * need to be in memory.
 */
export function tTestVoxels(
  groupA: readonly TypedArray[], groupB: readonly TypedArray[],
  pOut: Float32Array | Float64Array, signOut: Float32Array | Float64Array | Int8Array | undefined,
  opts: VoxelTTestOptions = {},
): void {
  const n1 = groupA.length, n2 = groupB.length;
  if (n1 < 2 || n2 < 2) throw new Error(`tTestVoxels: each group needs at least 2 samples, got ${n1} and ${n2}`);
  const len = pOut.length;
  for (const [name, g] of [['groupA', groupA], ['groupB', groupB]] as const) {
    g.forEach((a, k) => { if (a.length !== len) throw new Error(`tTestVoxels: ${name}[${k}] has ${a.length} voxels, expected ${len}`); });
  }
  if (signOut && signOut.length !== len) throw new Error(`tTestVoxels: sign output has ${signOut.length} voxels, expected ${len}`);
  const equalVar = opts.equalVar ?? false;
  const removeNaN = opts.removeNaN ?? true;
  const cutoff = opts.pcutoff ?? Infinity;
  const dfPooled = n1 + n2 - 2;
  const lbetaPooled = logBeta(dfPooled / 2, 0.5);
  const scalePooled = 1 / n1 + 1 / n2;

  // Sums run sample by sample over contiguous arrays (streaming, ~1 ns per value); indexing
  // group[k][i] voxel by voxel costs ~70 ns per voxel because V8 reloads every group[k].
  const [m1, ss1] = meanAndSquares(groupA, len);
  const [m2, ss2] = meanAndSquares(groupB, len);
  for (let i = 0; i < len; i++) {
    const d1 = ss1[i], d2 = ss2[i], diff = m1[i] - m2[i];
    let t: number, p: number;
    if (equalVar) {
      t = diff / Math.sqrt(((d1 + d2) / dfPooled) * scalePooled);
      p = studentTTwoSidedP(t, dfPooled, lbetaPooled);
    } else {
      const vn1 = d1 / (n1 - 1) / n1, vn2 = d2 / (n2 - 1) / n2;
      let df = ((vn1 + vn2) * (vn1 + vn2)) / ((vn1 * vn1) / (n1 - 1) + (vn2 * vn2) / (n2 - 1));
      if (df !== df) df = 1;
      t = diff / Math.sqrt(vn1 + vn2);
      // infinite t (zero variance, different means) needs no beta function
      p = t !== t ? NaN : (t === Infinity || t === -Infinity) ? 0 : studentTTwoSidedP(t, df, logBetaHalf(df / 2));
    }
    if (p !== p && removeNaN) { p = 1; t = 0; }
    pOut[i] = p > cutoff ? cutoff : p;
    if (signOut) signOut[i] = t > 0 ? 1 : t < 0 ? -1 : 0;
  }
}

/** Per-voxel mean and sum of squared deviations (two passes, as numpy) over the arrays of one group. */
export function meanAndSquares(group: readonly TypedArray[], len: number): [Float64Array, Float64Array] {
  const n = group.length;
  const mean = new Float64Array(len), ss = new Float64Array(len);
  for (let k = 0; k < n; k++) { const a = group[k]; for (let i = 0; i < len; i++) mean[i] += a[i]; }
  for (let i = 0; i < len; i++) mean[i] /= n;
  for (let k = 0; k < n; k++) { const a = group[k]; for (let i = 0; i < len; i++) { const d = a[i] - mean[i]; ss[i] += d * d; } }
  return [mean, ss];
}

/** ClearMap's cutoffPValues: a copy with values above pcutoff (default 0.05, as ClearMap) set to pcutoff; null → plain copy. */
export function cutoffPValues(pvalues: ArrayLike<number>, pcutoff: number | null = 0.05): Float64Array {
  const out = Float64Array.from(pvalues);
  if (pcutoff === null) return out;
  for (let i = 0; i < out.length; i++) if (out[i] > pcutoff) out[i] = pcutoff;
  return out;
}

export interface ColorPValuesOptions {
  /** Colour weights for positive (A > B) and negative differences; ClearMap's defaults [1,0] and [0,1]. */
  positive?: number[];
  negative?: number[];
  /** If given, voxels with p >= pcutoff use the *trend* colours instead. */
  pcutoff?: number;
  positiveTrend?: number[];
  negativeTrend?: number[];
  /** Intensity is pmax - p; default pmax = max(p). */
  pmax?: number;
}

/**
 * ClearMap's colorPValues: intensity (pmax - p) times a colour chosen by the sign of the difference
 * (and, with pcutoff, by significance). Returns channels interleaved (voxel-major, channel fastest)
 * and the channel count. Sign 0 voxels stay black without pcutoff; with pcutoff they count as
 * negative, exactly as ClearMap's `numpy.negative(ids)` does.
 */
export function colorPValues(pvalues: ArrayLike<number>, sign: ArrayLike<number>, opts: ColorPValuesOptions = {}): { data: Float32Array; channels: number } {
  const n = pvalues.length;
  if (sign.length !== n) throw new Error(`colorPValues: sign has ${sign.length} values, p-values ${n}`);
  const positive = opts.positive ?? [1, 0];
  const negative = opts.negative ?? [0, 1];
  let pmax = opts.pmax;
  if (pmax === undefined) { pmax = -Infinity; for (let i = 0; i < n; i++) if (pvalues[i] > pmax) pmax = pvalues[i]; }
  if (opts.pcutoff === undefined) {
    const d = positive.length;
    if (negative.length !== d) throw new Error(`colorPValues: positive and negative colours must have equal length (${d} vs ${negative.length})`);
    const out = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const w = sign[i] > 0 ? positive : sign[i] < 0 ? negative : null;
      if (!w) continue;
      const v = pmax - pvalues[i];
      for (let c = 0; c < d; c++) out[i * d + c] = v * w[c];
    }
    return { data: out, channels: d };
  }
  const positiveTrend = opts.positiveTrend ?? [0, 0, 1, 0];
  const negativeTrend = opts.negativeTrend ?? [0, 0, 0, 1];
  const d = positiveTrend.length;
  if (positive.length !== d || negative.length !== d || negativeTrend.length !== d) {
    throw new Error('colorPValues: positive, negative, positiveTrend and negativeTrend must have equal length when pcutoff is given');
  }
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const significant = pvalues[i] < opts.pcutoff;
    const w = sign[i] > 0 ? (significant ? positive : positiveTrend) : (significant ? negative : negativeTrend);
    const v = pmax - pvalues[i];
    for (let c = 0; c < d; c++) out[i * d + c] = v * w[c];
  }
  return { data: out, channels: d };
}

export interface RegionTTestResult { t: Float64Array; p: Float64Array; sign: Int8Array }

/**
 * ClearMap's tTestPointsInRegions: one t-test per row of two count tables (rows = regions, columns =
 * samples). NaN p-values → 1 and t → 0 (removeNaN), then optional pcutoff.
 */
export function tTestRegions(countsA: readonly ArrayLike<number>[], countsB: readonly ArrayLike<number>[], opts: VoxelTTestOptions = {}): RegionTTestResult {
  if (countsA.length !== countsB.length) throw new Error(`tTestRegions: group tables have ${countsA.length} and ${countsB.length} rows`);
  const n = countsA.length;
  const t = new Float64Array(n), p = new Float64Array(n), sign = new Int8Array(n);
  const removeNaN = opts.removeNaN ?? true;
  for (let r = 0; r < n; r++) {
    const res = tTestIndependent(countsA[r], countsB[r], opts.equalVar ?? false);
    let tv = res.t, pv = res.p;
    if (pv !== pv && removeNaN) { pv = 1; tv = 0; }
    if (opts.pcutoff !== undefined && pv > opts.pcutoff) pv = opts.pcutoff;
    t[r] = tv; p[r] = pv; sign[r] = tv > 0 ? 1 : tv < 0 ? -1 : 0;
  }
  return { t, p, sign };
}
