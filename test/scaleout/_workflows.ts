// Workflows of the scale-out tests: real detection + statistics on a crop of the real cellfinder
// planes, and a slow chain of the engine's test plugin (to kill things mid-chunk).
import { join } from 'node:path';
import { CELLFINDER_PLANES } from '../shared-data.js';
import { TEST_PLUGIN } from '../engine/helpers.js';

export const detectionWorkflow = {
  version: 1,
  settings: { chunkSizeMax: 8, chunkSizeMin: 4 },
  nodes: [
    { id: 'raw', type: 'read-volume', params: { path: join(CELLFINDER_PLANES, 'ch0', 'ch00\\d{3}.tif'), x: [200, 360], y: [150, 310] } },
    { id: 'detect', type: 'detect', inputs: { input: 'raw.volume' }, params: {
      removeBackgroundParameter: { size: [7, 7] }, findExtendedMaximaParameter: { hMax: 20, size: 5, threshold: 0 }, detectCellShapeParameter: { threshold: 150 },
    } },
    { id: 'stats', type: 'statistics', inputs: { input: 'raw.volume' } },
    { id: 'cells', type: 'write-points', inputs: { points: 'detect.points' }, params: { path: 'cells.npy' } },
    { id: 'table', type: 'write-table', inputs: { table: 'stats.table' }, params: { path: 'stats.csv' } },
  ],
};

/** Chunks of `delayMs` each (2 planes per chunk, 12 planes), then peaks and statistics written out. */
export function slowWorkflow(delayMs: number, depth = 12) {
  return {
    version: 1,
    plugins: [TEST_PLUGIN],
    settings: { chunkSizeMax: 2 },
    nodes: [
      { id: 'src', type: 'test-source', params: { shape: [24, 20, depth], seed: 7 } },
      { id: 'slow', type: 'test-scale', inputs: { input: 'src.volume' }, params: { factor: 3, delayMs } },
      { id: 'peaks', type: 'test-z-peaks', inputs: { input: 'slow.output' }, params: { threshold: 500 } },
      { id: 'stats', type: 'statistics', inputs: { input: 'slow.output' } },
      { id: 'table', type: 'write-table', inputs: { table: 'stats.table' }, params: { path: 'stats.csv' } },
      { id: 'cells', type: 'write-points', inputs: { points: 'peaks.points' }, params: { path: 'cells.npy' } },
    ],
  };
}
