// The contract every node type implements, built-in or plugin. Two kinds:
//  - 'whole': run(inputs, params, ctx) gets whole artefacts (volumes as lazy VolumeRefs).
//  - 'chunk': the engine streams z-slabs of the single volume input `input` through a kernel that
//    runs in a worker thread; consecutive chunk nodes are fused into one worker task.
import type { Artefact, PortType, SlabReadOptions, VolumeRef } from './artefacts.js';
import type { ChunkGeometry } from '../data/chunk.js';
import type { Volume } from '../data/volume.js';
import type { Points } from '../data/points.js';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { Service, ServiceToken, Services } from './services.js';

export interface PortSpec {
  type: PortType;
  description: string;
  /** Optional inputs may be left unwired; optional outputs may be absent (a consumer then gets no input). */
  optional?: boolean;
}

/**
 * JSON Schema (draft 2020-12 subset) for a node's params: an object schema with defaults and descriptions.
 * A param that names a file or folder the node READS carries `format: 'path'` (or `items: { format: 'path' }`
 * for a list): the engine resolves it against the workflow folder before the node sees it and puts the
 * file's identity (size, mtime) into the cache key. Destinations of result writers are not marked.
 */
export interface ParamsSchema {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required?: readonly string[];
  additionalProperties?: false;
  [k: string]: unknown;
}

/** Untyped params (nodes written before typed params; still accepted everywhere). */
export type Params = Record<string, unknown>;

/**
 * The TypeScript type of a params schema as the node receives it: validated, with every `default`
 * filled in by validation (so defaulted properties are not optional). One declaration, two uses: the
 * schema validates and documents, this type checks the node's and the kernel's code.
 */
export type ParamsOf<S> = Tuples<S> extends infer T extends JSONSchema ? FromSchema<T> extends infer P extends Params ? P : Params : Params;

/** `{ type: 'array', items: X, minItems: n, maxItems: n }` (n = 2..4) reads as a tuple of n X, e.g. [x, y, z]. */
type Tuples<S> = S extends { readonly type: 'array'; readonly items: infer I; readonly minItems: infer N extends 2 | 3 | 4; readonly maxItems: infer M }
  ? [N] extends [M] ? { [K in keyof S]: K extends 'items' ? Repeat<Tuples<I>, N> : S[K] } & { readonly additionalItems: false } : S
  : S extends readonly unknown[] ? { [K in keyof S]: Tuples<S[K]> }
  : S extends object ? { [K in keyof S]: Tuples<S[K]> } : S;
type Repeat<I, N extends number, A extends readonly unknown[] = []> = A['length'] extends N ? A : Repeat<I, N, readonly [...A, I]>;

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
  /** `opts.into`: a reusable slab buffer (engine/data/slab-pool.ts) the reader may fill instead of allocating. */
  readVolume(ref: VolumeRef, region?: { x?: [number, number]; y?: [number, number]; z?: [number, number] }, opts?: SlabReadOptions): Promise<Volume>;
  /**
   * Run tasks on the engine's worker pool (at most `workers` at a time), e.g. slabs of a resampling.
   * Each task calls `export` of `module` with `args` (structured-clonable) in a worker thread;
   * results come back in task order.
   */
  parallel<T = unknown>(tasks: PoolTask[]): Promise<T[]>;
  signal: AbortSignal;
  /**
   * Engine services (e.g. the registration backend); plugins may replace them. Always set by the
   * engine; optional only so code calling run() directly may omit it (nodes then use the built-in).
   * Not available in chunk kernels (worker threads).
   */
  services?: Services;
  /**
   * A fresh scratch directory for this node run, owned by this process inside the cache (not /tmp,
   * which is often small on cluster nodes): removed when the node ends, and swept by the next run
   * when the process dies. Files here are NOT part of the result (use workDir for that). Always set by
   * the engine; optional only for code calling run() directly.
   */
  tempDir?(label: string): string;
}

export interface PoolTask {
  module: string;
  export: string;
  args: unknown;
}

interface NodeTypeBase<P = Params> {
  /** Name used in workflow JSON, e.g. "statistics" or "ilastik-bridge.classify". */
  type: string;
  /** Bump whenever the output for the same inputs and params changes: it is part of the cache key. */
  version: string;
  description: string;
  inputs: Record<string, PortSpec>;
  outputs: Record<string, PortSpec>;
  params: ParamsSchema;
  /** Checks a schema cannot express (even/odd sizes, ranges depending on other params). Return messages naming the param. */
  check?(params: P): string[];
  /**
   * Identity of external inputs the cache key must include beyond the files of `format: 'path'` params
   * (which the engine fingerprints itself), e.g. the files a pattern expands to, or which backend runs.
   * Return a stable JSON value; it is hashed. `services` are the engine services (as ctx.services).
   */
  externalIdentity?(params: P, baseDir: string, services?: Services): Promise<unknown>;
  /**
   * Modules (URLs or paths) whose source is part of this node's implementation beyond its kernel
   * module (chunk nodes) and its run() function (whole nodes), e.g. modules run via ctx.parallel. Their
   * content is hashed into the cache key, so an edited implementation never serves stale results.
   */
  implementation?: string[];
  /** Services this node gets from ctx.services: the id of each bound implementation joins the cache key. */
  services?: ServiceToken<Service>[];
}

