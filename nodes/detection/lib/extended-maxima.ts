// Maxima detection, ClearMap's MaximaDetection: findExtendedMaxima (optional h-max transform, local
// maxima by box maximum filter, threshold on the filtered image), then the cell centres:
// centres of mass of the labelled maxima weighted by the RAW image when hMax is set
// (findCenterOfMaxima), otherwise every maximum voxel (findPixelCoordinates).
//
// Deviation: ClearMap 0.9.2 computes centres for labels 1..n-1 (numpy.arange(1, nlab)), silently
// dropping the last maximum of every chunk; this port keeps all labels.
import type { Shape3 } from '../../../engine/data/volume.js';
import { labelComponents } from '../../../lib/kernels/label.js';
import { centresOfMass } from '../../../lib/kernels/measure.js';
import { localMaxima } from '../../../lib/kernels/maxima.js';
import { hMaxTransform } from '../../../lib/kernels/reconstruction.js';

/**
 * Binary mask of extended maxima of `filtered` (float32, the DoG output).
 *
 * With both hMax and threshold set, values below L = threshold - hMax (less a rounding margin) are
 * raised to L before the h-max transform. The kept maxima are unchanged: a kept voxel p has
 * f(p) >= threshold, so its transformed value is >= L, the paths that give any transformed value
 * >= L run through voxels >= L only, and every value below L stays below every kept one. But the
 * reconstruction no longer floods the low, noisy part of the image (on the real crop 94% of the
 * non-zero DoG voxels), which is most of its work.
 */
export function findExtendedMaxima(filtered: Float32Array, shape: Shape3, hMax: number | null, size: [number, number, number], threshold: number | null): Uint8Array {
  return extendedMaximaStages(filtered, shape, hMax, size, threshold).mask;
}

/** findExtendedMaxima with its intermediates: the (floor-raised) image reconstructed and the h-max transform. */
export function extendedMaximaStages(filtered: Float32Array, shape: Shape3, hMax: number | null, size: [number, number, number], threshold: number | null): { mask: Uint8Array; source: Float32Array; transformed: Float32Array } {
  let source = filtered;
  if (hMax !== null && threshold !== null) {
    // the margin (1e-3 relative) dwarfs float32 rounding of f - h, so no kept voxel can fall below it
    const floor = Math.fround(threshold - hMax - 1e-3 * Math.max(1, Math.abs(threshold), Math.abs(hMax)));
    let any = false;
    for (let i = 0; i < filtered.length && !any; i++) if (filtered[i] < floor) any = true;
    if (any) {
      source = new Float32Array(filtered.length);
      for (let i = 0; i < filtered.length; i++) source[i] = filtered[i] < floor ? floor : filtered[i];
    }
  }
  const transformed = hMax === null ? filtered : hMaxTransform(source, shape, hMax);
  const mask = localMaxima(transformed, shape, size);
  if (threshold !== null) for (let i = 0; i < mask.length; i++) if (mask[i] && !(filtered[i] >= threshold)) mask[i] = 0;
  return { mask, source, transformed };
}

/**
 * Centres [x, y, z] in local voxel coordinates (NaN for maxima whose raw weights sum to 0), and the
 * same with z + zOffset (global), computed so that it does not depend on the slab start.
 */
export function findCentres(raw: ArrayLike<number>, maxima: Uint8Array, shape: Shape3, hMax: number | null, zOffset = 0): { local: Float64Array; global: Float64Array } {
  if (hMax !== null) {
    const { labels, count } = labelComponents(maxima, shape, 6); // scipy.ndimage.label's default structure
    const local = centresOfMass(raw, labels, shape, count);
    if (zOffset === 0) return { local, global: local };
    const global = centresOfMass(raw, labels, shape, count, zOffset);
    return { local, global };
  }
  const [X, Y] = shape;
  let n = 0;
  for (let i = 0; i < maxima.length; i++) if (maxima[i]) n++;
  const out = new Float64Array(3 * n);
  let k = 0;
  for (let i = 0; i < maxima.length; i++) {
    if (!maxima[i]) continue;
    const x = i % X, yz = (i - x) / X, y = yz % Y;
    out[k++] = x; out[k++] = y; out[k++] = (yz - y) / Y;
  }
  const global = Float64Array.from(out);
  for (let i = 2; i < global.length; i += 3) global[i] += zOffset; // integers: exact
  return { local: out, global };
}
