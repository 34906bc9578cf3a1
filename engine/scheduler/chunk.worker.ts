// Worker thread entry: runs chunk tasks. Kernels and readers are imported by module URL, so
// plugin kernels run here exactly like built-in ones.
import { expose } from 'threads/worker';
import { runChunkTask, type ChunkTask } from './chunk-task.js';
import { importExport } from '../data/read.js';
import type { PoolTask } from '../core/node-type.js';

expose({
  runChunk(task: ChunkTask) {
    return runChunkTask(task);
  },
  async runTask(task: PoolTask) {
    const fn = await importExport<(args: unknown) => unknown>(task.module, task.export, 'pool task');
    return fn(task.args);
  },
});
