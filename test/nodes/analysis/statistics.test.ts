// Statistics kernels against scipy 1.10 reference values (test/fixtures/analysis/statistics.json,
// made by tools/analysis/make-fixtures.py). Tolerance: 1e-9 relative unless stated.
import test from 'ava';
import jStat from 'jstat';
import { loadFixture, num, relDiff } from './_helpers.js';
import {
  tTestIndependent, tTestVoxels, tTestRegions, cutoffPValues, colorPValues, studentTTwoSidedP, normalSf, besselK, incompleteBeta, logBeta, logBetaHalf,
  benjaminiHochberg, bonferroni, estimateQValues, estimatePi0, correctPValues,
  cramerVonMises2Sample, cramerVonMises2SampleClearMap, andersonKSample,
  testCompletedCumulatives, testCompletedInvertedCumulatives, groupStatistics, kolmogorovSf,
} from '../../../nodes/analysis/lib/statistics.js';

const fx = loadFixture('statistics.json');
const TOL = 1e-9;

function assertClose(t: any, got: number, want: number, what: string, tol = TOL) {
  const d = relDiff(got, want);
  if (!(d <= tol)) t.fail(`${what}: got ${got}, scipy ${want} (relative difference ${d.toExponential(2)} > ${tol})`);
  else t.pass();
}

test('ttest_ind p-values and t equal scipy (pooled and Welch, NaN and infinite cases)', (t) => {
  for (const [i, c] of fx.ttest.entries()) {
    const r = tTestIndependent(c.a, c.b, c.equalVar);
    assertClose(t, r.t, num(c.t), `case ${i} (equalVar ${c.equalVar}) t`);
    assertClose(t, r.p, num(c.p), `case ${i} (equalVar ${c.equalVar}) p`);
  }
});

test('Student t two-sided p, normal sf, Kolmogorov sf and Bessel K equal scipy (jstat error logged for comparison)', (t) => {
  let worstJstat = 0;
  for (const c of fx.studentT) {
    assertClose(t, studentTTwoSidedP(c.t, c.df), c.p, `t=${c.t} df=${c.df}`);
    const viaJstat = 2 * (1 - jStat.studentt.cdf(Math.abs(c.t), c.df));
    if (c.p > 1e-6) worstJstat = Math.max(worstJstat, relDiff(viaJstat, c.p));
  }
  t.log(`jstat studentt.cdf worst relative error on the grid (p > 1e-6): ${worstJstat.toExponential(2)}`);
  for (const c of fx.normalSf) assertClose(t, normalSf(c.z), c.sf, `norm.sf(${c.z})`);
  for (const c of fx.kolmogorovSf) assertClose(t, kolmogorovSf(c.x), c.sf, `kstwobign.sf(${c.x})`);
  for (const c of fx.besselK) assertClose(t, besselK(c.nu, c.x), c.k, `kv(${c.nu}, ${c.x})`, 1e-11);
});

test('integer-df series for Student t agrees with the incomplete beta for df 1..64 wherever it is used', (t) => {
  let worst = 0;
  for (let df = 1; df <= 64; df++) {
    for (let t10 = 0; t10 <= 200; t10++) {
      const tv = t10 / 10;
      const viaBeta = incompleteBeta(df / (df + tv * tv), df / 2, 0.5, (tv * tv) / (df + tv * tv));
      worst = Math.max(worst, relDiff(studentTTwoSidedP(tv, df), viaBeta));
    }
  }
  t.true(worst < 1e-11, `worst relative difference ${worst}`);
});

test('logBetaHalf (Stirling, used per voxel by Welch) equals log B(a, 1/2) from log-gammas', (t) => {
  let worst = 0;
  for (let a = 0.01; a < 200; a *= 1.07) worst = Math.max(worst, Math.abs(logBetaHalf(a) - logBeta(a, 0.5)) / Math.max(1, Math.abs(logBeta(a, 0.5))));
  t.true(worst < 1e-13, `worst difference ${worst}`);
});

