// Filter kernels exactly as ClearMap 0.9.2 builds them (ImageProcessing/Filter/FilterKernel.py,
// filterKernel3D). Kernels are indexed [x, y, z] with x fastest, like volumes; a kernel of size s
// along an axis has its centre at floor(s / 2), as scipy.ndimage.correlate places it.
//
// Sample positions: for odd s they are -(s-1)/2 .. (s-1)/2; for even s = 2k they are -k+0.5 .. k-0.5
// (ClearMap adds 0.5 so even kernels stay symmetric).
export type FilterType = 'mean' | 'gaussian' | 'log' | 'dog' | 'sphere' | 'disk';
export const FILTER_TYPES: readonly FilterType[] = ['mean', 'gaussian', 'log', 'dog', 'sphere', 'disk'];

export type Triple = [number, number, number];

export interface FilterKernelOptions {
  /** Standard deviation of the first Gaussian (per axis); null = ClearMap's default from size. */
  sigma?: number | number[] | null;
  /** Standard deviation of the second Gaussian of a DoG (per axis); null = default from size. */
  sigma2?: number | number[] | null;
  /** Radius for sphere/disk/log kernels; null = ClearMap's default from size. */
  radius?: number | number[] | null;
}

export interface Kernel3 {
  weights: Float64Array;
  size: Triple;
}

const FWHM = 2 * Math.sqrt(2 * Math.log(2));

/** ClearMap's per-axis value: a scalar is used for all three axes, a 3+-vector gives one per axis. */
function perAxis(v: number | number[], what: string): Triple {
  if (typeof v === 'number') return [v, v, v];
  if (v.length === 0) throw new Error(`${what} must be a number or a list of numbers, got []`);
  // ClearMap: fewer than 3 values -> the first is used for every axis
  return v.length < 3 ? [v[0], v[0], v[0]] : [v[0], v[1], v[2]];
}

/** Sample positions along one axis of a kernel of size s (ClearMap's mgrid + 'add'). */
export function samplePositions(s: number): Float64Array {
  const out = new Float64Array(s);
  const lo = s % 2 === 0 ? s / 2 : (s - 1) / 2;
  const add = s % 2 === 0 ? 0.5 : 0;
  for (let i = 0; i < s; i++) out[i] = i - lo + add;
  return out;
}

/** ClearMap's default sigma of a Gaussian kernel: full width at half maximum equal to the size. */
export function defaultGaussianSigma(size: Triple): Triple {
  return [size[0] / FWHM, size[1] / FWHM, size[2] / FWHM];
}

/** DoG sigmas as ClearMap derives them: sigma2 = size / FWHM, sigma = sigma2 / 1.5. */
export function dogSigmas(size: Triple, o: FilterKernelOptions = {}): { sigma: Triple; sigma2: Triple } {
  const sigma2 = o.sigma2 == null ? defaultGaussianSigma(size) : perAxis(o.sigma2, 'sigma2');
  const sigma = o.sigma == null ? [sigma2[0] / 1.5, sigma2[1] / 1.5, sigma2[2] / 1.5] as Triple : perAxis(o.sigma, 'sigma');
  return { sigma, sigma2 };
}

/** Normalised 1D Gaussian samples (sum 1) at ClearMap's positions. */
export function gaussian1d(s: number, sigma: number): Float64Array {
  const p = samplePositions(s);
  const w = new Float64Array(s);
  let sum = 0;
  for (let i = 0; i < s; i++) { w[i] = Math.exp(-(p[i] * p[i]) / (2 * sigma * sigma)); sum += w[i]; }
  for (let i = 0; i < s; i++) w[i] /= sum;
  return w;
}

export function mean1d(s: number): Float64Array {
  return new Float64Array(s).fill(1 / s);
}

/** ClearMap's default radius: the smaller structure-element offset per axis (floor(s/2)). */
function defaultRadius(size: Triple): Triple {
  return [Math.floor(size[0] / 2), Math.floor(size[1] / 2), Math.floor(size[2] / 2)];
}

