// `run` options choosing where chunk tasks run (--executor local|slurm|bullmq and each one's settings).
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { EXECUTOR_KINDS, type Executor, type ExecutorKind } from '../../engine/scheduler/executor.js';
import { createExecutor } from '../../engine/scheduler/executors.js';
import { LOCAL_WORKER_KINDS, type LocalWorkerKind } from '../../engine/scheduler/pool.js';
import type { WorkflowSettings } from '../../engine/workflow/format.js';

export interface ExecutorCliOptions {
  executor?: ExecutorKind;
  localWorkers?: LocalWorkerKind;
  redis?: string;
  queue?: string;
  partition?: string;
  account?: string;
  time?: string;
  memPerTask?: number;
  cpusPerTask?: number;
  maxParallel?: number;
  sbatchArg: string[];
  poll?: number;
  retries?: number;
  tasksPerElement?: number;
  allowPlugins: string[];
}

/** Bytes from "123", "4G", "512M", "2k" (powers of 1024). */
export function bytesArg(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(v.trim());
  if (!m) throw new InvalidArgumentError(`expected bytes, e.g. 4000000000 or 4G, got '${v}'`);
  const n = Math.floor(Number(m[1]) * 1024 ** ' kmgt'.indexOf(m[2].toLowerCase() || ' '));
  if (!(n >= 1)) throw new InvalidArgumentError(`expected a positive size, got '${v}'`);
  return n;
}

function posInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function nonNegInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

function seconds(v: string): number {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError('expected seconds > 0');
  return n;
}

const collect = (v: string, acc: string[]) => [...acc, v];

/** --local-workers processes|threads (also used by `clearmap worker`). */
export function localWorkersArg(v: string): LocalWorkerKind {
  if (!LOCAL_WORKER_KINDS.includes(v as LocalWorkerKind)) throw new InvalidArgumentError(`expected ${LOCAL_WORKER_KINDS.join(' or ')}`);
  return v as LocalWorkerKind;
}

export function addExecutorOptions(cmd: Command): Command {
  return cmd
    .option('--executor <kind>', `where chunk tasks run: ${EXECUTOR_KINDS.join(', ')} (default: settings.executor, else local)`, (v: string) => {
      if (!EXECUTOR_KINDS.includes(v as ExecutorKind)) throw new InvalidArgumentError(`expected one of ${EXECUTOR_KINDS.join(', ')}`);
      return v as ExecutorKind;
    })
    .option('--local-workers <kind>', `what this machine's workers are: ${LOCAL_WORKER_KINDS.join(' or ')} (default: settings.localWorkers, else processes)`, localWorkersArg)
    .option('--redis <url>', 'bullmq: Redis URL (redis://host:port, unix:///path/redis.sock)')
    .option('--queue <name>', 'bullmq: queue name (default clearmap)')
    .option('--partition <name>', 'slurm: partition')
    .option('--account <name>', 'slurm: account')
    .option('--time <limit>', 'slurm: time limit of one array element (e.g. 1:00:00)')
    .option('--mem-per-task <bytes>', 'slurm: memory of one array element (e.g. 8G); chunks are sized from it', bytesArg)
    .option('--cpus-per-task <n>', 'slurm: CPUs of one array element', posInt)
    .option('--max-parallel <n>', 'slurm: array elements running at once (default 16)', posInt)
    .option('--sbatch-arg <arg>', 'slurm: extra sbatch argument (repeatable), e.g. --sbatch-arg=--qos=short', collect, [] as string[])
    .option('--poll <seconds>', 'slurm: seconds between bulk squeue polls (default 5)', seconds)
    .option('--retries <n>', 'slurm: resubmissions of a failed or killed element (default 2)', nonNegInt)
    .option('--tasks-per-element <n>', 'slurm: chunk tasks one array element runs (default 1)', posInt)
    .option('--allow-plugins <dir>', 'slurm: plugin root array elements may import from (repeatable)', collect, [] as string[]);
}

export function executorFromOptions(o: ExecutorCliOptions, settings: WorkflowSettings | undefined, workers: number, cacheDir: string, log: (m: string) => void): Promise<Executor> {
  return createExecutor({
    kind: o.executor, localWorkers: o.localWorkers, workers, cacheDir: resolve(cacheDir), redis: o.redis, queue: o.queue, log,
    slurm: {
      partition: o.partition, account: o.account, time: o.time, memPerTask: o.memPerTask, cpusPerTask: o.cpusPerTask,
      maxParallel: o.maxParallel, sbatchArgs: o.sbatchArg, poll: o.poll, retries: o.retries, tasksPerElement: o.tasksPerElement,
      pluginRoots: o.allowPlugins.map((p) => resolve(p)),
    },
  }, settings);
}
