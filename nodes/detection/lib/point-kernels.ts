// Chunk kernels of the detection steps as nodes of their own — maxima, shape, intensity — so that
// background -> dog -> maxima -> shape runs as separate nodes (fused into one worker task per
// chunk, giving detect's bytes) and plugin detectors' seeds can go through ClearMap's cell shape.
// Each reports where its points are decided (stages.ts); the chunk task grows the window until
// that covers the chunk's core.
import type { ChunkContext, ChunkStreamValue, DecidedPoints } from '../../../engine/core/node-type.js';
import type { ChunkGeometry } from '../../../engine/data/chunk.js';
import { makePoints, type Points } from '../../../engine/data/points.js';
import { readRegion } from '../../../engine/data/read.js';
import { dtypeRange, type Range, type Volume } from '../../../engine/data/volume.js';
import { DEFAULT_DETECT_PARAMS, maximaBox, toReduction, type IntensityMethod } from './params.js';
import { boxIntensityStage, maximaStage, shapeStage, Undecided, type Slab, type TrustedImage } from './stages.js';

function withDefaults<T extends object>(defaults: T, params: Record<string, unknown>, node: string): T {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(params ?? {})) {
    if (!(k in out)) throw new Error(`${node}: unknown parameter '${k}' (expected ${Object.keys(out).join(', ')})`);
    out[k] = v;
  }
  return out as T;
}

const slabOf = (v: Volume, g: ChunkGeometry): Slab => ({ shape: v.shape, z0: v.origin[2], depth: g.depth });
const trustedOf = (v: Volume, ctx?: ChunkContext): Range => ctx?.trusted ?? [v.origin[2], v.origin[2] + v.shape[2]];

/** A volume input of the same planes as the slab: from an earlier stage of the chunk, or read from a whole volume input. */
async function volumeInput(port: string, slab: Volume, ctx: ChunkContext | undefined, node: string): Promise<TrustedImage | null> {
  const s = ctx?.stream?.[port];
  if (s) {
    if (s.kind !== 'volume') throw new Error(`${node}: input '${port}' must be a volume, got points`);
    return { data: s.volume.data, trusted: s.trusted };
  }
  const a = ctx?.inputs?.[port];
  if (!a) return null;
  if (a.kind !== 'volume') throw new Error(`${node}: input '${port}' must be a volume, got ${a.kind}`);
  const [X, Y, Z] = slab.shape;
  if (a.shape[0] !== X || a.shape[1] !== Y) throw new Error(`${node}: input '${port}' has planes of ${a.shape[0]} x ${a.shape[1]}, the stream has ${X} x ${Y}`);
  const v = await readRegion(a, { z: [slab.origin[2], slab.origin[2] + Z] });
  return { data: v.data, trusted: [slab.origin[2], slab.origin[2] + Z] };
}

/** A points input: from an earlier stage of the chunk (with its decided range), or a whole points artefact (all decided). */
function pointsInput(port: string, ctx: ChunkContext | undefined, node: string): { points: Points; undecided: (z: number) => boolean; decided: Range } {
  const s: ChunkStreamValue | undefined = ctx?.stream?.[port];
  if (s) {
    if (s.kind !== 'points') throw new Error(`${node}: input '${port}' must be points, got a volume`);
    const [a, b] = s.decided;
    return { points: s.points, undecided: (z) => z < a || z + 1 > b, decided: s.decided };
  }
  const art = ctx?.inputs?.[port];
  if (!art || art.kind !== 'points') throw new Error(`${node}: input '${port}' must be points, got ${art ? art.kind : 'nothing'}`);
  return { points: art.points, undecided: () => false, decided: [-Infinity, Infinity] };
}

/** Coordinates with x, y relative to the slab (z stays global). */
function toSlab(coords: Float64Array, origin: [number, number, number]): Float64Array {
  if (origin[0] === 0 && origin[1] === 0) return coords;
  const out = Float64Array.from(coords);
  for (let i = 0; i < out.length; i += 3) { out[i] -= origin[0]; out[i + 1] -= origin[1]; }
  return out;
}
function fromSlab(coords: Float64Array, origin: [number, number, number]): Float64Array {
  if (origin[0] === 0 && origin[1] === 0) return coords;
  const out = Float64Array.from(coords);
  for (let i = 0; i < out.length; i += 3) { out[i] += origin[0]; out[i + 1] += origin[1]; }
  return out;
}
const intersect = (a: Range, b: Range): Range => [Math.max(a[0], b[0]), Math.min(a[1], b[1])];