test('voxel-wise t-test equals scipy ttest_ind(axis=0) with ClearMap NaN handling; pcutoff clips', (t) => {
  const v = fx.voxelTTest;
  const A = v.A.map((r: number[]) => Float32Array.from(r));
  const B = v.B.map((r: number[]) => Float32Array.from(r));
  const n = A[0].length;
  for (const eq of [true, false]) {
    const p = new Float64Array(n), sign = new Int8Array(n);
    tTestVoxels(A, B, p, sign, { equalVar: eq });
    const wantP = eq ? v.p_equal : v.p_welch, wantS = eq ? v.sign_equal : v.sign_welch;
    for (let i = 0; i < n; i++) {
      assertClose(t, p[i], num(wantP[i]), `voxel ${i} equalVar ${eq}`);
      t.is(sign[i], wantS[i], `sign of voxel ${i}`);
    }
    t.is(p[0], 1, 'empty voxel (NaN) → p 1');
    t.is(p[10], 0, 'zero variance, different means → p 0');
    const pc = new Float32Array(n);
    tTestVoxels(A, B, pc, undefined, { equalVar: eq, pcutoff: 0.05 });
    for (let i = 0; i < n; i++) t.true(Math.abs(pc[i] - Math.fround(Math.min(p[i], 0.05))) <= 1e-7 * Math.max(1e-30, p[i]) + 1e-45);
  }
  t.throws(() => tTestVoxels([A[0]], B, new Float64Array(n), undefined), { message: /at least 2 samples/ });
  t.throws(() => tTestVoxels(A, [B[0], new Float32Array(3)], new Float64Array(n), undefined), { message: /groupB\[1\] has 3 voxels/ });
});

test('group mean / std / var maps equal numpy (ddof 0)', (t) => {
  const A = fx.voxelTTest.A.map((r: number[]) => Float32Array.from(r));
  const n = A[0].length;
  const out = { mean: new Float64Array(n), std: new Float64Array(n), var: new Float64Array(n) };
  groupStatistics(A, out);
  for (let i = 0; i < n; i++) {
    assertClose(t, out.mean[i], fx.groupMaps.mean[i], `mean ${i}`, 1e-12);
    assertClose(t, out.std[i], fx.groupMaps.std[i], `std ${i}`, 1e-12);
    assertClose(t, out.var[i], fx.groupMaps.var[i], `var ${i}`, 1e-12);
  }
});

test('region t-test: one test per row, NaN → 1, sign, cutoff', (t) => {
  const rowsA = [[1, 2, 3, 4], [5, 5, 5, 5], [0, 0, 1, 0]];
  const rowsB = [[2, 4, 6, 9], [5, 5, 5, 5], [5, 7, 6, 9]];
  const r = tTestRegions(rowsA, rowsB);
  const want0 = tTestIndependent(rowsA[0], rowsB[0], false);
  t.is(r.p[0], want0.p);
  t.is(r.p[1], 1); t.is(r.t[1], 0); t.is(r.sign[1], 0);
  t.is(r.sign[2], -1);
  const c = tTestRegions(rowsA, rowsB, { pcutoff: 0.01, equalVar: true });
  t.true(c.p.every((p) => p <= 0.01));
  t.deepEqual(Array.from(cutoffPValues([0.5, 0.001, 0.2], 0.1)), [0.1, 0.001, 0.1]);
  t.deepEqual(Array.from(cutoffPValues([0.5, 0.001])), [0.05, 0.001], 'ClearMap default cutoff 0.05');
  t.deepEqual(Array.from(cutoffPValues([0.5, 0.001], null)), [0.5, 0.001]);
});