export interface WholeNodeType<P = Params> extends NodeTypeBase<P> {
  kind: 'whole';
  /**
   * Output files must be written into ctx.workDir (cached) — except user-visible results, which are
   * written atomically to their destination and reported as 'file' artefacts.
   */
  run(inputs: Record<string, Artefact | undefined>, params: P, ctx: NodeContext): Promise<Record<string, Artefact>>;
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
export type ChunkKernel<P = Params> = (slab: Volume, geometry: ChunkGeometry, params: P, context: ChunkContext) =>
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
  /**
   * With x/y tiles (geometry.tile): the global columns [x0, x1) and rows [y0, y1) of the input slab
   * whose values equal a whole-stack run's. Absent: the whole slab in x and y.
   */
  trustedXY?: [[number, number], [number, number]];
}

/**
 * A value passed between fused stages inside one chunk. `trusted` (volumes) and `decided` (points)
 * are global z ranges where the value equals what one chunk over the whole stack would give: for
 * points, every point with z in `decided` is present and exact, and no other point belongs there.
 */
export type ChunkStreamValue =
  | { kind: 'volume'; volume: Volume; trusted: [number, number]; trustedXY?: [[number, number], [number, number]] }
  | { kind: 'points'; points: Points; decided: [number, number]; decidedXY?: [[number, number], [number, number]] };

/**
 * What a points kernel returns when it decides itself where its result is exact (e.g. detection,
 * whose h-max reconstruction and watershed are not local). When `decided` does not cover the chunk's
 * core, the chunk task reads a larger window and runs the chain again, so the joined result never
 * depends on the chunking. A plain Points return is taken as exact on the input's trusted planes
 * less the node's declared overlap.
 */
export interface DecidedPoints {
  kind: 'decided-points';
  points: Points;
  decided: [number, number];
  /**
   * With x/y tiles: the global columns and rows where the points are decided (together with `decided`
   * in z, a box: every point inside it is present and exact). Absent: the slab's trusted x/y less
   * the node's overlapXY. Bounds beyond the plane's edges may be +-Infinity.
   */
  decidedXY?: [[number, number], [number, number]];
  /**
   * Optional, finer than the decided box: boxes [x, y, z] (global, half-open) inside the chunk's core
   * holding every point that may differ from a whole-stack run; points of the core outside all of them
   * are exact. When the decided box misses the core, the chunk task then recomputes only windows
   * around these boxes (patches) instead of the whole chunk on a larger window.
   */
  undecided?: [[number, number], [number, number], [number, number]][];
}

export function isDecidedPoints(v: unknown): v is DecidedPoints {
  return !!v && typeof v === 'object' && (v as DecidedPoints).kind === 'decided-points';
}

export interface ChunkNodeType<P = Params> extends NodeTypeBase<P> {
  kind: 'chunk';
  /** Which output this node produces from its single volume input named `input`. */
  produces: ChunkOutputKind;
  /**
   * Planes of context needed on each side of a chunk for exact results. `inputs` are the node's
   * non-stream inputs (e.g. a trained model whose filters set the overlap), resolved before chunking,
   * plus `input`: the chain's source volume (its voxel size; sizes given in µm depend on it).
   */
  overlap(params: P, inputs?: Record<string, Artefact | undefined>): number;
  /**
   * Columns/rows of context needed on each side in x and y (same `inputs` as overlap). Declaring it
   * says the kernel works on x/y tiles: slabs may then cover part of each plane (slab.origin[0..1],
   * geometry.tile, context.trustedXY) and a points kernel deciding itself reports decidedXY.
   * Nodes without it always get whole planes; a chain is tiled only if all its nodes declare it.
   */
  overlapXY?(params: P, inputs?: Record<string, Artefact | undefined>): number;
  /** Lines logged before the chunks run, e.g. what µm-sized params became in pixels (same `inputs` as overlap). */
  describeParams?(params: P, inputs?: Record<string, Artefact | undefined>): string[];
  /**
   * Peak working memory of the kernel per voxel of its input slab, in bytes (default 8). The engine
   * sizes chunks so that workers x slab voxels x this stays within the memory budget.
   */
  workingBytesPerVoxel?(params: P): number;
  kernel: { module: string; export: string };
  /** For 'reduce': combine per-chunk partials (given in chunk order) into the output artefacts. */
  join?(partials: unknown[], params: P, ctx: NodeContext): Promise<Record<string, Artefact>>;
  /** dtype of the output volume for 'volume' stages. */
  outputDtype?(inputDtype: import('../data/volume.js').DType, params: P): import('../data/volume.js').DType;
}

export type NodeType<P = Params> = WholeNodeType<P> | ChunkNodeType<P>;

/**
 * Declare a whole node with typed params: `params` is the schema (written as a literal, no `as const`
 * needed), and run/check/externalIdentity receive ParamsOf<that schema>.
 */
export function defineWholeNode<const S extends ParamsSchema>(node: Omit<WholeNodeType<ParamsOf<S>>, 'params'> & { params: S }): WholeNodeType<ParamsOf<S>> {
  return node;
}

/** Declare a chunk node with typed params (see defineWholeNode). */
export function defineChunkNode<const S extends ParamsSchema>(node: Omit<ChunkNodeType<ParamsOf<S>>, 'params'> & { params: S }): ChunkNodeType<ParamsOf<S>> {
  return node;
}

/** A params schema declared on its own (e.g. beside the kernel that reads it): keeps its literal type. */
export function paramsSchema<const S extends ParamsSchema>(schema: S): S {
  return schema;
}
