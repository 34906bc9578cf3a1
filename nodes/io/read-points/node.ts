// read-points: points from CSV, NPY or VTK with ClearMap's `_intensities` companion files.
import { defineWholeNode } from '../../../engine/core/node-type.js';
import type { PointsArtefact } from '../../../engine/core/artefacts.js';
import { fileIdentities } from '../../../engine/cache/keys.js';
import { intensitiesFileName, POINT_FORMATS, readPointsFile } from '../lib/points/points-files.js';
import { absolute } from '../read-volume/node.js';
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
    const { points } = readPointsFile(absolute(params.path, ctx.baseDir), { format: params.format, columns: params.columns });
    const out: PointsArtefact = { kind: 'points', points };
    if (params.voxelSize) out.voxelSize = params.voxelSize;
    return { points: out };
  },
  async externalIdentity(params) {
    // the engine fingerprints `path`; the companion intensities file is found by name
    const companion = intensitiesFileName(params.path);
    return existsSync(companion) ? fileIdentities([companion]) : null;
  },
});
