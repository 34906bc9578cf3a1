// Worker thread entry: runs chunk tasks. Kernels and readers are imported by module URL, so
// plugin kernels run here exactly like built-in ones.
import { expose } from 'threads/worker';
import { runChunkTask, type ChunkTask } from './chunk-task.js';

expose({
  runChunk(task: ChunkTask) {
    return runChunkTask(task);
  },
});
