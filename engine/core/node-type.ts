// The contract every node type implements, built-in or plugin. Two kinds:
//  - 'whole': run(inputs, params, ctx) gets whole artefacts (volumes as lazy VolumeRefs).
//  - 'chunk': the engine streams z-slabs of the single volume input `input` through a kernel that
//    runs in a worker thread; consecutive chunk nodes are fused into one worker task.
import type { Artefact, PortType, VolumeRef } from './artefacts.js';
import type { ChunkGeometry } from '../data/chunk.js';
import type { Volume } from '../data/volume.js';
import type { Points } from '../data/points.js';

export interface PortSpec {
  type: PortType;
  description: string;
  /** Optional inputs may be left unwired. */
  optional?: boolean;
}

/** JSON Schema (draft 2020-12 subset) for a node's params: an object schema with defaults and descriptions. */
export interface ParamsSchema {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
  additionalProperties?: false;
  [k: string]: unknown;
}

export interface NodeContext {
  /** Workflow node id, for messages. */
  nodeId: string;
  /** A fresh private directory; files written here become part of the node's cached result. */
  workDir: string;
  /** Directory of the workflow file (relative paths in params resolve against it). */
  baseDir: string;
  /** Directory where user-visible results go (`--out`, default <workflow dir>/results). */
  outDir: string;
  workers: number;
  log(message: string): void;
  progress(done: number, total: number): void;
  /** Read a region (or everything) of a volume input in this thread. */
  readVolume(ref: VolumeRef, region?: { x?: [number, number]; y?: [number, number]; z?: [number, number] }): Promise<Volume>;
  /**
   * Run tasks on the engine's worker pool (at most `workers` at a time), e.g. slabs of a resampling.
   * Each task calls `export` of `module` with `args` (structured-clonable) in a worker thread;
   * results come back in task order.
   */
  parallel<T = unknown>(tasks: PoolTask[]): Promise<T[]>;
  signal: AbortSignal;
}

export interface PoolTask {
  module: string;
  export: string;
  args: unknown;
}

interface NodeTypeBase {
  /** Name used in workflow JSON, e.g. "statistics" or "ilastik-bridge.classify". */
  type: string;
  /** Bump whenever the output for the same inputs and params changes: it is part of the cache key. */
  version: string;
  description: string;
  inputs: Record<string, PortSpec>;
  outputs: Record<string, PortSpec>;
  params: ParamsSchema;
  /** Checks a schema cannot express (even/odd sizes, ranges depending on other params). Return messages naming the param. */
  check?(params: Record<string, unknown>): string[];
  /**
   * Identity of external inputs (e.g. source files, a classifier project: path, size, mtime) that the
   * cache key must include. Return a stable JSON value; it is hashed.
   */
  externalIdentity?(params: Record<string, unknown>, baseDir: string): Promise<unknown>;
}

export interface WholeNodeType extends NodeTypeBase {
  kind: 'whole';
  /**
   * Output files must be written into ctx.workDir (cached) — except user-visible results, which are
   * written atomically to their destination and reported as 'file' artefacts.
   */
  run(inputs: Record<string, Artefact | undefined>, params: Record<string, unknown>, ctx: NodeContext): Promise<Record<string, Artefact>>;
  /** For result writers: the cache entry is only valid while these files still exist unchanged. */
  producesFiles?: boolean;
}

/** What a chunk kernel returns. 'volume' stages return the processed slab (same z extent as the input slab). */
export type ChunkOutputKind = 'volume' | 'points' | 'reduce';

/**
 * The kernel signature (exported by `kernel.module` under `kernel.export`, run in a worker):
 *   (slab: Volume, geometry: ChunkGeometry, params) => Volume | Points | ReducePartial   (or a Promise of it)
 * `slab.origin[2]` is geometry.read[0]. Points must be in global stack coordinates; the engine keeps
 * those whose z lies in the chunk's core range. Reduce partials must be structured-clonable.
 */
export type ChunkKernel = (slab: Volume, geometry: ChunkGeometry, params: Record<string, unknown>, context: ChunkContext) =>
  Volume | Points | unknown | Promise<Volume | Points | unknown>;

/** What a chunk kernel gets besides its slab: the node's other (non-volume-stream) inputs and the workflow folder. */
export interface ChunkContext {
  /** The node's inputs other than `input` (e.g. a trained model as json), resolved before the stream starts. */
  inputs: Record<string, Artefact | undefined>;
  /** Folder of the workflow file: resolve relative paths in params against it. */
  baseDir: string;
  /**
   * Inputs produced inside the same chunk by earlier stages of a fused chain (a volume of the same
   * planes as the slab, or the points found in it), by port. Set by the chunk task.
   */
  stream?: Record<string, ChunkStreamValue>;
  /** Global planes [z0, z1) of the input slab whose values equal a whole-stack run's. Set by the chunk task. */
  trusted?: [number, number];
}

/**
 * A value passed between fused stages inside one chunk. `trusted` (volumes) and `decided` (points)
 * are global z ranges where the value equals what one chunk over the whole stack would give: for
 * points, every point with z in `decided` is present and exact, and no other point belongs there.
 */
export type ChunkStreamValue =
  | { kind: 'volume'; volume: Volume; trusted: [number, number] }
  | { kind: 'points'; points: Points; decided: [number, number] };

/**
 * What a points kernel returns when it decides itself where its result is exact (e.g. detection,
 * whose h-max reconstruction and watershed are not local). When `decided` does not cover the chunk's
 * core, the chunk task reads a larger window and runs the chain again, so the joined result never
 * depends on the chunking. A plain Points return is taken as exact on the input's trusted planes
 * less the node's declared overlap.
 */
export interface DecidedPoints { kind: 'decided-points'; points: Points; decided: [number, number] }

export function isDecidedPoints(v: unknown): v is DecidedPoints {
  return !!v && typeof v === 'object' && (v as DecidedPoints).kind === 'decided-points';
}

export interface ChunkNodeType extends NodeTypeBase {
  kind: 'chunk';
  /** Which output this node produces from its single volume input named `input`. */
  produces: ChunkOutputKind;
  /**
   * Planes of context needed on each side of a chunk for exact results. `inputs` are the node's
   * non-stream inputs (e.g. a trained model whose filters set the overlap), resolved before chunking.
   */
  overlap(params: Record<string, unknown>, inputs?: Record<string, Artefact | undefined>): number;
  /**
   * Peak working memory of the kernel per voxel of its input slab, in bytes (default 8). The engine
   * sizes chunks so that workers x slab voxels x this stays within the memory budget.
   */
  workingBytesPerVoxel?(params: Record<string, unknown>): number;
  kernel: { module: string; export: string };
  /** For 'reduce': combine per-chunk partials (given in chunk order) into the output artefacts. */
  join?(partials: unknown[], params: Record<string, unknown>, ctx: NodeContext): Promise<Record<string, Artefact>>;
  /** dtype of the output volume for 'volume' stages. */
  outputDtype?(inputDtype: import('../data/volume.js').DType, params: Record<string, unknown>): import('../data/volume.js').DType;
}

export type NodeType = WholeNodeType | ChunkNodeType;
