// read-points / write-points (CSV, NPY, VTK with ClearMap's `_intensities` companion files) and
// write-table (CSV).
import { type WholeNodeType, defineWholeNode } from '../../../engine/core/node-type.js';
import type { PointsArtefact, TableArtefact } from '../../../engine/core/artefacts.js';
import { tableToCsv } from '../../../engine/data/table.js';
import { writeFileAtomic } from '../../../engine/data/atomic.js';
import { fileIdentities } from '../../../engine/cache/keys.js';
import { intensitiesFileName, POINT_FORMATS, readPointsFile, writePointsFile } from '../lib/points/points-files.js';
import { absolute } from '../read-volume/node.js';
import { resolveOutPath } from '../../../engine/core/out-path.js';
import { existsSync } from 'node:fs';

export const readPointsNode = defineWholeNode({
  type: 'read-points',
  version: '1',
  kind: 'whole',
  description: 'Read points from CSV, NPY or VTK, with properties inline or from `<name>_intensities.<ext>`.',
  inputs: {},
  outputs: { points: { type: 'points', description: 'The points and their property columns.' } },
  params: {
    type: 'object',
    properties: {
      path: { type: 'string', format: 'path', minLength: 1, description: 'Points file, relative to the workflow file.' },
      format: { enum: [...POINT_FORMATS], description: 'Override the format picked from the extension.' },
      columns: { type: 'array', items: { type: 'string' }, description: 'Names for the columns of an unnamed intensities file (default: raw, dog, background, size when there are 4).' },
      voxelSize: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 3, maxItems: 3, description: 'µm per voxel of the coordinates, if known.' },
    },
    required: ['path'],
    additionalProperties: false,
  },
  async run(_inputs, params, ctx) {
    const { points } = readPointsFile(absolute(params.path as string, ctx.baseDir), { format: params.format as string | undefined, columns: params.columns as string[] | undefined });
    const out: PointsArtefact = { kind: 'points', points };
    if (params.voxelSize) out.voxelSize = params.voxelSize as [number, number, number];
    return { points: out };
  },
  async externalIdentity(params) {
    // the engine fingerprints `path`; the companion intensities file is found by name
    const companion = intensitiesFileName(params.path);
    return existsSync(companion) ? fileIdentities([companion]) : null;
  },
});

export const writePointsNode = defineWholeNode({
  type: 'write-points',
  version: '1',
  kind: 'whole',
  description: 'Write points to CSV, NPY or VTK; properties inline (CSV columns, VTK point data) or in `<name>_intensities.<ext>` as ClearMap does.',
  inputs: { points: { type: 'points', description: 'Points to write.' } },
  outputs: { file: { type: 'file', description: 'The coordinates file.' } },
  params: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'Destination, relative to the results directory.' },
      format: { enum: [...POINT_FORMATS], description: 'Override the format picked from the extension.' },
      intensities: { enum: ['inline', 'companion', 'none'], description: "Where properties go (default: companion for NPY, inline otherwise)." },
      dtype: { enum: ['float32', 'float64'], default: 'float64', description: 'NPY element type.' },
      encoding: { enum: ['ascii', 'binary'], default: 'ascii', description: 'VTK encoding.' },
    },
    required: ['path'],
    additionalProperties: false,
  },
  producesFiles: true,
  check(params) {
    const f = String(params.path ?? '').toLowerCase();
    if (params.intensities === 'companion' && (params.format === 'vtk' || (!params.format && f.endsWith('.vtk')))) return ["intensities: VTK keeps properties as point data; use 'inline'"];
    if (params.intensities === 'inline' && (params.format === 'npy' || (!params.format && f.endsWith('.npy')))) return ["intensities: NPY cannot hold named properties inline; use 'companion'"];
    return [];
  },
  async run(inputs, params, ctx) {
    const a = inputs.points as PointsArtefact | undefined;
    if (!a || a.kind !== 'points') throw new Error(`${ctx.nodeId}: input 'points' is missing or not points`);
    const files = writePointsFile(resolveOutPath(ctx.outDir, params.path as string, `node '${ctx.nodeId}': params.path`), a.points, {
      format: params.format as string | undefined,
      intensities: params.intensities as 'inline' | 'companion' | 'none' | undefined,
      dtype: params.dtype as 'float32' | 'float64' | undefined,
      encoding: params.encoding as 'ascii' | 'binary' | undefined,
    });
    ctx.log(`wrote ${files.join(', ')}`);
    return { file: { kind: 'file', path: files[0], files } };
  },
});

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
    const dest = resolveOutPath(ctx.outDir, params.path as string, `node '${ctx.nodeId}': params.path`);
    writeFileAtomic(dest, tableToCsv(a.table));
    return { file: { kind: 'file', path: dest } };
  },
});
