// Special functions the tests need, accurate to ~1e-14 relative. jstat's Student-t CDF stops its
// continued fraction at |Δ-1| < 3e-7 and uses a 6-term log-gamma (≈1e-10), which cannot match
// scipy to 1e-9 relative; these are small, standard algorithms with tight tolerances instead.

// Lanczos approximation (g = 607/128, 15 terms; Godfrey's coefficients).
const LANCZOS_G = 607 / 128;
const LANCZOS = [
  0.99999999999999709182, 57.156235665862923517, -59.597960355475491248, 14.136097974741747174,
  -0.49191381609762019978, 0.33994649984811888699e-4, 0.46523628927048575665e-4,
  -0.98374475304879564677e-4, 0.15808870322491248884e-3, -0.21026444172410488319e-3,
  0.21743961811521264320e-3, -0.16431810653676389022e-3, 0.84418223983852743293e-4,
  -0.26190838401581408670e-4, 0.36899182659531622704e-5,
];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** log Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = LANCZOS[0];
  const t = x + LANCZOS_G + 0.5;
  for (let i = 1; i < 15; i++) a += LANCZOS[i] / (x + i);
  return HALF_LOG_2PI + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log B(a, b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

const LOG_GAMMA_HALF = 0.5 * Math.log(Math.PI); // log Γ(1/2)

/** Stirling series of log Γ(z) without the ½·log 2π term, for z >= 10 (truncation error < 1e-15). */
function stirling(z: number): number {
  const r = 1 / z, r2 = r * r;
  return (z - 0.5) * Math.log(z) - z + r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680 - r2 / 1188))));
}

/**
 * log B(a, 1/2) — the Welch test needs it for a new df at every voxel. Shifting a up to >= 10 with
 * Γ(z + 1) = z Γ(z) and using the Stirling series is ~3x cheaper than three Lanczos log-gammas.
 */
export function logBetaHalf(a: number): number {
  if (!(a > 0)) return NaN;
  let z = a, ratio = 1; // ratio = Π (a + j + 1/2) / (a + j)
  while (z < 10) { ratio *= (z + 0.5) / z; z += 1; }
  return stirling(z) - stirling(z + 0.5) + Math.log(ratio) + LOG_GAMMA_HALF;
}

const TINY = 1e-300;
const EPS = 1e-16;

/** Continued fraction of the incomplete beta (modified Lentz), as in Numerical Recipes' betacf. */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b, qap = a + 1, qam = a - 1;
  let c = 1, d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d; if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c; if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d; h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d; if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c; if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) return h;
  }
  return h; // converged to float precision long before in practice
}

/**
 * Regularised incomplete beta I_x(a, b). Pass y = 1 - x when it is known more precisely than 1 - x
 * (e.g. t²/(df + t²) for Student's t), and `lbeta` = logBeta(a, b) to skip recomputing it.
 */
export function incompleteBeta(x: number, a: number, b: number, y = 1 - x, lbeta = logBeta(a, b)): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log(y) - lbeta);
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(y, b, a)) / b;
}

/**
 * Two-sided p-value of Student's t: P(|T| >= |t|) = I_{df/(df+t²)}(df/2, 1/2) (scipy: 2 * t.sf(|t|, df)).
 * NaN t gives NaN; infinite t gives 0.
 */
export function studentTTwoSidedP(t: number, df: number, lbeta = logBeta(df / 2, 0.5)): number {
  if (Number.isNaN(t) || Number.isNaN(df)) return NaN;
  if (!Number.isFinite(t)) return 0;
  const t2 = t * t;
  const den = df + t2;
  const x = df / den, y = t2 / den;
  if (Number.isInteger(df) && df <= 64) {
    // finite series for integer df (Abramowitz & Stegun 26.7.3/4): ~10x cheaper than the continued
    // fraction; p = 1 - A loses relative accuracy as p → 0, so it is used only while p >= 1e-4
    // (relative error <= 1e-12 there)
    const p = 1 - studentAIntegerDf(x, y, t, df);
    if (p >= 1e-4) return p;
  }
  return incompleteBeta(x, df / 2, 0.5, y, lbeta);
}

/** A(t|ν) = P(|T| <= |t|) for integer ν, with x = cos²θ = ν/(ν+t²), y = sin²θ. */
function studentAIntegerDf(x: number, y: number, t: number, nu: number): number {
  if (nu % 2 === 0) {
    let term = 1, sum = 1;
    for (let k = 1; k < nu / 2; k++) { term *= (x * (2 * k - 1)) / (2 * k); sum += term; }
    return Math.sqrt(y) * sum;
  }
  const theta = Math.atan(Math.abs(t) / Math.sqrt(nu));
  if (nu === 1) return (2 / Math.PI) * theta;
  let term = 1, sum = 1;
  for (let k = 1; k <= (nu - 3) / 2; k++) { term *= (x * 2 * k) / (2 * k + 1); sum += term; }
  return (2 / Math.PI) * (theta + Math.sqrt(x * y) * sum);
}

/** Regularised upper incomplete gamma Q(a, x) (series / continued fraction, Numerical Recipes). */
export function upperIncompleteGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  const lg = logGamma(a);
  if (x < a + 1) {
    let ap = a, sum = 1 / a, del = sum;
    for (let n = 0; n < 10000; n++) {
      ap += 1; del *= x / ap; sum += del;
      if (Math.abs(del) < Math.abs(sum) * EPS) break;
    }
    return 1 - sum * Math.exp(-x + a * Math.log(x) - lg);
  }
  let b = x + 1 - a, c = 1 / TINY, d = 1 / b, h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b; if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c; if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - lg) * h;
}

/** Standard normal survival function P(Z > z) (scipy.stats.norm.sf). */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  // erfc(u) = Q(1/2, u²) for u >= 0
  const u = z / Math.SQRT2;
  const erfcAbs = upperIncompleteGamma(0.5, u * u);
  return u >= 0 ? 0.5 * erfcAbs : 1 - 0.5 * erfcAbs;
}

/**
 * Modified Bessel function of the second kind K_ν(x), x > 0, from K_ν(x) = ∫₀^∞ e^{-x cosh t} cosh(νt) dt.
 * The integrand is analytic and decays double-exponentially, so the trapezoid rule converges
 * exponentially; the step scales with the integrand's width (~1/√x).
 */
export function besselK(nu: number, x: number): number {
  if (!(x > 0)) throw new Error(`besselK: x must be > 0, got ${x}`);
  // integrate e^{-x (cosh t - 1)} cosh(νt) and multiply by e^{-x} afterwards (no underflow for large x)
  const h = Math.min(0.05, 0.1 / Math.sqrt(x));
  const tMax = Math.acosh(1 + 745 / x);
  let sum = 0.5; // t = 0 term: e^0 * cosh 0 / 2
  for (let t = h; t <= tMax; t += h) {
    const sh = Math.sinh(t / 2); // cosh t - 1 = 2 sinh²(t/2), exact for small t
    const term = Math.exp(-2 * x * sh * sh) * Math.cosh(nu * t);
    sum += term;
    if (term < 1e-18 * sum) break;
  }
  return Math.exp(-x) * sum * h;
}
