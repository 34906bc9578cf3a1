// Worker process entry (forked by ProcessPool): runs chunk tasks and generic pool tasks, one at a
// time, sent over the IPC channel (advanced serialization: typed arrays survive). Kernels and readers
// are imported by module URL, so plugin kernels run here exactly like built-in ones.
import { runChunkTask, type ChunkTask } from './chunk-task.js';
import { importExport } from '../data/read.js';
import type { PoolTask } from '../core/node-type.js';
import type { ProcessReply, ProcessRequest } from './process-pool.js';

// the callback takes send errors (the parent went away): 'disconnect' then ends this process
const ignore = () => {};
const send = (m: ProcessReply) => {
  if (!process.connected) return;
  try {
    process.send!(m, undefined, undefined, ignore);
  } catch (e) {
    // a value the serializer cannot carry (e.g. a function in a result): report that instead
    if ('ok' in m && m.ok) process.send!({ id: m.id, ok: false, error: { name: 'Error', message: `the result cannot be sent back from the worker process: ${(e as Error).message}` } } satisfies ProcessReply, undefined, undefined, ignore);
  }
};

async function handle(m: ProcessRequest): Promise<void> {
  try {
    const value = m.kind === 'chunk'
      ? await runChunkTask(m.task as ChunkTask)
      : await (await importExport<(args: unknown) => unknown>((m.task as PoolTask).module, (m.task as PoolTask).export, 'pool task'))((m.task as PoolTask).args);
    send({ id: m.id, ok: true, value });
  } catch (e) {
    const err = e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : { name: 'Error', message: String(e) };
    send({ id: m.id, ok: false, error: err });
  }
}

if (!process.send) throw new Error('chunk.process.js is a worker process entry: start it with child_process.fork');
process.on('message', (m: ProcessRequest) => void handle(m));
// The parent is gone (exited, crashed or killed): nothing will read our results, so stop.
process.on('disconnect', () => process.exit(0));
// Ctrl-C in a terminal signals the whole process group; the parent decides (a queue worker finishes
// its active chunks first) and ends us by closing the channel or with SIGTERM.
process.on('SIGINT', () => {});
send({ ready: true, pid: process.pid });
