// Linear filters of ClearMap (Filter/DoGFilter.filterDoG, Filter/LinearFilter.filterLinear): the image
// becomes float32, is correlated with a filterKernel (scipy 'reflect' boundary, double accumulation)
// and negative values are set to 0. Separable types (mean, gaussian, dog) run as 1D passes, the
// others as a direct 3D correlation.
//
// Deviation: ClearMap rounds the combined DoG kernel to float32 before correlating; here the two
// Gaussians are applied in double and subtracted, so values differ by ~1e-7 relative.
import type { Volume } from '../../../engine/data/volume.js';
import { correlate3d, correlateSeparable, type SeparableWeights } from '../../../lib/kernels/correlate.js';
import { correlateSeparableF32 } from '../../../lib/kernels/wasm/correlate.js';
import { defaultGaussianSigma, dogSigmas, filterKernel3d, gaussian1d, mean1d, type FilterType, type Triple } from '../../../lib/kernels/filter-kernel.js';

function toFloat32(v: Volume): Float32Array {
  return Float32Array.from(v.data as ArrayLike<number>);
}

function gaussianWeights(size: Triple, sigma: Triple): SeparableWeights {
  return [gaussian1d(size[0], sigma[0]), gaussian1d(size[1], sigma[1]), gaussian1d(size[2], sigma[2])];
}

function perAxisSigma(s: number[]): Triple {
  return s.length < 3 ? [s[0], s[0], s[0]] : [s[0], s[1], s[2]];
}

/** DoG filter; size null returns a float32 copy (as ClearMap does). */
export function filterDoG(slab: Volume, size: Triple | null, sigma: number[] | null = null, sigma2: number[] | null = null): Volume<Float32Array> {
  if (size === null) return { ...slab, data: toFloat32(slab), dtype: 'float32' };
  const s = dogSigmas(size, { sigma, sigma2 });
  const kernels = [gaussianWeights(size, s.sigma), gaussianWeights(size, s.sigma2)];
  const out = new Float32Array(slab.data.length);
  // WebAssembly + SIMD (the same bits; false when it is off or unavailable)
  if (correlateSeparableF32(slab.data, slab.shape, kernels, 'dog', out)) return { ...slab, data: out, dtype: 'float32' };
  const src = toFloat32(slab);
  const P = slab.shape[0] * slab.shape[1];
  correlateSeparable(src, slab.shape, kernels, (z, [narrow, wide]) => {
    const o = z * P;
    for (let i = 0; i < P; i++) { const d = narrow[i] - wide[i]; out[o + i] = d > 0 ? d : 0; }
  });
  return { ...slab, data: out, dtype: 'float32' };
}

/** filterLinear: any ClearMap filter type; size null returns a float32 copy. */
export function filterLinear(slab: Volume, ftype: FilterType, size: Triple | null, sigma: number[] | null = null, sigma2: number[] | null = null): Volume<Float32Array> {
  if (ftype === 'dog') return filterDoG(slab, size, sigma, sigma2);
  const src = toFloat32(slab);
  if (size === null) return { ...slab, data: src, dtype: 'float32' };
  const out = new Float32Array(src.length);
  const P = slab.shape[0] * slab.shape[1];
  const store = (z: number, plane: Float64Array) => {
    const o = z * P;
    for (let i = 0; i < P; i++) { const v = plane[i]; out[o + i] = v > 0 ? v : 0; }
  };
  if (ftype === 'mean' || ftype === 'gaussian') {
    const kernel: SeparableWeights = ftype === 'mean' ? [mean1d(size[0]), mean1d(size[1]), mean1d(size[2])]
      : gaussianWeights(size, sigma === null ? defaultGaussianSigma(size) : perAxisSigma(sigma));
    if (!correlateSeparableF32(slab.data, slab.shape, [kernel], 'clip', out)) correlateSeparable(src, slab.shape, [kernel], (z, [p]) => store(z, p));
  } else {
    const k = filterKernel3d(ftype, size, { sigma, sigma2 });
    correlate3d(src, slab.shape, k.weights, k.size, store);
  }
  return { ...slab, data: out, dtype: 'float32' };
}
