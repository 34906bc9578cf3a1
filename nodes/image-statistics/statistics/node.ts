import { type ChunkNodeType, defineChunkNode } from '../../../engine/core/node-type.js';
import type { Table } from '../../../engine/data/table.js';
import { joinPlaneStatistics, type PlaneStats } from './kernel.js';

/** ClearMap's ImageStatistics: max, min, mean, std (and sum, count) over the whole stack, streamed in chunks. */
export const statisticsNode = defineChunkNode({
  kind: 'chunk',
  type: 'statistics',
  version: '1',
  description: "Whole-stack intensity statistics (ClearMap's ImageStatistics): count, min, max, sum, mean, std (ddof 0), var.",
  inputs: { input: { type: 'volume', description: 'Stack to measure.' } },
  outputs: {
    statistics: { type: 'json', description: '{ count, min, max, sum, mean, std, var }' },
    table: { type: 'table', description: 'The same values as a one-row table.' },
  },
  params: { type: 'object', properties: {}, additionalProperties: false },
  produces: 'reduce',
  overlap: () => 0,
  kernel: { module: new URL('./kernel.js', import.meta.url).href, export: 'planeStatistics' },
  async join(partials) {
    const s = joinPlaneStatistics(partials as PlaneStats[]);
    const table: Table = { columns: Object.keys(s), rows: [Object.values(s)] };
    return { statistics: { kind: 'json', value: s }, table: { kind: 'table', table } };
  },
});
