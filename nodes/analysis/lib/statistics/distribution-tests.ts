// Distribution comparison tests: ClearMap's Analysis/Tools/StatisticalTests.py (its normal-approximation
// Cramér–von Mises test), scipy's cramervonmises_2samp (exact / asymptotic) and anderson_ksamp, and
// ClearMap's completed-cumulatives tests from Analysis/Statistics.py.
import { besselK, normalSf } from './special.js';

/** Average ranks (1-based) with ties sharing their mean rank, as scipy.stats.rankdata. */
export function rankAverage(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]] === x[order[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = r;
    i = j + 1;
  }
  return ranks;
}

function sorted(x: ArrayLike<number>): Float64Array {
  const s = Float64Array.from(x as ArrayLike<number>);
  for (let i = 0; i < s.length; i++) if (Number.isNaN(s[i])) throw new Error(`sample contains NaN at index ${i}`);
  return s.sort();
}

/** U of Anderson (1962) eq. 10 from the two samples. */
function cvmU(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const nx = x.length, ny = y.length;
  const all = new Float64Array(nx + ny);
  all.set(sorted(x), 0); all.set(sorted(y), nx);
  const r = rankAverage(all);
  let u1 = 0, u2 = 0;
  for (let i = 0; i < nx; i++) { const d = r[i] - (i + 1); u1 += d * d; }
  for (let j = 0; j < ny; j++) { const d = r[nx + j] - (j + 1); u2 += d * d; }
  return nx * u1 + ny * u2;
}

/**
 * ClearMap's testCramerVonMises2Sample: T of Anderson (1962) eq. 9 and a two-sided normal-approximation
 * p-value 2·sf(|T - E[T]| / sd(T)). Returns [T, p].
 */
export function cramerVonMises2SampleClearMap(x: ArrayLike<number>, y: ArrayLike<number>): [number, number] {
  const N = x.length, M = y.length;
  if (N < 1 || M < 1) throw new Error(`cramerVonMises2SampleClearMap: both samples need values, got ${N} and ${M}`);
  // ClearMap ranks each sample within itself with midranks too (scipy uses positions 1..n), which
  // only differs when a sample has ties.
  const all = new Float64Array(N + M);
  all.set(x as ArrayLike<number>, 0); all.set(y as ArrayLike<number>, N);
  const r = rankAverage(all), rx = rankAverage(x), ry = rankAverage(y);
  let ux = 0, uy = 0;
  for (let i = 0; i < N; i++) { const d = r[i] - rx[i]; ux += d * d; }
  for (let j = 0; j < M; j++) { const d = r[N + j] - ry[j]; uy += d * d; }
  const U = N * ux + M * uy;
  const T = U / (N * M * (N + M)) - (4 * M * N - 1) / (6 * (M + N));
  const expected = 1 / 6 + 1 / (6 * (M + N));
  const variance = (1 / 45) * ((M + N + 1) / ((M + N) * (M + N))) * (4 * M * N * (M + N) - 3 * (M * M + N * N) - 2 * M * N) / (4 * M * N);
  const z = Math.abs(T - expected) / Math.sqrt(variance);
  return [T, 2 * normalSf(z)];
}

/** CDF of the limiting one-sample Cramér–von Mises distribution (scipy _cdf_cvm_inf, same series and stop rule). */
export function cdfCvmInf(x: number): number {
  let tot = 0;
  let ratio = Math.sqrt(Math.PI); // Γ(k + 1/2) / Γ(k + 1) at k = 0
  for (let k = 0; k < 1000; k++) {
    const u = ratio / (Math.pow(Math.PI, 1.5) * Math.sqrt(x));
    const y = 4 * k + 1;
    const q = (y * y) / (16 * x);
    const z = u * Math.sqrt(y) * Math.exp(-q) * besselK(0.25, q);
    tot += z;
    if (!(Math.abs(z) >= 1e-7)) break;
    ratio *= (k + 0.5) / (k + 1);
  }
  return tot;
}

