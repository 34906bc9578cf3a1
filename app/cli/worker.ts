// `clearmap worker`: a BullMQ queue worker computing chunk tasks in its own pool of worker processes (or threads).
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { bytesArg, localWorkersArg } from './executor-options.js';

export function registerWorkerCommand(program: Command): void {
  program.command('worker')
    .description('compute chunk tasks from a BullMQ queue (start one or more per host; they share the cache folder with the coordinator)')
    .requiredOption('--redis <url>', 'Redis URL (redis://host:port, unix:///path/redis.sock)')
    .option('--queue <name>', 'queue name', 'clearmap')
    .option('--cache <dir>', 'cache folder (shared with the coordinator, same path); chunk files are written only under it (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--threads <n>', 'chunks computed at once, each by its own worker (default: one per core)', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 1024) throw new InvalidArgumentError('expected an integer 1..1024');
      return n;
    })
    .option('--local-workers <kind>', 'processes (default) or threads: what those workers are', localWorkersArg)
    .option('--memory <bytes>', 'memory for chunks, split between the threads (e.g. 16G; default 60% of RAM)', bytesArg)
    .option('--allow-plugins <dir>', 'plugin root whose modules tasks may import (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--lock-duration <ms>', 'job lock in ms (a killed worker\'s jobs are recovered after it)', (v: string) => Number(v))
    .option('--json', 'log job events as JSON lines on stdout')
    .action(async (o: { redis: string; queue: string; cache: string[]; threads?: number; localWorkers?: 'processes' | 'threads'; memory?: number; allowPlugins: string[]; lockDuration?: number; json?: boolean }) => {
      const { startQueueWorker } = await import('../../engine/scheduler/bullmq.js');
      const { taskPolicy } = await import('../../engine/scheduler/task-policy.js');
      const caches = o.cache.length ? o.cache : ['.clearmap-cache'];
      const policy = taskPolicy({ pluginRoots: o.allowPlugins, writeRoots: caches.map((c) => resolve(c)) });
      const w = await startQueueWorker({
        redis: o.redis, queue: o.queue, threads: o.threads ?? availableParallelism(), localWorkers: o.localWorkers, memory: o.memory, policy, lockDuration: o.lockDuration,
        log: (e) => {
          if (o.json) process.stdout.write(JSON.stringify(e) + '\n');
          else process.stderr.write(`${new Date().toISOString()} ${Object.entries(e).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')}\n`);
        },
      });
      const stop = () => {
        process.stderr.write('worker: finishing active jobs, then exiting\n');
        w.close().then(() => process.exit(0), () => process.exit(1));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await new Promise(() => {}); // runs until signalled
    });
}
