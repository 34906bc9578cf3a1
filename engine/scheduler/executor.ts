// Where chunk tasks run. The scheduler (run.ts) plans units and chunks and joins the results; an
// Executor only runs plain-data tasks whose results travel through the content-addressed cache, so
// the same plan runs on this machine's threads, on a SLURM cluster or on a BullMQ queue. The executor
// is never part of a cache key: every executor writes the same chunk files, byte for byte.
import type { PoolTask } from '../core/node-type.js';
import type { ChunkTask, ChunkTaskResult } from './chunk-task.js';

export type ExecutorKind = 'local' | 'slurm' | 'bullmq';
export const EXECUTOR_KINDS: readonly ExecutorKind[] = ['local', 'slurm', 'bullmq'];

/** One chunk of one unit, as handed to an executor. */
export interface ChunkJob {
  /**
   * Stable identity of the chunk: the unit's cache key and the chunk's geometry (no executor, host or
   * run in it), so a restarted coordinator or a second one on the same cache names the same job.
   */
  id: string;
  /** The chain's last node, for messages. */
  node: string;
  task: ChunkTask;
}

/** Where a chunk runs (remote executors report the worker's host and pid). */
export interface ChunkPlace {
  host: string;
  pid: number;
}

/** A chunk's result, with where it ran when that was not this process. */
export type ChunkRunResult = ChunkTaskResult & Partial<ChunkPlace>;

export interface ChunkHooks {
  /** The chunk was handed to the executor's queue / started on a worker. */
  onState?(state: 'queued' | 'running', where?: ChunkPlace): void;
}

export interface Executor {
  readonly kind: ExecutorKind;
  /** Parallel slots, used to plan chunk counts and as NodeContext.workers. */
  readonly size: number;
  /** Chunks handed to the executor at once (local: `size`, so at most `size` slabs are alive). */
  readonly inFlight: number;
  /**
   * Memory (bytes) one chunk task may use where it runs, or undefined when the coordinator's own
   * memory decides (local). Remote executors know their workers' memory, not the coordinator's.
   */
  memoryPerTask(): Promise<number | undefined>;
  run(job: ChunkJob, hooks?: ChunkHooks): Promise<ChunkRunResult>;
  /** A generic task of a whole node (NodeContext.parallel); results come back in memory. */
  runTask<T>(task: PoolTask): Promise<T>;
  /** Cancel outstanding remote work (Ctrl-C on the coordinator); local threads end with the process. */
  cancel?(): Promise<void>;
  close(): Promise<void>;
}

/** Chunk identity used as job id / task name: unit key + geometry (filesystem- and queue-safe). */
export function chunkJobId(key: string, core: [number, number], read: [number, number]): string {
  return `${key}_${core[0]}-${core[1]}_r${read[0]}-${read[1]}`;
}