/** Build the full 3D kernel of a ClearMap filter type (used for the non-separable types and for checks). */
export function filterKernel3d(ftype: FilterType, size: Triple, o: FilterKernelOptions = {}): Kernel3 {
  const [sx, sy, sz] = size;
  const px = samplePositions(sx), py = samplePositions(sy), pz = samplePositions(sz);
  const n = sx * sy * sz;
  const w = new Float64Array(n);
  const each = (f: (x: number, y: number, z: number) => number) => {
    let i = 0;
    for (let k = 0; k < sz; k++) for (let j = 0; j < sy; j++) for (let l = 0; l < sx; l++) w[i++] = f(px[l], py[j], pz[k]);
  };
  const normalise = () => { let s = 0; for (let i = 0; i < n; i++) s += w[i]; for (let i = 0; i < n; i++) w[i] /= s; };
  switch (ftype) {
    case 'mean':
      w.fill(1 / n);
      break;
    case 'gaussian': {
      const s = o.sigma == null ? defaultGaussianSigma(size) : perAxis(o.sigma, 'sigma');
      each((x, y, z) => Math.exp(-(x * x / 2 / (s[0] * s[0]) + y * y / 2 / (s[1] * s[1]) + z * z / 2 / (s[2] * s[2]))));
      normalise();
      break;
    }
    case 'sphere':
    case 'disk': {
      const r = o.radius == null ? defaultRadius(size) : perAxis(o.radius, 'radius');
      each((x, y, z) => {
        const v = 1 - (x * x / 2 / (r[0] * r[0]) + y * y / 2 / (r[1] * r[1]) + z * z / 2 / (r[2] * r[2]));
        if (!(v > 0)) return 0; // a zero radius gives 0/0 = NaN here (ClearMap would return a NaN kernel); checks reject it
        return ftype === 'disk' ? 1 : v;
      });
      normalise();
      break;
    }
    case 'log': {
      // ClearMap: a Gaussian of std 'radius' times the LoG argument with 'sigma', then minus
      // ker.sum() / len(ker) — len() of a 3D numpy array is its size along the FIRST axis only
      // (not the element count); kept as ClearMap computes it.
      const r = o.radius == null ? defaultRadius(size) : perAxis(o.radius, 'radius');
      const s = o.sigma == null ? [sx / 2 / FWHM, sy / 2 / FWHM, sz / 2 / FWHM] : perAxis(o.sigma, 'sigma');
      each((x, y, z) => Math.exp(-(x * x / 2 / (r[0] * r[0]) + y * y / 2 / (r[1] * r[1]) + z * z / 2 / (r[2] * r[2]))));
      normalise();
      const c = 1 / (s[0] * s[0]) + 1 / (s[1] * s[1]) + 1 / (s[2] * s[2]);
      let i = 0, sum = 0;
      for (let k = 0; k < sz; k++) for (let j = 0; j < sy; j++) for (let l = 0; l < sx; l++, i++) {
        const x = px[l], y = py[j], z = pz[k];
        w[i] *= x * x / s[0] ** 4 + y * y / s[1] ** 4 + z * z / s[2] ** 4 - c;
        sum += w[i];
      }
      for (let q = 0; q < n; q++) w[q] -= sum / sx;
      break;
    }
    case 'dog': {
      const { sigma, sigma2 } = dogSigmas(size, o);
      const a = new Float64Array(n), b = new Float64Array(n);
      let sa = 0, sb = 0, i = 0;
      for (let k = 0; k < sz; k++) for (let j = 0; j < sy; j++) for (let l = 0; l < sx; l++, i++) {
        const x = px[l], y = py[j], z = pz[k];
        a[i] = Math.exp(-(x * x / 2 / (sigma[0] * sigma[0]) + y * y / 2 / (sigma[1] * sigma[1]) + z * z / 2 / (sigma[2] * sigma[2])));
        b[i] = Math.exp(-(x * x / 2 / (sigma2[0] * sigma2[0]) + y * y / 2 / (sigma2[1] * sigma2[1]) + z * z / 2 / (sigma2[2] * sigma2[2])));
        sa += a[i]; sb += b[i];
      }
      for (let q = 0; q < n; q++) w[q] = a[q] / sa - b[q] / sb;
      break;
    }
    default:
      throw new Error(`filter type '${ftype as string}' is not one of ${FILTER_TYPES.join(', ')}`);
  }
  return { weights: w, size: [sx, sy, sz] };
}