test('colorPValues: positive / negative colours scaled by pmax - p; trend colours with pcutoff', (t) => {
  const p = [0.01, 0.5, 0.02, 1];
  const s = [1, 1, -1, 0];
  const { data, channels } = colorPValues(p, s, { positive: [255, 0, 0], negative: [0, 255, 0] });
  t.is(channels, 3);
  t.deepEqual(Array.from(data), [0.99 * 255, 0, 0, 0.5 * 255, 0, 0, 0, 0.98 * 255, 0, 0, 0, 0].map(Math.fround));
  const c = colorPValues(p, s, { pcutoff: 0.05, positive: [1, 0, 0, 0], negative: [0, 1, 0, 0] });
  t.is(c.channels, 4);
  // significant positive → channel 0, non-significant positive → channel 2, significant negative → 1, sign 0 → negative trend (3)
  t.deepEqual(Array.from(c.data), [0.99, 0, 0, 0, 0, 0, 0.5, 0, 0, 0.98, 0, 0, 0, 0, 0, 0].map(Math.fround));
  // ClearMap's default 2-channel colours do not fit the 4-channel trend defaults: same error as ClearMap
  t.throws(() => colorPValues(p, s, { pcutoff: 0.05 }), { message: /equal length/ });
});

test('Benjamini–Hochberg, Bonferroni and Storey q-values equal ClearMap (scipy splrep pi0)', (t) => {
  for (const c of fx.multipleComparison) {
    const bh = benjaminiHochberg(c.p), bf = bonferroni(c.p), q = estimateQValues(c.p);
    assertClose(t, estimatePi0(c.p), c.pi0, `${c.name} pi0`);
    for (let i = 0; i < c.p.length; i++) {
      assertClose(t, bh[i], c.bh[i], `${c.name} BH ${i}`);
      assertClose(t, bf[i], c.bonferroni[i], `${c.name} Bonferroni ${i}`);
      assertClose(t, q[i], c.q[i], `${c.name} q ${i}`);
    }
  }
  t.deepEqual(correctPValues([0.1, 0.2], 'FWER'), bonferroni([0.1, 0.2]));
  t.throws(() => correctPValues([0.1], 'holm'), { message: /unknown method 'holm'/ });
  t.throws(() => benjaminiHochberg([0.1, 1.5]), { message: /value 1.5 at index 1/ });
});

test('Cramér–von Mises two-sample equals scipy (exact and asymptotic) and ClearMap normal approximation', (t) => {
  for (const [i, c] of fx.cramerVonMises.entries()) {
    const r = cramerVonMises2Sample(c.x, c.y);
    assertClose(t, r.statistic, c.statistic, `case ${i} T`);
    assertClose(t, r.pvalue, c.pvalue, `case ${i} p (${c.method})`);
    const [T, p] = cramerVonMises2SampleClearMap(c.x, c.y);
    assertClose(t, T, c.clearmapT, `case ${i} ClearMap T`);
    assertClose(t, p, c.clearmapP, `case ${i} ClearMap p`);
  }
  t.throws(() => cramerVonMises2Sample([1], [1, 2]), { message: /at least two observations/ });
});

test('Anderson–Darling k-sample equals scipy anderson_ksamp (midrank and right-continuous)', (t) => {
  for (const [i, c] of fx.andersonKSample.entries()) {
    const r = andersonKSample(c.samples, c.midrank);
    assertClose(t, r.statistic, c.statistic, `case ${i} statistic`);
    r.criticalValues.forEach((v, j) => assertClose(t, v, c.critical[j], `case ${i} critical ${j}`));
    assertClose(t, r.pvalue, c.pvalue, `case ${i} p`);
  }
});

test('completed cumulatives tests equal ClearMap', (t) => {
  for (const [i, set] of fx.completedCumulatives.entries()) {
    for (const c of set.results) {
      const f = c.inverted ? testCompletedInvertedCumulatives : testCompletedCumulatives;
      const [p, s] = f(set.data, c.method);
      assertClose(t, p, c.p, `data set ${i} ${c.method} inverted=${c.inverted} p`);
      assertClose(t, s, c.s, `data set ${i} ${c.method} inverted=${c.inverted} statistic`);
    }
  }
  t.true(fx.completedCumulatives.some((set: any) => set.results.some((c: any) => c.method === 'KS')));
  t.throws(() => testCompletedCumulatives([[1, 2], [3]], 'Wilcoxon' as any), { message: /'Wilcoxon' not supported/ });
  t.throws(() => testCompletedCumulatives([[1, 2], [3], [4]], 'KS'), { message: /only for 2 samples/ });
});
