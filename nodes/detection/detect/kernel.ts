// The cell-detection chunk kernel: ClearMap 0.9.2's SpotDetection.detectSpots on one z-slab.
//   raw -> illumination correction -> background removal (img2) -> DoG (img3, float32)
//       -> extended maxima of img3 -> centres (raw-weighted centres of mass, or maximum voxels)
//       -> [cell shape: watershed of img2 from the centres above threshold -> size, intensities]
//       -> Points in global stack coordinates with columns raw, dog, background[, size]
// The engine keeps the points whose z lies in the chunk's core; the kernel says where its points are
// exact (stages.ts) and the chunk task grows the window until that covers the core, so the result
// does not depend on the chunking; the overlap (detectOverlap) only sets the first window.
import type { ChunkContext, DecidedPoints } from '../../../engine/core/node-type.js';
import type { ChunkGeometry } from '../../../engine/data/chunk.js';
import { INTENSITY_COLUMNS, makePoints, type Points } from '../../../engine/data/points.js';
import { dtypeRange, type Range, type Volume } from '../../../engine/data/volume.js';
import { removeBackground } from '../lib/background.js';
import { filterDoG } from '../lib/filters.js';
import { correctIllumination, loadFlatField, resolveIlluminationPaths, scalingFactor, type FlatField } from '../lib/illumination.js';
import { toPixelParams } from '../lib/physical-units.js';
import { backgroundReach, maximaBox, resolveDetectParams, toReduction, type DetectParams } from '../lib/params.js';
import { boxIntensityStage, maximaStage, shapeStage, shrinkBox, trustedBox, Undecided, type Box, type Slab, type TrustedImage } from '../lib/stages.js';

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

/** Where a slab lies in the stack and which planes of it are exact (the chunk's read window). */
export interface DetectWindow {
  /** Global z of local plane 0. */
  z0: number;
  /** Depth of the whole stack. */
  depth: number;
  /** Global planes [z0, z1) of `raw` whose values equal the whole stack's. */
  trusted: Range;
  /** Planes the caller will keep points from (decides which side an undecided plane bounds). */
  core: Range;
  /**
   * x/y tiles: global x, y of the slab's voxel 0, the plane size, the columns/rows of `raw` that are
   * exact and the ones the caller keeps points from. Absent: the slab spans whole planes.
   */
  tile?: { x0: number; y0: number; plane: [number, number]; trusted: [Range, Range]; core: [Range, Range] };
}


/**
 * Detect cells in a slab: centres [x, y, z] with global z (x, y of the slab), the intensity columns,
 * the intermediate stages, and `decided`: the global z range around the core where the points are
 * exactly those of a whole-stack run (see stages.ts for why and how).
 */
export function detectInWindow(raw: Volume, params: DetectParams, flat: FlatField | null, win: DetectWindow): { coords: Float64Array; columns: Record<string, Float64Array>; stages: DetectionStages; decided: Range; decidedXY?: [Range, Range]; undecided?: Box[] } {
  const shape = raw.shape;
  const p = params;
  const il = p.correctIlluminationParameter;
  const img1 = flat ? correctIllumination(raw, flat, scalingFactor(il.scaling, flat.flatfield)) : raw;
  checkThresholds(p, img1.dtype);
  const img2 = removeBackground(img1, p.removeBackgroundParameter.size);
  const dog = p.filterDoGParameter;
  const img3 = filterDoG(img2, dog.size, dog.sigma, dog.sigma2);
  const tile = win.tile;
  const slab: Slab = { shape, z0: win.z0, depth: win.depth, ...(tile ? { x0: tile.x0, y0: tile.y0, plane: tile.plane } : {}) };
  const stack: [number, number, number] = [tile?.plane[0] ?? shape[0], tile?.plane[1] ?? shape[1], win.depth];
  // illumination and background removal work plane by plane (the opening needs its x/y reach); the DoG needs its reach
  const tRaw: TrustedImage = { data: raw.data, trusted: win.trusted, ...(tile ? { trustedXY: tile.trusted } : {}) };
  const asImage = (data: TrustedImage['data'], b: Box): TrustedImage => ({ data, trusted: b[2], ...(tile ? { trustedXY: [b[0], b[1]] as [Range, Range] } : {}) });
  const bgReach = backgroundReach(p.removeBackgroundParameter.size);
  const box2 = shrinkBox(trustedBox(tRaw, slab), [bgReach[0], bgReach[1], 0], stack);
  const t2 = asImage(img2.data, box2);
  const t3 = { ...asImage(img3.data, dog.size ? shrinkBox(box2, [Math.ceil(dog.size[0] / 2), Math.ceil(dog.size[1] / 2), dog.size[2] >> 1], stack) : box2), data: img3.data };
  const mx = p.findExtendedMaximaParameter;
  const shapeThreshold = p.detectCellShapeParameter.threshold;
  // without h-max every maximum voxel is a seed; seeds outside the watershed mask end with size 0
  // and are removed, so drop them now (huge flat zero areas would otherwise become millions of seeds)
  const candidate = shapeThreshold !== null && mx.hMax === null ? (i: number) => img2.data[i] > shapeThreshold : undefined;
  const maxima = maximaStage(t3, tRaw, slab, { hMax: mx.hMax, size: maximaBox(mx.size), threshold: mx.threshold }, candidate);
  const stages: DetectionStages = { background: img2, dog: img3, maxima: maxima.mask };
  const dogOrBackground = dog.size === null ? t2 : t3; // ClearMap: no DoG -> DoG column = background column
  const undecided = new Undecided(slab);

  if (shapeThreshold !== null) {
    const centres = maxima.centres;
    const r = shapeStage(t2, slab, centres, maxima.undecided, shapeThreshold, [tRaw, dogOrBackground, t2], toReduction(p.findCellIntensityParameter.method), undecided);
    const coords = new Float64Array(r.kept.length * 3);
    r.kept.forEach((i, j) => { coords[3 * j] = centres[3 * i]; coords[3 * j + 1] = centres[3 * i + 1]; coords[3 * j + 2] = centres[3 * i + 2]; });
    const [iRaw, iDog, iBg] = r.intensities;
    return { coords, columns: { raw: iRaw, dog: iDog, background: iBg, size: r.size }, stages, ...decidedOf(undecided, win) };
  }

  // no cell shape: intensities in a box around each centre (MaximaDetection.findIntensity)
  undecided.merge(maxima.undecided);
  const fi = p.findIntensityParameter;
  const [bRaw, bDog, bBg] = boxIntensityStage([tRaw, dogOrBackground, t2], slab, maxima.centres, fi.method === null ? null : toReduction(fi.method), fi.size, undecided);
  return { coords: maxima.centres, columns: { raw: bRaw, dog: bDog, background: bBg }, stages, ...decidedOf(undecided, win) };
}

