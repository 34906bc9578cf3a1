// The planner: which nodes run together (units: fused chains of chunk nodes), and how a chain is cut
// into chunk tasks. Pure functions of the workflow, the inputs and the memory where chunks run, so
// every executor (local threads, SLURM, BullMQ) runs the same plan and writes the same chunk files.
import { totalmem } from 'node:os';
import { join } from 'node:path';
import type { Artefact, VolumeRef } from '../core/artefacts.js';
import type { ChunkNodeType } from '../core/node-type.js';
import { NodeError } from '../core/errors.js';
import { planChunks, planTiles, type ChunkGeometry } from '../data/chunk.js';
import { bytesPerVoxel } from '../data/volume.js';
import type { ResolvedNode, ValidWorkflow } from '../workflow/validate.js';
import type { WorkflowSettings } from '../workflow/format.js';
import type { StageSpec } from './chunk-task.js';
import { stageLinks, type Unit } from './units.js';
import { chunkJobId } from './executor.js';

/** ClearMap's default largest chunk; the memory budget usually decides first on full-size planes. */
const DEFAULT_CHUNK_SIZE_MAX = 100;
const DEFAULT_CHUNK_SIZE_MIN = 1;
/** Default cores are long enough that the re-read overlap stays at most this share of the work. */
const MAX_OVERLAP_SHARE = 0.15;
const DEFAULT_WORKING_BYTES_PER_VOXEL = 8;

// units (which nodes fuse into one chunk task) are planned in units.ts
export type { Unit } from './units.js';

export interface ChainPlan {
  source: VolumeRef;
  /** The per-unit part of every chunk task (identical object in all of them). */
  stages: StageSpec[];
  overlap: number;
  /** Columns/rows of overlap in x and y when every node of the chain supports x/y tiles, else undefined. */
  overlapXY?: number;
  geometries: ChunkGeometry[];
  /** Folder of the chain's chunk files: <cache>/chunks/<key>. */
  chunkDir: string;
  fileOf(g: ChunkGeometry): string;
  jobIdOf(g: ChunkGeometry): string;
  /** Lines describing derived parameters (e.g. pixel sizes from µm), for the log. */
  described: string[];
  /** A warning for the log, when memory forces chunks smaller than the overlap. */
  warning?: string;
}

export interface ChainPlanOptions {
  key: string;
  chunksDir: string;
  baseDir: string;
  /** Parallel slots of the executor (chunk counts are rounded to a multiple of it). */
  workers: number;
  /** Memory one chunk task may use where it runs; default 60% of this machine's memory / workers. */
  memoryPerTask?: number;
  settings: WorkflowSettings;
}