/** `maxima`: findExtendedMaxima + centres (raw-weighted centres of the maxima with h-max, else every maximum voxel). */
export async function maximaKernel(slab: Volume, g: ChunkGeometry, params: Record<string, unknown>, ctx?: ChunkContext): Promise<DecidedPoints> {
  const p = withDefaults(DEFAULT_DETECT_PARAMS.findExtendedMaximaParameter, params, 'maxima');
  const data = slab.data instanceof Float32Array ? slab.data : Float32Array.from(slab.data);
  const img = { data, trusted: trustedOf(slab, ctx) };
  const weights = (await volumeInput('weights', slab, ctx, 'maxima')) ?? img;
  const r = maximaStage(img, weights, slabOf(slab, g), { hMax: p.hMax, size: maximaBox(p.size), threshold: p.threshold });
  return { kind: 'decided-points', points: makePoints(fromSlab(r.centres, slab.origin)), decided: r.undecided.around(g.core) };
}

export interface ShapeParams { threshold: number | null; method: IntensityMethod; cellReach: number }
export const DEFAULT_SHAPE_PARAMS: ShapeParams = { threshold: 700, method: 'Max', cellReach: 6 };

/** `shape`: detectCellShape from seed points + findCellSize + findCellIntensity (columns raw, dog, background, size). */
export async function shapeKernel(slab: Volume, g: ChunkGeometry, params: Record<string, unknown>, ctx?: ChunkContext): Promise<DecidedPoints> {
  const p = withDefaults(DEFAULT_SHAPE_PARAMS, params, 'shape');
  if (p.threshold !== null) {
    const [lo, hi] = dtypeRange(slab.dtype);
    if (p.threshold < lo || p.threshold > hi) throw new Error(`shape: threshold ${p.threshold} is outside the range [${lo}, ${hi}] of the ${slab.dtype} image it is compared with`);
  }
  const flood: TrustedImage = { data: slab.data, trusted: trustedOf(slab, ctx) };
  const seeds = pointsInput('seeds', ctx, 'shape');
  const raw = (await volumeInput('raw', slab, ctx, 'shape')) ?? flood;
  const dog = (await volumeInput('dog', slab, ctx, 'shape')) ?? flood;
  const s = slabOf(slab, g);
  const undecided = new Undecided(s);
  const coords = seeds.points.coords;
  const r = shapeStage(flood, s, toSlab(coords, slab.origin), seeds.undecided, p.threshold, [raw, dog, flood], toReduction(p.method), undecided);
  const out = new Float64Array(3 * r.kept.length);
  r.kept.forEach((i, j) => { out[3 * j] = coords[3 * i]; out[3 * j + 1] = coords[3 * i + 1]; out[3 * j + 2] = coords[3 * i + 2]; });
  const [iRaw, iDog, iBg] = r.intensities;
  return { kind: 'decided-points', points: makePoints(out, { raw: iRaw, dog: iDog, background: iBg, size: r.size }), decided: intersect(undecided.around(g.core), seeds.decided) };
}

export interface IntensityParams { method: IntensityMethod | null; size: [number, number, number]; column: string }
export const DEFAULT_INTENSITY_PARAMS: IntensityParams = { ...DEFAULT_DETECT_PARAMS.findIntensityParameter, column: 'intensity' };

/** `intensity`: findIntensity of the volume in a box around each point, appended as a column. */
export async function intensityKernel(slab: Volume, g: ChunkGeometry, params: Record<string, unknown>, ctx?: ChunkContext): Promise<DecidedPoints> {
  const p = withDefaults(DEFAULT_INTENSITY_PARAMS, params, 'intensity');
  const pts = pointsInput('points', ctx, 'intensity');
  if (p.column in pts.points.properties) throw new Error(`intensity: the points already have a column '${p.column}'; choose another 'column'`);
  const s = slabOf(slab, g);
  const undecided = new Undecided(s);
  for (let z = s.z0; z < s.z0 + slab.shape[2]; z++) if (pts.undecided(z)) undecided.markGlobal(z);
  const [col] = boxIntensityStage([{ data: slab.data, trusted: trustedOf(slab, ctx) }], s, toSlab(pts.points.coords, slab.origin), p.method === null ? null : toReduction(p.method), p.size, undecided);
  const points = makePoints(pts.points.coords, { ...pts.points.properties, [p.column]: col });
  return { kind: 'decided-points', points, decided: intersect(undecided.around(g.core), pts.decided) };
}

