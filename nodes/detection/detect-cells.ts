// The cell-detection chunk kernel: ClearMap 0.9.2's SpotDetection.detectSpots on one z-slab.
//   raw -> illumination correction -> background removal (img2) -> DoG (img3, float32)
//       -> extended maxima of img3 -> centres (raw-weighted centres of mass, or maximum voxels)
//       -> [cell shape: watershed of img2 from the centres above threshold -> size, intensities]
//       -> Points in global stack coordinates with columns raw, dog, background[, size]
// The engine keeps the points whose z lies in the chunk's core; with an overlap of at least
// detectOverlap(params) planes the result does not depend on where chunks start.
import type { ChunkContext } from '../../engine/core/node-type.js';
import type { ChunkGeometry } from '../../engine/data/chunk.js';
import { INTENSITY_COLUMNS, makePoints, type Points } from '../../engine/data/points.js';
import { dtypeRange, type Volume } from '../../engine/data/volume.js';
import type { Reduction } from '../kernels/measure.js';
import { removeBackground } from './background.js';
import { detectCellShape, findCellIntensity, findCellSize, seedMarkers } from './cell-shape.js';
import { findCentres, findExtendedMaxima } from './extended-maxima.js';
import { filterDoG } from './filters.js';
import { correctIllumination, loadFlatField, resolveIlluminationPaths, scalingFactor, type FlatField } from './illumination.js';
import { toPixelParams } from './physical-units.js';
import { maximaBox, resolveDetectParams, toReduction, type DetectParams } from './params.js';

export interface DetectionStages {
  /** Illumination-corrected then background-removed image (ClearMap's img2). */
  background: Volume;
  /** DoG-filtered image (img3, float32). */
  dog: Volume<Float32Array>;
  /** Extended maxima mask. */
  maxima: Uint8Array;
}

/** Thresholds must be representable in the image type they are compared with. */
function checkThresholds(p: DetectParams, dtype: Volume['dtype']): void {
  const t = p.detectCellShapeParameter.threshold;
  if (t === null) return;
  const [lo, hi] = dtypeRange(dtype);
  if (t < lo || t > hi) throw new Error(`detectCellShapeParameter.threshold ${t} is outside the range [${lo}, ${hi}] of the ${dtype} image it is compared with`);
}

/**
 * Detect cells in a volume (no chunk logic): returns centres [x, y, z] with z + zOffset (x, y local),
 * the intensity columns, and the intermediate stages. `zOffset` = global z of local plane 0.
 */
export function detectCellsInVolume(raw: Volume, params: DetectParams, flat: FlatField | null, zOffset = 0): { coords: Float64Array; columns: Record<string, Float64Array>; stages: DetectionStages } {
  const shape = raw.shape;
  const p = params;
  const il = p.correctIlluminationParameter;
  const img1 = flat ? correctIllumination(raw, flat, scalingFactor(il.scaling, flat.flatfield)) : raw;
  checkThresholds(p, img1.dtype);
  const img2 = removeBackground(img1, p.removeBackgroundParameter.size);
  const dog = p.filterDoGParameter;
  const img3 = filterDoG(img2, dog.size, dog.sigma, dog.sigma2);
  const mx = p.findExtendedMaximaParameter;
  const maxima = findExtendedMaxima(img3.data, shape, mx.hMax, maximaBox(mx.size), mx.threshold);
  const stages: DetectionStages = { background: img2, dog: img3, maxima };
  const shapeThreshold = p.detectCellShapeParameter.threshold;
  const dogOrBackground = dog.size === null ? img2.data : img3.data; // ClearMap: no DoG -> DoG column = background column

  if (shapeThreshold !== null) {
    let candidates = maxima;
    if (mx.hMax === null) {
      // every maximum voxel is a seed; seeds outside the watershed mask end with size 0 and are
      // removed, so drop them now (huge flat zero areas would otherwise become millions of seeds)
      candidates = Uint8Array.from(maxima);
      const d = img2.data;
      for (let i = 0; i < candidates.length; i++) if (candidates[i] && !(d[i] > shapeThreshold)) candidates[i] = 0;
    }
    const { local: centres, global } = findCentres(raw.data, candidates, shape, mx.hMax, zOffset);
    const n = centres.length / 3;
    const markers = seedMarkers(centres, shape, { zOffset });
    const labels = detectCellShape(img2.data, markers, shape, shapeThreshold);
    const size = findCellSize(labels, n);
    const how: Reduction = toReduction(p.findCellIntensityParameter.method);
    const iRaw = findCellIntensity(raw.data, labels, n, how);
    const iDog = findCellIntensity(dogOrBackground, labels, n, how);
    const iBg = findCellIntensity(img2.data, labels, n, how);
    // ClearMap removes cells of size 0 (seed outside the mask, overwritten, or on the border plane)
    const keep: number[] = [];
    for (let i = 0; i < n; i++) if (size[i] > 0) keep.push(i);
    const coords = new Float64Array(keep.length * 3);
    const cols = { raw: new Float64Array(keep.length), dog: new Float64Array(keep.length), background: new Float64Array(keep.length), size: new Float64Array(keep.length) };
    keep.forEach((i, j) => {
      coords[3 * j] = global[3 * i]; coords[3 * j + 1] = global[3 * i + 1]; coords[3 * j + 2] = global[3 * i + 2];
      cols.raw[j] = iRaw[i]; cols.dog[j] = iDog[i]; cols.background[j] = iBg[i]; cols.size[j] = size[i];
    });
    return { coords, columns: cols, stages };
  }

  // no cell shape: intensities in a box around each centre (MaximaDetection.findIntensity)
  const { local: centres, global } = findCentres(raw.data, maxima, shape, mx.hMax, zOffset);
  const fi = p.findIntensityParameter;
  const box = (img: ArrayLike<number>) => findBoxIntensity(img, shape, centres, fi.method === null ? null : toReduction(fi.method), fi.size);
  return { coords: global, columns: { raw: box(raw.data), dog: box(dogOrBackground), background: box(img2.data) }, stages };
}