/** Cut a chain into chunk tasks: overlap from its stages, chunk sizes from the workers' memory. */
export function planChain(u: Unit, inputs: Record<string, Artefact | undefined>, stageInputs: Map<string, Record<string, Artefact | undefined>>, o: ChainPlanOptions): ChainPlan {
  const source = inputs.input as VolumeRef | undefined;
  const head = u.nodes[0];
  if (!source || source.kind !== 'volume') throw new NodeError(head.id, head.type.type, 'input is not a volume');
  // overlap and parameter descriptions may depend on the chain's source (e.g. its voxel size)
  const withSource = (id: string) => ({ ...stageInputs.get(id), input: source });
  const stages: StageSpec[] = u.nodes.map((n) => {
    const t = n.type as ChunkNodeType;
    return { nodeId: n.id, nodeType: t.type, module: t.kernel.module, export: t.kernel.export, params: n.params, produces: t.produces, context: { inputs: stageInputs.get(n.id) ?? {}, baseDir: o.baseDir }, overlap: Math.max(0, Math.ceil(t.overlap(n.params, withSource(n.id)))), ...(t.overlapXY ? { overlapXY: Math.max(0, Math.ceil(t.overlapXY(n.params, withSource(n.id)))) } : {}), links: stageLinks(u, n) };
  });
  const overlap = u.nodes.reduce((s, n) => s + Math.max(0, Math.ceil((n.type as ChunkNodeType).overlap(n.params, withSource(n.id)))), 0);
  const described = u.nodes.flatMap((n) => (n.type as ChunkNodeType).describeParams?.(n.params, withSource(n.id)) ?? []);
  // x/y tiles only when every node of the chain declares it can work on them
  const tileable = u.nodes.every((n) => typeof (n.type as ChunkNodeType).overlapXY === 'function');
  const overlapXY = tileable ? u.nodes.reduce((s, n) => s + Math.max(0, Math.ceil((n.type as ChunkNodeType).overlapXY!(n.params, withSource(n.id)))), 0) : undefined;
  const [X, Y, Z] = source.shape;
  const sizeMax = chunkSizeLimit(u, X * Y, bytesPerVoxel(source.dtype), overlap, o.workers, o.settings, o.memoryPerTask);
  const warning = sizeMax < overlap
    ? `memory allows only ${sizeMax}-plane chunks for an overlap of ${overlap} planes each side: most of each slab is overlap; raise settings.workerMemoryMax (or the workers' memory) or use fewer workers`
    : undefined;
  // planChunks splits for more workers only when that finishes sooner, overlap included
  const sizeMin = o.settings.chunkSizeMin ?? DEFAULT_CHUNK_SIZE_MIN;
  const geometries = overlapXY === undefined
    ? planChunks(Z, { overlap, sizeMin, sizeMax, workers: o.workers })
    : planTiles({ shape: [X, Y, Z], overlap, overlapXY, sizeMin, sizeMax: chunkSizeCap(overlap, o.settings), maxReadVoxels: readVoxelsLimit(u, bytesPerVoxel(source.dtype), o.workers, o.settings, o.memoryPerTask), workers: o.workers, tileSizeMax: o.settings.tileSizeMax });
  const chunkDir = join(o.chunksDir, o.key);
  // tiles: x/y in the names too (whole-plane chunks keep their names, so existing caches stay valid)
  const xy = (g: ChunkGeometry) => (g.tile ? `_x${g.tile.core[0].join('-')}_y${g.tile.core[1].join('-')}_rx${g.tile.read[0].join('-')}_ry${g.tile.read[1].join('-')}` : '');
  return {
    source, stages, overlap, overlapXY, geometries, chunkDir, warning: geometries.some((g) => g.tile) ? undefined : warning, described,
    fileOf: (g) => join(chunkDir, `${g.core[0]}-${g.core[1]}_read${g.read[0]}-${g.read[1]}${xy(g)}.chunk`),
    jobIdOf: (g) => chunkJobId(o.key, g.core, g.read) + xy(g),
  };
}

/**
 * Largest chunk core (planes) such that one worker's slab (core + 2 x overlap planes) times the chain's
 * working bytes per voxel fits the per-worker memory budget, capped by chunkSizeMax / chunkBytesMax.
 */
export function chunkSizeLimit(u: Unit, planeVoxels: number, inputBytes: number, overlap: number, workers: number, settings: WorkflowSettings, memoryPerTask?: number): number {
  const planes = Math.floor(readVoxelsLimit(u, inputBytes, workers, settings, memoryPerTask) / planeVoxels) - 2 * overlap;
  return Math.max(1, Math.min(chunkSizeCap(overlap, settings), planes));
}

/** Largest read box (voxels) of one chunk: the per-worker memory budget over input + working bytes per voxel, and chunkBytesMax. */
export function readVoxelsLimit(u: Unit, inputBytes: number, workers: number, settings: WorkflowSettings, memoryPerTask?: number): number {
  const working = Math.max(...u.nodes.map((n) => (n.type as ChunkNodeType).workingBytesPerVoxel?.(n.params) ?? DEFAULT_WORKING_BYTES_PER_VOXEL));
  // the smaller of the workflow's bound and what the workers have; this machine's memory only for local runs
  const known = [settings.workerMemoryMax, memoryPerTask].filter((m): m is number => m !== undefined);
  const budget = known.length ? Math.min(...known) : Math.floor((0.6 * totalmem()) / workers);
  let voxels = Math.floor(budget / (inputBytes + working));
  if (settings.chunkBytesMax) voxels = Math.min(voxels, Math.floor(settings.chunkBytesMax / inputBytes));
  return voxels;
}

/** Largest core in z-planes: chunkSizeMax, by default long enough that the re-read overlap stays <= MAX_OVERLAP_SHARE of the work. */
function chunkSizeCap(overlap: number, settings: WorkflowSettings): number {
  return settings.chunkSizeMax ?? Math.max(DEFAULT_CHUNK_SIZE_MAX, Math.ceil((2 * overlap) / MAX_OVERLAP_SHARE));
}