function gcd(a: number, b: number): number { while (b) { [a, b] = [b, a % b]; } return a; }

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** Exact p-value of the two-sample CvM statistic U (Xiao, Gordon & Yakovlev 2006), as scipy's _pval_cvm_2samp_exact. */
function cvmExactP(u: number, m: number, n: number): number {
  const lcm = (m * n) / gcd(m, n);
  const a = lcm / m, b = lcm / n;
  const mn = m * n;
  const zeta = Math.floor((lcm * lcm * (m + n) * (6 * u - mn * (4 * mn - 1))) / (6 * mn * mn));
  // gs[v]: frequency table value -> count of g⁺_{u,v}
  let gs: Map<number, number>[] = [new Map([[0, 1]])];
  for (let v = 1; v <= m; v++) gs.push(new Map());
  for (let uu = 0; uu <= n; uu++) {
    const next: Map<number, number>[] = [];
    let tmp = new Map<number, number>();
    for (let v = 0; v <= m; v++) {
      const merged = new Map(tmp);
      for (const [val, f] of gs[v]) merged.set(val, (merged.get(val) ?? 0) + f);
      const shift = (a * v - b * uu) ** 2;
      tmp = new Map();
      for (const [val, f] of merged) tmp.set(val + shift, f);
      next.push(tmp);
    }
    gs = next;
  }
  let count = 0;
  for (const [val, f] of gs[m]) if (val >= zeta) count += f;
  return count / binomial(m + n, m);
}

export type CvmMethod = 'auto' | 'exact' | 'asymptotic';

/** scipy.stats.cramervonmises_2samp: statistic T and p-value; 'auto' = exact when both samples have <= 20 values. */
export function cramerVonMises2Sample(x: ArrayLike<number>, y: ArrayLike<number>, method: CvmMethod = 'auto'): { statistic: number; pvalue: number } {
  const nx = x.length, ny = y.length;
  if (nx <= 1 || ny <= 1) throw new Error(`cramerVonMises2Sample: x and y need at least two observations, got ${nx} and ${ny}`);
  if (!['auto', 'exact', 'asymptotic'].includes(method)) throw new Error(`cramerVonMises2Sample: method must be 'auto', 'exact' or 'asymptotic', got '${method}'`);
  const m = method === 'auto' ? (Math.max(nx, ny) > 20 ? 'asymptotic' : 'exact') : method;
  const u = cvmU(x, y);
  const k = nx * ny, N = nx + ny;
  const t = u / (k * N) - (4 * k - 1) / (6 * N);
  if (m === 'exact') return { statistic: t, pvalue: cvmExactP(u, nx, ny) };
  const et = (1 + 1 / N) / 6;
  const vt = ((N + 1) * (4 * k * N - 3 * (nx * nx + ny * ny) - 2 * k)) / (45 * N * N * 4 * k);
  const tn = 1 / 6 + (t - et) / Math.sqrt(45 * vt);
  const p = tn < 0.003 ? 1 : Math.max(0, 1 - cdfCvmInf(tn));
  return { statistic: t, pvalue: p };
}

function lowerBound(s: Float64Array, v: number): number {
  let lo = 0, hi = s.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (s[mid] < v) lo = mid + 1; else hi = mid; }
  return lo;
}
function upperBound(s: Float64Array, v: number): number {
  let lo = 0, hi = s.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (s[mid] <= v) lo = mid + 1; else hi = mid; }
  return lo;
}

/** Least-squares polynomial of degree 2 (numpy.polyfit(x, y, 2)) via Householder QR; returns [c2, c1, c0]. */
function quadraticFit(x: ArrayLike<number>, y: ArrayLike<number>): [number, number, number] {
  const n = x.length, p = 3;
  const A = Array.from({ length: n }, (_, i) => [x[i] * x[i], x[i], 1]);
  const b = Array.from(y as ArrayLike<number>);
  for (let j = 0; j < p; j++) {
    let norm = 0;
    for (let i = j; i < n; i++) norm += A[i][j] * A[i][j];
    norm = Math.sqrt(norm);
    const alpha = A[j][j] > 0 ? -norm : norm;
    const v = new Array(n).fill(0);
    for (let i = j; i < n; i++) v[i] = A[i][j];
    v[j] -= alpha;
    let vv = 0;
    for (let i = j; i < n; i++) vv += v[i] * v[i];
    if (vv === 0) continue;
    for (let c = j; c < p; c++) {
      let d = 0;
      for (let i = j; i < n; i++) d += v[i] * A[i][c];
      const f = (2 * d) / vv;
      for (let i = j; i < n; i++) A[i][c] -= f * v[i];
    }
    let d = 0;
    for (let i = j; i < n; i++) d += v[i] * b[i];
    const f = (2 * d) / vv;
    for (let i = j; i < n; i++) b[i] -= f * v[i];
  }
  const c = [0, 0, 0];
  for (let j = p - 1; j >= 0; j--) {
    let s = b[j];
    for (let k = j + 1; k < p; k++) s -= A[j][k] * c[k];
    c[j] = s / A[j][j];
  }
  return [c[0], c[1], c[2]];
}

const AD_SIGNIFICANCE = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];
const AD_B0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
const AD_B1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
const AD_B2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];

