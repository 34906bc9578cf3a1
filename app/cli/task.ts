// `clearmap task`: run the chunk tasks of one element of a task list (what a SLURM array element runs).
import { resolve, sep } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';

export function registerTaskCommand(program: Command): void {
  program.command('task')
    .description('run one element of a chunk task list (written under <cache>/tasks/ by `run --executor slurm`)')
    .requiredOption('--list <file>', 'task list file')
    .requiredOption('--index <n>', 'element index (e.g. $SLURM_ARRAY_TASK_ID)', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
      return n;
    })
    .option('--cache <dir>', 'cache folder chunk files may be written to (default: the one holding the list)')
    .option('--allow-plugins <dir>', 'plugin root whose modules tasks may import (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action(async (o: { list: string; index: number; cache?: string; allowPlugins: string[] }) => {
      const { runTaskElement } = await import('../../engine/scheduler/task-runner.js');
      const { taskPolicy } = await import('../../engine/scheduler/task-policy.js');
      const list = resolve(o.list);
      // lists live in <cache>/tasks/<run>/
      const cache = resolve(o.cache ?? resolve(list, '..', '..', '..'));
      if (!list.startsWith(cache + sep)) throw new Error(`task list ${list} is not inside the cache ${cache}`);
      const policy = taskPolicy({ pluginRoots: o.allowPlugins, writeRoots: [cache] });
      const st = await runTaskElement(list, o.index, policy, (line) => process.stderr.write(line + '\n'));
      if (st.state !== 'done') {
        process.stderr.write(`error: ${st.task ? `${st.task}: ` : ''}${st.error}\n`);
        process.exitCode = 1;
      }
    });
}