/** The decided box around the window's core: z range, and x/y ranges with tiles. */
function decidedOf(u: Undecided, win: DetectWindow): { decided: Range; decidedXY?: [Range, Range]; undecided?: Box[] } {
  const core: Box = win.tile ? [win.tile.core[0], win.tile.core[1], win.core] : [[0, u.slab.shape[0]], [0, u.slab.shape[1]], win.core];
  const b = u.decidedBox(core);
  // and which parts of the core are undecided: where the box misses the core, the chunk task patches those
  return { decided: b[2], ...(win.tile ? { decidedXY: [b[0], b[1]] as [Range, Range] } : {}), undecided: u.boxesIn(core) };
}

/**
 * Detect cells in a volume taken as a whole stack (no chunk logic): centres with z + zOffset, the
 * intensity columns and the intermediate stages.
 */
export function detectCellsInVolume(raw: Volume, params: DetectParams, flat: FlatField | null, zOffset = 0): { coords: Float64Array; columns: Record<string, Float64Array>; stages: DetectionStages } {
  const Z = raw.shape[2];
  return detectInWindow(raw, params, flat, { z0: zOffset, depth: zOffset + Z, trusted: [zOffset, zOffset + Z], core: [zOffset, zOffset + Z] });
}

const flatCache = new Map<string, Promise<FlatField | null>>();

async function detectSlab(slab: Volume, geometry: ChunkGeometry | undefined, rawParams: Record<string, unknown>, context?: ChunkContext) {
  const params = resolveDetectParams(toPixelParams(rawParams, slab.voxelSize)); // cellDiameter (µm) -> pixels
  if (geometry && slab.origin[2] !== geometry.read[0]) {
    throw new Error(`detect: slab origin z ${slab.origin[2]} does not match the chunk's read range start ${geometry.read[0]}`);
  }
  let flat: FlatField | null = null;
  const il = resolveIlluminationPaths(params.correctIlluminationParameter, context?.baseDir);
  if (il.flatfield !== null) {
    // the flat field covers the whole plane; slabs are full planes unless the source was cropped in x/y
    const planeX = geometry?.tile?.plane[0] ?? slab.origin[0] + slab.shape[0], planeY = geometry?.tile?.plane[1] ?? slab.origin[1] + slab.shape[1];
    const key = JSON.stringify([il.flatfield, il.background, planeX, planeY]);
    if (!flatCache.has(key)) flatCache.set(key, loadFlatField(il, planeX, planeY));
    flat = await flatCache.get(key)!;
  }
  const z0 = slab.origin[2], Z = slab.shape[2];
  const depth = geometry?.depth ?? z0 + Z;
  const t = geometry?.tile;
  const [X, Y] = slab.shape, [x0, y0] = slab.origin;
  const tile = t ? { x0, y0, plane: t.plane, trusted: context?.trustedXY ?? [[x0, x0 + X], [y0, y0 + Y]] as [Range, Range], core: t.core } : undefined;
  const win: DetectWindow = { z0, depth, trusted: context?.trusted ?? [z0, z0 + Z], core: geometry?.core ?? [z0, z0 + Z], ...(tile ? { tile } : {}) };
  const res = detectInWindow(slab, params, flat, win);
  // with tiles the centres are global already; whole planes: x, y of the slab (origin 0 unless the caller cropped)
  const shift: [number, number, number] = tile ? [0, 0, 0] : slab.origin;
  const undecided = res.undecided?.map((b): Box => [[b[0][0] + shift[0], b[0][1] + shift[0]], [b[1][0] + shift[1], b[1][1] + shift[1]], b[2]]);
  return { points: toGlobalPoints(res.coords, res.columns, shift), decided: res.decided, decidedXY: res.decidedXY, undecided };
}

/**
 * Chunk kernel (engine contract): detect cells in a z-slab, in global stack coordinates (slab.origin
 * added), with the z range where they are exact; the chunk task keeps those in the core and reads a
 * larger window when that range does not cover the core.
 */
export async function detectKernel(slab: Volume, geometry: ChunkGeometry, rawParams: Record<string, unknown>, context?: ChunkContext): Promise<DecidedPoints> {
  const r = await detectSlab(slab, geometry, rawParams, context);
  return { kind: 'decided-points', points: r.points, decided: r.decided, ...(r.decidedXY ? { decidedXY: r.decidedXY } : {}), ...(r.undecided ? { undecided: r.undecided } : {}) };
}

/** All points detected in a slab (global coordinates), without the decided range (tools, tests). */
export async function detectCells(slab: Volume, geometry: ChunkGeometry, rawParams: Record<string, unknown>, context?: ChunkContext): Promise<Points> {
  return (await detectSlab(slab, geometry, rawParams, context)).points;
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
