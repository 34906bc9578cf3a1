// write-table: a table as CSV.
import { defineWholeNode } from '../../../engine/core/node-type.js';
import type { TableArtefact } from '../../../engine/core/artefacts.js';
import { tableToCsv } from '../../../engine/data/table.js';
import { writeFileAtomic } from '../../../engine/data/atomic.js';
import { resolveOutPath } from '../../../engine/core/out-path.js';

export const writeTableNode = defineWholeNode({
  type: 'write-table',
  version: '1',
  kind: 'whole',
  description: 'Write a table (region counts, statistics) to a CSV file.',
  inputs: { table: { type: 'table', description: 'Table to write.' } },
  outputs: { file: { type: 'file', description: 'The CSV file.' } },
  params: {
    type: 'object',
    properties: { path: { type: 'string', minLength: 1, description: 'Destination, relative to the results directory.' } },
    required: ['path'],
    additionalProperties: false,
  },
  producesFiles: true,
  async run(inputs, params, ctx) {
    const a = inputs.table as TableArtefact | undefined;
    if (!a || a.kind !== 'table') throw new Error(`${ctx.nodeId}: input 'table' is missing or not a table`);
    const dest = resolveOutPath(ctx.outDir, params.path, `node '${ctx.nodeId}': params.path`);
    writeFileAtomic(dest, tableToCsv(a.table));
    return { file: { kind: 'file', path: dest } };
  },
});
