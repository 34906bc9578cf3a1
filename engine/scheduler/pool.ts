// The threads.js worker pool that runs chunk tasks. Its ~1 ms per-task overhead is negligible at
// chunk granularity (a chunk is tens of MB). Created lazily: runs that hit the cache start no threads.
import { Pool, spawn, Worker } from 'threads';
import type { ChunkTask, ChunkTaskResult } from './chunk-task.js';

type ChunkWorkerApi = { runChunk(task: ChunkTask): Promise<ChunkTaskResult> };

export class ChunkPool {
  // threads' generic pool types don't line up under NodeNext; the API used here is queue() and terminate()
  private pool?: { queue(fn: (w: unknown) => Promise<unknown>): PromiseLike<unknown>; terminate(force?: boolean): Promise<void> };

  constructor(readonly size: number) {}

  run(task: ChunkTask): Promise<ChunkTaskResult> {
    // path is resolved by threads relative to this file, i.e. dist/engine/scheduler/
    const pool = (this.pool ??= Pool(() => spawn(new Worker('./chunk.worker.js')), { size: this.size, concurrency: 1 }) as unknown as NonNullable<ChunkPool['pool']>);
    return Promise.resolve(pool.queue((w) => (w as ChunkWorkerApi).runChunk(task))) as Promise<ChunkTaskResult>;
  }

  async close(): Promise<void> {
    if (this.pool) await this.pool.terminate(true);
    this.pool = undefined;
  }
}
