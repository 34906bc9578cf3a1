// Cell shape, size and intensity (ClearMap's CellSizeDetection): a watershed of -img seeded at the
// centres (voxelizePixel: centre i marks voxel int(centre) with label i + 1, later centres overwrite
// earlier ones, centres with a coordinate <= 0 or outside are skipped), restricted to img > threshold.
import type { Shape3 } from '../../../engine/data/volume.js';
import { labelSizes, reduceByLabel, type Reduction } from '../../../lib/kernels/measure.js';
import { seededWatershed } from '../../../lib/kernels/watershed.js';

export interface SeedOptions {
  /** Global z of local plane 0: ClearMap's "coordinate > 0" seed rule is applied to global z so chunking cannot change it. */
  zOffset: number;
}

/** Marker image from centres, as ClearMap's voxelizePixel(peaks, weights = 1..n) with truncating float indices. */
export function seedMarkers(centres: Float64Array, shape: Shape3, opts: SeedOptions): Int32Array {
  const [X, Y, Z] = shape;
  const markers = new Int32Array(X * Y * Z);
  const n = centres.length / 3;
  for (let i = 0; i < n; i++) {
    const cx = centres[3 * i], cy = centres[3 * i + 1], cz = centres[3 * i + 2];
    // strict > 0 as ClearMap (a NaN centre fails every comparison and is skipped, as in numpy)
    if (!(cx > 0 && cx < X && cy > 0 && cy < Y && cz + opts.zOffset > 0 && cz >= 0 && cz < Z)) continue;
    markers[Math.trunc(cx) + X * (Math.trunc(cy) + Y * Math.trunc(cz))] = i + 1;
  }
  return markers;
}

/** Watershed of -img from the markers within img > threshold (6-connected, as skimage's default). */
export function detectCellShape(img: ArrayLike<number>, markers: Int32Array, shape: Shape3, threshold: number | null): Int32Array {
  const N = markers.length;
  let mask: Uint8Array | null = null;
  if (threshold !== null) {
    mask = new Uint8Array(N);
    for (let i = 0; i < N; i++) mask[i] = img[i] > threshold ? 1 : 0;
  }
  return seededWatershed(img, markers, mask, shape, 6, true);
}

export function findCellSize(labels: Int32Array, count: number): Float64Array {
  return labelSizes(labels, count);
}

export function findCellIntensity(img: ArrayLike<number>, labels: Int32Array, count: number, method: Reduction): Float64Array {
  return reduceByLabel(img, labels, count, method);
}
