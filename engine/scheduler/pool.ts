// The local executor: a pool of worker processes (default, process-pool.ts) or of threads.js worker
// threads on this machine. Either's per-task overhead is negligible at chunk granularity (a chunk is
// tens of MB). Created lazily: runs that hit the cache start no workers.
import { Pool, spawn, Worker } from 'threads';
import { ProcessPool, type TaskPool } from './process-pool.js';
import type { ChunkTask, ChunkTaskResult } from './chunk-task.js';
import type { PoolTask } from '../core/node-type.js';
import type { ChunkHooks, ChunkJob, Executor } from './executor.js';

const THREAD_START_TIMEOUT_MS = 180_000;

type ChunkWorkerApi = { runChunk(task: ChunkTask): Promise<ChunkTaskResult>; runTask(task: PoolTask): Promise<unknown> };

/** What local workers are: child processes (default) or worker threads of this process. */
export type LocalWorkerKind = 'processes' | 'threads';
export const LOCAL_WORKER_KINDS: readonly LocalWorkerKind[] = ['processes', 'threads'];
export const DEFAULT_LOCAL_WORKERS: LocalWorkerKind = 'processes';

export type { TaskPool };

/** A pool of `size` local workers of the given kind (started lazily). */
export function localPool(size: number, kind: LocalWorkerKind = DEFAULT_LOCAL_WORKERS): TaskPool {
  if (!LOCAL_WORKER_KINDS.includes(kind)) throw new Error(`unknown kind of local workers '${kind}' (expected ${LOCAL_WORKER_KINDS.join(' or ')})`);
  return kind === 'threads' ? new ChunkPool(size) : new ProcessPool(size);
}

/** A pool of worker threads running chunk tasks and generic tasks (also used by remote workers). */
export class ChunkPool implements TaskPool {
  // threads' generic pool types don't line up under NodeNext; the API used here is queue() and terminate()
  private pool?: { queue(fn: (w: unknown) => Promise<unknown>): PromiseLike<unknown>; terminate(force?: boolean): Promise<void> };

  constructor(readonly size: number) {}

  private get workers() {
    // path is resolved by threads relative to this file, i.e. dist/engine/scheduler/
    // workerData must be an object: geotiff's web-worker shim reads workerData.mod in any worker thread
    const options = { workerData: {} } as unknown as ConstructorParameters<typeof Worker>[1];
    // a generous start-up limit: on a loaded machine a thread importing the kernels can take > 10 s (threads' default)
    return (this.pool ??= Pool(() => spawn(new Worker('./chunk.worker.js', options), { timeout: THREAD_START_TIMEOUT_MS }), { size: this.size, concurrency: 1 }) as unknown as NonNullable<ChunkPool['pool']>);
  }

  run(task: ChunkTask, onStart?: () => void): Promise<ChunkTaskResult> {
    return Promise.resolve(this.workers.queue((w) => {
      onStart?.();
      return (w as ChunkWorkerApi).runChunk(task);
    })) as Promise<ChunkTaskResult>;
  }

  /** Generic task (the pool itself queues: at most `size` run at once). */
  runTask<T>(task: PoolTask): Promise<T> {
    return Promise.resolve(this.workers.queue((w) => (w as ChunkWorkerApi).runTask(task))) as Promise<T>;
  }

  async close(): Promise<void> {
    if (this.pool) await this.pool.terminate(true);
    this.pool = undefined;
  }
}

export class LocalExecutor implements Executor {
  readonly kind = 'local' as const;
  private readonly pool: TaskPool;

  constructor(readonly size: number, readonly workerKind: LocalWorkerKind = DEFAULT_LOCAL_WORKERS) {
    this.pool = localPool(size, workerKind);
  }

  get inFlight(): number {
    return this.size;
  }

  async memoryPerTask(): Promise<number | undefined> {
    return undefined;
  }

  run(job: ChunkJob, hooks?: ChunkHooks): Promise<ChunkTaskResult> {
    hooks?.onState?.('queued');
    return this.pool.run(job.task, () => hooks?.onState?.('running'));
  }

  runTask<T>(task: PoolTask): Promise<T> {
    return this.pool.runTask<T>(task);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
