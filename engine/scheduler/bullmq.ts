// BullMQ executor: chunk tasks as jobs on a Redis queue, computed by `clearmap worker` processes on
// any host that shares the cache folder. The job id is the chunk's identity (unit key + geometry), so
// a restarted coordinator, or a second one on the same cache, finds the job instead of adding a copy.
// Workers run kernels in their own threads pool: the worker's event loop stays free to renew job
// locks, so a kernel longer than the lock is not taken for stalled and run twice; a killed worker's
// jobs are stalled and recovered by the other workers once its lock expires.
import { hostname, totalmem } from 'node:os';
import { serialize, deserialize } from 'node:v8';
import { Queue, QueueEvents, Worker, UnrecoverableError, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { PoolTask } from '../core/node-type.js';
import { localPool, type LocalWorkerKind, type TaskPool } from './pool.js';
import { readChunkHeader, readChunkPayload } from './chunk-file.js';
import type { ChunkTask } from './chunk-task.js';
import type { ChunkHooks, ChunkJob, ChunkRunResult, Executor } from './executor.js';
import { checkChunkTask, TaskRefused, type TaskPolicy } from './task-policy.js';

export const DEFAULT_QUEUE = 'clearmap';
/** Workers re-announce themselves this often; an entry older than WORKER_TTL_MS is a gone worker. */
const WORKER_BEAT_MS = 5_000;
const WORKER_TTL_MS = 30_000;

interface ChunkJobData {
  /** v8-serialised ChunkTask (typed arrays in stage inputs survive, unlike JSON). */
  task: string;
  node: string;
  index: number;
  count: number;
}

interface WorkerInfo { host: string; pid: number; threads: number; memoryPerTask: number; seen: number }

/** Connection options from `redis://host:port[/db]`, `rediss://…`, `unix:///path` or a socket path. */
export function redisOptions(url: string): { url?: string; path?: string; maxRetriesPerRequest: null } {
  if (url.startsWith('unix://')) return { path: url.slice('unix://'.length), maxRetriesPerRequest: null };
  if (url.startsWith('/')) return { path: url, maxRetriesPerRequest: null };
  return { url, maxRetriesPerRequest: null };
}

/** A connection of our own (BullMQ's queue, events and worker open and close theirs from the options). */
export function redisConnection(url: string): Redis {
  const { url: u, ...rest } = redisOptions(url);
  return u ? new Redis(u, rest) : new Redis(rest);
}

const workersKey = (queue: string) => `clearmap-workers:${queue}`;

async function liveWorkers(redis: Redis, queue: string): Promise<WorkerInfo[]> {
  const all = await redis.hgetall(workersKey(queue));
  const now = Date.now();
  return Object.values(all).map((v) => JSON.parse(v) as WorkerInfo).filter((w) => now - w.seen < WORKER_TTL_MS);
}

export interface BullmqExecutorOptions {
  redis: string;
  queue?: string;
  /** Threads for whole nodes' generic tasks (NodeContext.parallel), run on the coordinator. */
  localThreads: number;
  /** What those local workers are (default processes). */
  localWorkers?: LocalWorkerKind;
  log?(message: string): void;
}

export class BullmqExecutor implements Executor {
  readonly kind = 'bullmq' as const;
  /** All chunks of a node go to the queue at once; the queue and the workers pace them. */
  readonly inFlight = 100_000;
  private readonly local: TaskPool;
  private readonly redis: Redis;
  private readonly queue: Queue;
  private events?: Promise<QueueEvents>;
  private readonly hooks = new Map<string, ChunkHooks>();

  private constructor(readonly size: number, private readonly workers: WorkerInfo[], private readonly o: BullmqExecutorOptions & { queue: string }, redis: Redis) {
    this.redis = redis;
    this.local = localPool(Math.max(1, o.localThreads), o.localWorkers);
    this.queue = new Queue(o.queue, { connection: redisOptions(o.redis) });
  }

  static async create(o: BullmqExecutorOptions): Promise<BullmqExecutor> {
    const queue = o.queue ?? DEFAULT_QUEUE;
    const redis = redisConnection(o.redis);
    let workers: WorkerInfo[];
    try {
      workers = await liveWorkers(redis, queue);
    } catch (e) {
      redis.disconnect();
      throw new Error(`cannot reach Redis at ${o.redis}: ${(e as Error).message}`);
    }
    if (!workers.length) o.log?.(`no worker is registered on queue '${queue}' yet: chunks wait in the queue until \`clearmap worker --redis ${o.redis}${queue === DEFAULT_QUEUE ? '' : ` --queue ${queue}`}\` runs`);
    const size = Math.max(1, workers.reduce((s, w) => s + w.threads, 0));
    return new BullmqExecutor(size, workers, { ...o, queue }, redis);
  }

  async memoryPerTask(): Promise<number | undefined> {
    return this.workers.length ? Math.min(...this.workers.map((w) => w.memoryPerTask)) : undefined;
  }

  private queueEvents(): Promise<QueueEvents> {
    return (this.events ??= (async () => {
      const ev = new QueueEvents(this.o.queue, { connection: redisOptions(this.o.redis) });
      ev.on('active', ({ jobId }) => this.hooks.get(jobId)?.onState?.('running'));
      ev.on('progress', ({ jobId, data }) => {
        const d = data as { host?: string; pid?: number };
        if (d && typeof d === 'object' && d.host) this.hooks.get(jobId)?.onState?.('running', { host: d.host, pid: d.pid ?? 0 });
      });
      await ev.waitUntilReady();
      return ev;
    })());
  }

  async run(job: ChunkJob, hooks?: ChunkHooks): Promise<ChunkRunResult> {
    const events = await this.queueEvents();
    if (hooks) this.hooks.set(job.id, hooks);
    try {
      let j = await this.queue.getJob(job.id);
      if (j) {
        const state = await j.getState();
        // a finished job of an earlier run whose chunk file is not there (or a failure): run it again
        if (state === 'completed' || state === 'failed') {
          await j.remove().catch(() => {});
          j = undefined;
        }
      }
      const g = job.task.geometry;
      if (!j) {
        const data: ChunkJobData = { task: serialize(job.task).toString('base64'), node: job.node, index: g.index, count: g.count };
        j = await this.queue.add('chunk', data, {
          jobId: job.id,
          attempts: 2,
          removeOnComplete: { age: 24 * 3600 },
          removeOnFail: { age: 24 * 3600 },
        });
      }
      hooks?.onState?.('queued');
      let r: ChunkRunResult;
      try {
        r = await j.waitUntilFinished(events) as ChunkRunResult;
      } catch (e) {
        throw new Error(`chunk ${g.index + 1}/${g.count} (z ${g.core[0]}–${g.core[1]}) failed on the queue '${this.o.queue}': ${(e as Error).message}`);
      }
      if (!readChunkHeader(job.task.chunkFile)) {
        throw new Error(`a worker${r?.host ? ` on ${r.host}` : ''} finished chunk ${g.index + 1}/${g.count} but ${job.task.chunkFile} is not there: workers must see the same cache folder (a shared filesystem, same path)`);
      }
      return r;
    } finally {
      this.hooks.delete(job.id);
    }
  }

  runTask<T>(task: PoolTask): Promise<T> {
    return this.local.runTask<T>(task);
  }

  async close(): Promise<void> {
    await this.local.close();
    if (this.events) await (await this.events).close();
    await this.queue.close();
    this.redis.disconnect();
  }
}

export interface QueueWorkerOptions {
  redis: string;
  queue?: string;
  threads: number;
  /** What the `threads` workers are: child processes (default) or worker threads. */
  localWorkers?: LocalWorkerKind;
  /** Memory this worker may use for chunks (bytes), split between its threads; default 60% of RAM. */
  memory?: number;
  policy: TaskPolicy;
  /** Lock duration (ms): a job whose worker stops renewing it for this long is stalled. */
  lockDuration?: number;
  /** One line per job event (JSON), for logs and tests. */
  log?(entry: Record<string, unknown>): void;
}

/** A queue worker: takes chunk jobs and runs them in its own threads pool. */
export async function startQueueWorker(o: QueueWorkerOptions): Promise<{ close(): Promise<void> }> {
  const queue = o.queue ?? DEFAULT_QUEUE;
  const host = hostname();
  const pid = process.pid;
  const pool = localPool(o.threads, o.localWorkers);
  const redis = redisConnection(o.redis);
  const memoryPerTask = Math.floor((o.memory ?? 0.6 * totalmem()) / o.threads);
  const log = o.log ?? (() => {});
  const lockDuration = o.lockDuration ?? 30_000;
  const worker = new Worker(queue, async (job: Job<ChunkJobData>) => {
    const task = deserialize(Buffer.from(job.data.task, 'base64')) as ChunkTask;
    try {
      checkChunkTask(task, o.policy, `job ${job.id}`);
    } catch (e) {
      if (e instanceof TaskRefused) {
        log({ event: 'refused', job: job.id, error: e.message });
        throw new UnrecoverableError(`refused by the worker on ${host} (pid ${pid}): ${e.message}`);
      }
      throw e;
    }
    // idempotent: a chunk another worker (or an earlier attempt) completed is not computed again
    const done = readChunkPayload(task.chunkFile);
    if (done) {
      log({ event: 'reused', job: job.id });
      return { bytes: done.header.bytes, seconds: 0, host, pid };
    }
    await job.updateProgress({ host, pid });
    log({ event: 'start', job: job.id, node: job.data.node, index: job.data.index });
    try {
      const r = await pool.run(task);
      log({ event: 'computed', job: job.id, node: job.data.node, index: job.data.index, seconds: r.seconds });
      return { ...r, host, pid };
    } catch (e) {
      log({ event: 'failed', job: job.id, error: (e as Error).message });
      throw new Error(`on ${host} (pid ${pid}): ${(e as Error).message}`);
    }
  }, {
    connection: redisOptions(o.redis),
    concurrency: o.threads,
    lockDuration,
    stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)),
    maxStalledCount: 3,
  });
  const beat = async () => {
    const info: WorkerInfo = { host, pid, threads: o.threads, memoryPerTask, seen: Date.now() };
    await redis.hset(workersKey(queue), `${host}:${pid}`, JSON.stringify(info)).catch(() => {});
  };
  await worker.waitUntilReady();
  await beat();
  const timer = setInterval(beat, WORKER_BEAT_MS);
  timer.unref();
  log({ event: 'ready', host, pid, queue, threads: o.threads, memoryPerTask });
  return {
    async close() {
      clearInterval(timer);
      await worker.close();
      await pool.close();
      await redis.hdel(workersKey(queue), `${host}:${pid}`).catch(() => {});
      redis.disconnect();
    },
  };
}
