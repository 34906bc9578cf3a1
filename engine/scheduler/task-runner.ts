// `clearmap task`: one array element of a SLURM job runs its chunk tasks in this process, one after
// the other (start-up is paid once per element), after checking each against the worker's policy.
// Chunk files already complete are not computed again, so a resubmitted element only finishes the rest.
import { hostname } from 'node:os';
import { readChunkPayload } from './chunk-file.js';
import { runChunkTask } from './chunk-task.js';
import { elementTasks, statusFile, writeAtomic, type ElementStatus } from './task-file.js';
import { checkChunkTask, type TaskPolicy } from './task-policy.js';

export async function runTaskElement(listFile: string, index: number, policy: TaskPolicy, log: (line: string) => void = () => {}): Promise<ElementStatus> {
  const status: ElementStatus = { state: 'running', host: hostname(), pid: process.pid, done: [], seconds: {} };
  const save = () => writeAtomic(statusFile(listFile, index), JSON.stringify(status));
  save();
  let current: string | undefined;
  try {
    const { entries, tasks } = elementTasks(listFile, index);
    // refuse the whole element before running any of it
    entries.forEach((e, i) => checkChunkTask(tasks[i], policy, `task ${e.id} (node '${e.node}', chunk ${e.geometry.index + 1}/${e.geometry.count})`));
    for (let i = 0; i < tasks.length; i++) {
      const e = entries[i];
      current = e.id;
      if (readChunkPayload(tasks[i].chunkFile)) {
        log(`${e.id}: already complete`);
      } else {
        const r = await runChunkTask(tasks[i]);
        status.seconds![e.id] = r.seconds;
        log(`${e.id}: node '${e.node}' chunk ${e.geometry.index + 1}/${e.geometry.count} computed in ${r.seconds.toFixed(2)} s on ${status.host} (pid ${status.pid})`);
      }
      status.done.push(e.id);
      save();
    }
    status.state = 'done';
    current = undefined;
  } catch (e) {
    status.state = 'failed';
    status.error = (e as Error).message;
    if (current) status.task = current;
  }
  save();
  return status;
}
