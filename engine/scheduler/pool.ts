// The threads.js worker pool that runs chunk tasks. Its ~1 ms per-task overhead is negligible at
// chunk granularity (a chunk is tens of MB). Created lazily: runs that hit the cache start no threads.
import { Pool, spawn, Worker } from 'threads';
import type { ChunkTask, ChunkTaskResult } from './chunk-task.js';
import type { PoolTask } from '../core/node-type.js';

type ChunkWorkerApi = { runChunk(task: ChunkTask): Promise<ChunkTaskResult>; runTask(task: PoolTask): Promise<unknown> };

export class ChunkPool {
  // threads' generic pool types don't line up under NodeNext; the API used here is queue() and terminate()
  private pool?: { queue(fn: (w: unknown) => Promise<unknown>): PromiseLike<unknown>; terminate(force?: boolean): Promise<void> };

  constructor(readonly size: number) {}

  private get workers() {
    // path is resolved by threads relative to this file, i.e. dist/engine/scheduler/
    // workerData must be an object: geotiff's web-worker shim reads workerData.mod in any worker thread
    const options = { workerData: {} } as unknown as ConstructorParameters<typeof Worker>[1];
    return (this.pool ??= Pool(() => spawn(new Worker('./chunk.worker.js', options)), { size: this.size, concurrency: 1 }) as unknown as NonNullable<ChunkPool['pool']>);
  }

  run(task: ChunkTask): Promise<ChunkTaskResult> {
    return Promise.resolve(this.workers.queue((w) => (w as ChunkWorkerApi).runChunk(task))) as Promise<ChunkTaskResult>;
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
