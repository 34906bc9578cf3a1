// Everything the engine reports while running. The CLI renders these as progress bars on a TTY and
// as JSON lines with --json; tests assert on them.
import { serviceToken, type Service } from './services.js';
export type NodeStatus = 'computed' | 'cached' | 'failed' | 'skipped';

export type EngineEvent =
  | { event: 'run-start'; workflow: string; nodes: number; workers: number; cache: string; executor?: string }
  | { event: 'node-start'; node: string; type: string; chunks?: number }
  | { event: 'node-cached'; node: string; type: string; computedSeconds?: number }
  | { event: 'node-done'; node: string; type: string; seconds: number }
  | { event: 'node-failed'; node: string; type: string; error: string }
  | { event: 'node-skipped'; node: string; type: string; reason: string }
  /** host/pid: where a remote executor (slurm, bullmq) ran the chunk. */
  | { event: 'chunk-done'; node: string; index: number; count: number; cached: boolean; seconds: number; host?: string; pid?: number }
  /** Chunks of a node handed to the executor and not yet started (queued) or started (running). */
  | { event: 'chunk-state'; node: string; queued: number; running: number; executor: string }
  | { event: 'progress'; node: string; done: number; total: number }
  | { event: 'log'; node?: string; message: string }
  | { event: 'cache-corrupt'; node: string; reason: string }
  | { event: 'run-done'; seconds: number; ok: boolean };

export interface NodeSummary {
  id: string;
  type: string;
  status: NodeStatus;
  seconds: number;
  /** For chunk-wise nodes: chunks computed in this run vs taken from an interrupted run. */
  /**
   * regrown: chunks whose read window grew until their points were decided; patched: chunks that
   * recomputed the undecided parts of their core on small windows instead; tiles: chunks are x/y tiles.
   */
  chunks?: { computed: number; cached: number; total: number; regrown?: number; patched?: number; tiles?: boolean };
  /** For cached nodes: the seconds the node took when it was computed (recorded in the cache entry). */
  computedSeconds?: number;
  error?: string;
}

export interface RunSummary {
  workflow: string;
  ok: boolean;
  nodes: NodeSummary[];
  seconds: number;
  /** Peak resident memory of the whole process (main + worker threads), MB. */
  peakRssMB: number;
}

/**
 * Where a run's events (and so every node's ctx.log and ctx.progress) go besides the run's own event
 * stream (which drives the CLI's progress and --json): an engine service a plugin may bind, e.g. to
 * keep a lab's run log or forward messages to a monitoring system. None is bound by default. Its id
 * joins no cache key (logging never changes results); a sink that throws is reported once and ignored.
 */
export interface EventSink extends Service {
  emit(event: EngineEvent): void;
}

export const EVENT_SINK = serviceToken<EventSink>('event-sink');
