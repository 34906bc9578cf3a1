// A ClearMap.ts plugin, written only against the public API ('clearmap-ts'): a chunk-wise node that
// the engine streams over the worker pool like any built-in node.
import { defineChunkNode, nodeTypesModule, type Table } from 'clearmap-ts';
import { histogramParams } from './params.js';

export const histogramNode = defineChunkNode({
  kind: 'chunk',
  type: 'intensity-histogram',
  version: '1',
  description: 'Histogram of voxel intensities over the whole stack (numpy.histogram semantics: equal bins over range, last bin closed).',
  inputs: { input: { type: 'volume', description: 'Stack to histogram.' } },
  outputs: { histogram: { type: 'table', description: 'Columns: from, to, count; plus rows for values below/above the range.' } },
  params: histogramParams,
  check(params) {
    const [lo, hi] = params.range;
    return lo < hi ? [] : [`params.range: lower edge ${lo} must be below upper edge ${hi}`];
  },
  produces: 'reduce',
  overlap: () => 0,
  kernel: { module: new URL('./kernel.js', import.meta.url).href, export: 'chunkHistogram' },
  async join(partials, params) {
    const { bins, range } = params;
    const total = new Float64Array(bins + 2);
    for (const p of partials as Float64Array[]) for (let i = 0; i < total.length; i++) total[i] += p[i];
    const w = (range[1] - range[0]) / bins;
    const table: Table = {
      columns: ['from', 'to', 'count'],
      rows: [
        [null, range[0], total[0]],
        ...Array.from({ length: bins }, (_, i) => [range[0] + i * w, range[0] + (i + 1) * w, total[i + 1]]),
        [range[1], null, total[bins + 1]],
      ],
    };
    return { histogram: { kind: 'table', table } };
  },
});

export default nodeTypesModule([histogramNode]);
