// Choosing an executor. Remote executors are imported on demand: a local run loads neither bullmq
// nor anything SLURM-related.
import type { WorkflowSettings } from '../workflow/format.js';
import { EXECUTOR_KINDS, type Executor, type ExecutorKind } from './executor.js';
import { DEFAULT_LOCAL_WORKERS, LOCAL_WORKER_KINDS, LocalExecutor, type LocalWorkerKind } from './pool.js';
import type { SlurmOptions } from './slurm.js';

export interface ExecutorChoice {
  /** --executor; else settings.executor; else local. */
  kind?: ExecutorKind;
  /** Local threads (chunk tasks for local, whole nodes' generic tasks for remote executors). */
  workers: number;
  /** --local-workers; else settings.localWorkers; else processes. */
  localWorkers?: LocalWorkerKind;
  cacheDir: string;
  redis?: string;
  queue?: string;
  slurm?: Omit<SlurmOptions, 'cacheRoot' | 'localThreads' | 'log'>;
  log?(message: string): void;
}

export async function createExecutor(choice: ExecutorChoice, settings: WorkflowSettings = {}): Promise<Executor> {
  const kind = choice.kind ?? settings.executor ?? 'local';
  if (!EXECUTOR_KINDS.includes(kind)) throw new Error(`unknown executor '${kind}' (expected ${EXECUTOR_KINDS.join(', ')})`);
  const localWorkers = choice.localWorkers ?? settings.localWorkers ?? DEFAULT_LOCAL_WORKERS;
  if (!LOCAL_WORKER_KINDS.includes(localWorkers)) throw new Error(`unknown kind of local workers '${localWorkers}' (expected ${LOCAL_WORKER_KINDS.join(' or ')})`);
  if (kind === 'bullmq') {
    if (!choice.redis) throw new Error('--executor bullmq needs --redis <url> (e.g. redis://host:6379 or unix:///path/redis.sock)');
    const { BullmqExecutor } = await import('./bullmq.js');
    return BullmqExecutor.create({ redis: choice.redis, queue: choice.queue, localThreads: choice.workers, localWorkers, log: choice.log });
  }
  if (kind === 'slurm') {
    const { SlurmExecutor } = await import('./slurm.js');
    return new SlurmExecutor({ ...choice.slurm, cacheRoot: choice.cacheDir, localThreads: choice.workers, localWorkers, log: choice.log });
  }
  return new LocalExecutor(Math.max(1, choice.workers), localWorkers);
}