export interface AndersonKSampleResult { statistic: number; criticalValues: number[]; pvalue: number }

/**
 * scipy.stats.anderson_ksamp (Scholz & Stephens 1987): normalised k-sample statistic, critical values for
 * 25%..0.1%, and the p-value interpolated from them (capped at 0.25, floored at 0.001, like scipy).
 */
export function andersonKSample(samples: readonly ArrayLike<number>[], midrank = true): AndersonKSampleResult {
  const k = samples.length;
  if (k < 2) throw new Error('andersonKSample: needs at least two samples');
  const s = samples.map((x, i) => { if (x.length === 0) throw new Error(`andersonKSample: sample ${i} has no observations`); return sorted(x); });
  const n = s.map((x) => x.length);
  const N = n.reduce((a, b) => a + b, 0);
  const Z = new Float64Array(N);
  { let o = 0; for (const x of s) { Z.set(x, o); o += x.length; } Z.sort(); }
  const Zstar: number[] = [];
  for (let i = 0; i < N; i++) if (i === 0 || Z[i] !== Z[i - 1]) Zstar.push(Z[i]);
  if (Zstar.length < 2) throw new Error('andersonKSample: needs more than one distinct observation');

  let A2kN = 0;
  if (midrank) {
    for (let i = 0; i < k; i++) {
      let inner = 0;
      for (const z of Zstar) {
        const left = lowerBound(Z, z);
        const lj = upperBound(Z, z) - left;
        const Bj = left + lj / 2;
        const right = upperBound(s[i], z);
        const fij = right - lowerBound(s[i], z);
        const Mij = right - fij / 2;
        inner += ((lj / N) * (N * Mij - Bj * n[i]) ** 2) / (Bj * (N - Bj) - (N * lj) / 4);
      }
      A2kN += inner / n[i];
    }
    A2kN *= (N - 1) / N;
  } else {
    for (let i = 0; i < k; i++) {
      let inner = 0, Bj = 0;
      for (let j = 0; j < Zstar.length - 1; j++) {
        const z = Zstar[j];
        const lj = upperBound(Z, z) - lowerBound(Z, z);
        Bj += lj;
        const Mij = upperBound(s[i], z);
        inner += ((lj / N) * (N * Mij - Bj * n[i]) ** 2) / (Bj * (N - Bj));
      }
      A2kN += inner / n[i];
    }
  }

  const H = n.reduce((a, ni) => a + 1 / ni, 0);
  // hs_cs = cumsum(1 / arange(N-1, 1, -1)); h = hs_cs[-1] + 1; g = sum(hs_cs / arange(2, N))
  let cum = 0, g = 0;
  for (let j = 0, d = N - 1; d > 1; j++, d--) { cum += 1 / d; g += cum / (j + 2); }
  const h = cum + 1;
  const a = (4 * g - 6) * (k - 1) + (10 - 6 * g) * H;
  const b = (2 * g - 4) * k * k + 8 * h * k + (2 * g - 14 * h - 4) * H - 8 * h + 4 * g - 6;
  const c = (6 * h + 2 * g - 2) * k * k + (4 * h - 4 * g + 6) * k + (2 * h - 6) * H + 4 * h;
  const d = (2 * h + 6) * k * k - 4 * h * k;
  const sigmasq = (a * N ** 3 + b * N ** 2 + c * N + d) / ((N - 1) * (N - 2) * (N - 3));
  const m = k - 1;
  const A2 = (A2kN - m) / Math.sqrt(sigmasq);
  const critical = AD_B0.map((b0, i) => b0 + AD_B1[i] / Math.sqrt(m) + AD_B2[i] / m);
  let p: number;
  if (A2 < Math.min(...critical)) p = 0.25;
  else if (A2 > Math.max(...critical)) p = 0.001;
  else {
    const [c2, c1, c0] = quadraticFit(critical, AD_SIGNIFICANCE.map(Math.log));
    p = Math.exp((c2 * A2 + c1) * A2 + c0);
  }
  return { statistic: A2, criticalValues: critical, pvalue: p };
}

/** Survival function of the limiting Kolmogorov distribution, P(K > x) (scipy.stats.kstwobign.sf). */
export function kolmogorovSf(x: number): number {
  if (!(x > 0)) return 1;
  if (x < 1) {
    // theta-function form of the CDF converges fast for small x: sqrt(2π)/x Σ exp(-(2k-1)²π²/(8x²))
    let cdf = 0;
    for (let k = 1; k < 100; k++) {
      const term = Math.exp(-((2 * k - 1) ** 2) * Math.PI * Math.PI / (8 * x * x));
      cdf += term;
      if (term < 1e-17 * cdf || term === 0) break;
    }
    return 1 - (Math.sqrt(2 * Math.PI) / x) * cdf;
  }
  let sf = 0;
  for (let k = 1; k < 100; k++) {
    const term = Math.exp(-2 * k * k * x * x);
    sf += k % 2 ? term : -term;
    if (term < 1e-17 * sf) break;
  }
  return 2 * sf;
}

