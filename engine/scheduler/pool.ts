// The local executor: a threads.js worker pool on this machine (the default). Its ~1 ms per-task
// overhead is negligible at chunk granularity (a chunk is tens of MB). Created lazily: runs that hit
// the cache start no threads.
import { Pool, spawn, Worker } from 'threads';
import type { ChunkTask, ChunkTaskResult } from './chunk-task.js';
import type { PoolTask } from '../core/node-type.js';
import type { ChunkHooks, ChunkJob, Executor } from './executor.js';

const THREAD_START_TIMEOUT_MS = 180_000;

type ChunkWorkerApi = { runChunk(task: ChunkTask): Promise<ChunkTaskResult>; runTask(task: PoolTask): Promise<unknown> };

/** A pool of worker threads running chunk tasks and generic tasks (also used by remote workers). */
export class ChunkPool {
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
  private readonly pool: ChunkPool;

  constructor(readonly size: number) {
    this.pool = new ChunkPool(size);
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
