// intensity: ClearMap's findIntensity around each point, as a new column.
import { defineChunkNode } from '../../../engine/core/node-type.js';
import { checkSize, findIntensitySchema } from '../lib/params.js';

const kernelModule = new URL('./kernel.js', import.meta.url).href;

export const intensityNode = defineChunkNode({
  type: 'intensity',
  version: '1',
  kind: 'chunk',
  produces: 'points',
  description: "Intensity of a volume in a box around each point (ClearMap's findIntensity), appended to the points as a column",
  inputs: {
    input: { type: 'volume', description: 'image to measure' },
    points: { type: 'points', description: 'points [x, y, z] in voxels of the stack' },
  },
  outputs: { points: { type: 'points', description: 'the same points with the new column appended' } },
  params: {
    type: 'object', additionalProperties: false,
    properties: { ...findIntensitySchema.properties, column: { type: 'string', minLength: 1, default: 'intensity', description: 'name of the new column (detect names them raw, dog, background)' } },
  },
  check: (p) => (p.size === undefined ? [] : checkSize('size', p.size, 3, 1, true)),
  overlap: (p) => (Array.isArray(p.size) && typeof p.size[2] === 'number' ? p.size[2] >> 1 : 1),
  kernel: { module: kernelModule, export: 'intensityKernel' },
});