/**
 * ClearMap's findIntensity: reduce over the box [int(c - lo), int(c + hi)) per axis, clipped to the
 * image (lo = floor(s/2), hi = lo + 1 for odd s), or the value at int(c) when method is null.
 */
export function findBoxIntensity(img: ArrayLike<number>, shape: [number, number, number], centres: Float64Array, method: Reduction | null, size: [number, number, number]): Float64Array {
  const [X, Y, Z] = shape;
  const n = centres.length / 3;
  const out = new Float64Array(n);
  const lo = size.map((s) => (s - 1) >> 1), hi = size.map((s) => ((s - 1) >> 1) + 1);
  for (let i = 0; i < n; i++) {
    const c = [centres[3 * i], centres[3 * i + 1], centres[3 * i + 2]];
    if (method === null) { out[i] = img[Math.trunc(c[0]) + X * (Math.trunc(c[1]) + Y * Math.trunc(c[2]))]; continue; }
    const x0 = Math.max(0, Math.trunc(c[0] - lo[0])), x1 = Math.min(X, Math.trunc(c[0] + hi[0]));
    const y0 = Math.max(0, Math.trunc(c[1] - lo[1])), y1 = Math.min(Y, Math.trunc(c[1] + hi[1]));
    const z0 = Math.max(0, Math.trunc(c[2] - lo[2])), z1 = Math.min(Z, Math.trunc(c[2] + hi[2]));
    let acc = method === 'max' ? -Infinity : method === 'min' ? Infinity : 0, cnt = 0;
    for (let z = z0; z < z1; z++) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
      const v = img[x + X * (y + Y * z)];
      cnt++;
      if (method === 'max') { if (v > acc) acc = v; } else if (method === 'min') { if (v < acc) acc = v; } else acc += v;
    }
    out[i] = method === 'mean' ? acc / cnt : acc;
  }
  return out;
}

const flatCache = new Map<string, Promise<FlatField | null>>();

/**
 * Chunk kernel (engine contract): detect cells in a z-slab and return them in global stack
 * coordinates (slab.origin added). All points of the slab are returned; the engine keeps those in the core.
 */
export async function detectCells(slab: Volume, geometry: ChunkGeometry, rawParams: Record<string, unknown>, context?: ChunkContext): Promise<Points> {
  const params = resolveDetectParams(toPixelParams(rawParams, slab.voxelSize)); // cellDiameter (µm) -> pixels
  if (geometry && slab.origin[2] !== geometry.read[0]) {
    throw new Error(`detect: slab origin z ${slab.origin[2]} does not match the chunk's read range start ${geometry.read[0]}`);
  }
  let flat: FlatField | null = null;
  const il = resolveIlluminationPaths(params.correctIlluminationParameter, context?.baseDir);
  if (il.flatfield !== null) {
    // the flat field covers the whole plane; slabs are full planes unless the source was cropped in x/y
    const planeX = slab.origin[0] + slab.shape[0], planeY = slab.origin[1] + slab.shape[1];
    const key = JSON.stringify([il.flatfield, il.background, planeX, planeY]);
    if (!flatCache.has(key)) flatCache.set(key, loadFlatField(il, planeX, planeY));
    flat = await flatCache.get(key)!;
  }
  const res = detectCellsInVolume(slab, params, flat, slab.origin[2]);
  return toGlobalPoints(res.coords, res.columns, slab.origin);
}

/** Points from coordinates whose z is already global; x and y get the slab origin added. */
export function toGlobalPoints(coords: Float64Array, columns: Record<string, Float64Array>, origin: [number, number, number]): Points {
  const g = new Float64Array(coords.length);
  for (let i = 0; i < coords.length; i += 3) {
    g[i] = coords[i] + origin[0]; g[i + 1] = coords[i + 1] + origin[1]; g[i + 2] = coords[i + 2];
  }
  const ordered: Record<string, Float64Array> = {};
  for (const name of INTENSITY_COLUMNS) if (columns[name]) ordered[name] = columns[name];
  return makePoints(g, ordered);
}
