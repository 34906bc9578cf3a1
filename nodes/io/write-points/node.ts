// write-points: points as CSV, NPY or VTK with ClearMap's `_intensities` companion files.
import { defineWholeNode } from '../../../engine/core/node-type.js';
import type { PointsArtefact } from '../../../engine/core/artefacts.js';
import { POINT_FORMATS, writePointsFile } from '../lib/points/points-files.js';
import { resolveOutPath } from '../../../engine/core/out-path.js';

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
    const files = writePointsFile(resolveOutPath(ctx.outDir, params.path, `node '${ctx.nodeId}': params.path`), a.points, {
      format: params.format,
      intensities: params.intensities,
      dtype: params.dtype,
      encoding: params.encoding,
    });
    ctx.log(`wrote ${files.join(', ')}`);
    return { file: { kind: 'file', path: files[0], files } };
  },
});
