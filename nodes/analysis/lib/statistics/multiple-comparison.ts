// Multiple comparison corrections, as ClearMap's Analysis/Tools/MultipleComparisonCorrection.py:
// correctPValues (BH = FDR, B = FWER = Bonferroni) and estimateQValues (Storey & Tibshirani 2003).

function checkPValues(p: ArrayLike<number>, where: string): void {
  for (let i = 0; i < p.length; i++) {
    const v = p[i];
    if (!(v >= 0 && v <= 1)) throw new Error(`${where}: p-values must lie in [0, 1]; value ${v} at index ${i}`);
  }
}

/** Indices sorting p ascending (ties keep input order; tied p-values get equal corrections anyway). */
function ascendingOrder(p: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(p.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => p[a] - p[b] || a - b);
}

/** Benjamini–Hochberg adjusted p-values: min over k >= rank of p_(k) * n / k, capped at 1. */
export function benjaminiHochberg(pvalues: ArrayLike<number>): Float64Array {
  checkPValues(pvalues, 'benjaminiHochberg');
  const n = pvalues.length;
  const order = ascendingOrder(pvalues);
  const out = new Float64Array(n);
  let running = Infinity;
  for (let r = n - 1; r >= 0; r--) {
    const i = order[r];
    // ClearMap: p_sorted / (rank / n) with rank = r + 1
    const v = pvalues[i] / ((r + 1) / n);
    if (v < running) running = v;
    out[i] = running > 1 ? 1 : running;
  }
  return out;
}

/** Bonferroni: n * p capped at 1. */
export function bonferroni(pvalues: ArrayLike<number>): Float64Array {
  checkPValues(pvalues, 'bonferroni');
  const n = pvalues.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(1, n * pvalues[i]);
  return out;
}

export type CorrectionMethod = 'BH' | 'FDR' | 'B' | 'FWER' | 'Bonferroni';

/** ClearMap's correctPValues(pvalues, method): 'BH'/'FDR' → Benjamini–Hochberg, 'B'/'FWER'/'Bonferroni' → Bonferroni. */
export function correctPValues(pvalues: ArrayLike<number>, method: CorrectionMethod | string = 'BH'): Float64Array {
  const m = method.toLowerCase();
  if (m === 'bh' || m === 'fdr') return benjaminiHochberg(pvalues);
  if (m === 'b' || m === 'fwer' || m === 'bonferroni') return bonferroni(pvalues);
  throw new Error(`correctPValues: unknown method '${method}', expected 'BH', 'FDR', 'B', 'FWER' or 'Bonferroni'`);
}

/**
 * Storey's π0 as ClearMap estimates it: π0(λ) = #{p > λ} / (m (1 - λ)) for λ = 0, 0.01, …, 0.89, then a
 * cubic interpolating spline through those points evaluated at λ = 0.89. An interpolating spline
 * evaluated at its last knot returns the last data value, so this is exactly π0(0.89) (scipy's
 * splrep/splev reproduce it to rounding). Fewer than 100 p-values → π0 = 1, as ClearMap. Capped at 1.
 */
export function estimatePi0(pvalues: ArrayLike<number>, m = pvalues.length): number {
  if (pvalues.length < 100) return 1;
  const lambda = 89 * 0.01; // numpy.arange(0, 0.90, 0.01)[-1]
  let above = 0;
  for (let i = 0; i < pvalues.length; i++) if (pvalues[i] > lambda) above++;
  const pi0 = above / (m * (1 - lambda));
  return pi0 > 1 ? 1 : pi0;
}

/**
 * Storey–Tibshirani q-values (ClearMap estimateQValues): q_(i) = min(π0 m p_(i) / i, q_(i+1)),
 * q_(m) = min(π0 p_(m), 1). `pi0` given → used as is (must be in [0, 1]).
 */
export function estimateQValues(pvalues: ArrayLike<number>, opts: { m?: number; pi0?: number } = {}): Float64Array {
  checkPValues(pvalues, 'estimateQValues');
  const n = pvalues.length;
  const m = opts.m ?? n;
  const pi0 = opts.pi0 ?? estimatePi0(pvalues, m);
  if (!(pi0 >= 0 && pi0 <= 1)) throw new Error(`estimateQValues: pi0 must lie in [0, 1], got ${pi0}`);
  const out = new Float64Array(n);
  if (n === 0) return out;
  const order = ascendingOrder(pvalues);
  let next = Math.min(((pi0 * m) / n) * pvalues[order[n - 1]], 1);
  out[order[n - 1]] = next;
  for (let r = n - 2; r >= 0; r--) {
    const i = order[r];
    const q = (pi0 * m * pvalues[i]) / (r + 1);
    next = q < next ? q : next;
    out[i] = next;
  }
  return out;
}