/**
 * Two-sample Kolmogorov–Smirnov test as in the scipy of ClearMap 0.9.2's time (scipy <= 0.19 ks_2samp):
 * D = max |F1 - F2| and the asymptotic p-value kstwobign.sf((√en + 0.12 + 0.11/√en) · D), en = n1 n2 / (n1 + n2).
 * (Modern scipy computes exact p-values for small samples; ClearMap's results used this formula.)
 */
export function kolmogorovSmirnov2SampleClearMap(x: ArrayLike<number>, y: ArrayLike<number>): [number, number] {
  const a = sorted(x), b = sorted(y);
  const n1 = a.length, n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new Error(`kolmogorovSmirnov2SampleClearMap: both samples need values, got ${n1} and ${n2}`);
  let d = 0;
  for (const v of [a, b]) for (let i = 0; i < v.length; i++) {
    const diff = Math.abs(upperBound(a, v[i]) / n1 - upperBound(b, v[i]) / n2);
    if (diff > d) d = diff;
  }
  const en = Math.sqrt((n1 * n2) / (n1 + n2));
  return [d, kolmogorovSf((en + 0.12 + 0.11 / en) * d)];
}

export type CompletedCumulativesMethod = 'AndersonDarling' | 'AD' | 'CramervonMises' | 'CM' | 'KolmogorovSmirnov' | 'KS';

function completedTest(datac: Float64Array[], method: string): [number, number] {
  if (method === 'AndersonDarling' || method === 'AD') {
    const r = andersonKSample(datac);
    return [r.pvalue, r.statistic];
  }
  if (method === 'CramervonMises' || method === 'CM') {
    if (datac.length !== 2) throw new Error(`CramervonMises only for 2 samples, not ${datac.length}`);
    const [s, p] = cramerVonMises2SampleClearMap(datac[0], datac[1]);
    return [p, s];
  }
  if (method === 'KolmogorovSmirnov' || method === 'KS') {
    if (datac.length !== 2) throw new Error(`KolmogorovSmirnov only for 2 samples, not ${datac.length}`);
    const [s, p] = kolmogorovSmirnov2SampleClearMap(datac[0], datac[1]);
    return [p, s];
  }
  throw new Error(`completed cumulatives test: method '${method}' not supported; use 'AndersonDarling'/'AD', 'CramervonMises'/'CM' or 'KolmogorovSmirnov'/'KS'`);
}

function completionOffset(data: readonly ArrayLike<number>[], offset?: number): { nm: number; mm: number; offset: number } {
  if (data.length < 2) throw new Error('completed cumulatives test: needs at least two data sets');
  let nm = 0, mm = -Infinity;
  data.forEach((x, i) => {
    if (x.length === 0) throw new Error(`completed cumulatives test: data set ${i} is empty`);
    nm = Math.max(nm, x.length);
    for (let j = 0; j < x.length; j++) if (x[j] > mm) mm = x[j];
  });
  // ClearMap: "assume data starts at 0", offset = max value / max size (float division here)
  return { nm, mm, offset: offset ?? mm / nm };
}

/**
 * ClearMap's testCompletedCumulatives: pad the smaller data sets up to the largest size with the value
 * max + offset, then compare the distributions. Returns [p, statistic] (ClearMap's order).
 */
export function testCompletedCumulatives(data: readonly ArrayLike<number>[], method: CompletedCumulativesMethod = 'AndersonDarling', offset?: number): [number, number] {
  const { nm, mm, offset: off } = completionOffset(data, offset);
  const datac = data.map((x) => {
    const out = new Float64Array(nm).fill(mm + off);
    out.set(x as ArrayLike<number>, 0);
    return out;
  });
  return completedTest(datac, method);
}

/** ClearMap's testCompletedInvertedCumulatives: negate the data and pad with `offset` (default max/size). */
export function testCompletedInvertedCumulatives(data: readonly ArrayLike<number>[], method: CompletedCumulativesMethod = 'AndersonDarling', offset?: number): [number, number] {
  const { nm, offset: off } = completionOffset(data, offset);
  const datac = data.map((x) => {
    const out = new Float64Array(nm).fill(off);
    for (let j = 0; j < x.length; j++) out[j] = -x[j];
    return out;
  });
  return completedTest(datac, method);
}
