// shape: ClearMap's detectCellShape + findCellSize + findCellIntensity from seed points.
import { defineChunkNode } from '../../../engine/core/node-type.js';
import { cellIntensitySchema, cellShapeSchema } from '../lib/params.js';

const kernelModule = new URL('./kernel.js', import.meta.url).href;

export const shapeNode = defineChunkNode({
  type: 'shape',
  version: '1',
  kind: 'chunk',
  produces: 'points',
  description: "Cell shape from seed points (ClearMap's detectCellShape: watershed of -input from the seeds within input > threshold), then findCellSize and findCellIntensity; cells of size 0 are removed",
  inputs: {
    input: { type: 'volume', description: 'image flooded by the watershed (ClearMap: the background-removed image); gives the background column' },
    seeds: { type: 'points', description: 'seed points [x, y, z] in voxels of the stack (e.g. from maxima or a plugin detector)' },
    raw: { type: 'volume', optional: true, description: 'image of the raw column (default: input)' },
    dog: { type: 'volume', optional: true, description: 'image of the dog column (ClearMap: the DoG output; default: input, as ClearMap without DoG)' },
  },
  outputs: { points: { type: 'points', description: 'cells [x, y, z] at the seeds, columns raw, dog, background, size' } },
  params: {
    type: 'object', additionalProperties: false,
    properties: {
      threshold: cellShapeSchema.properties.threshold,
      method: cellIntensitySchema.properties.method,
      cellReach: { type: 'integer', minimum: 0, default: 6, description: 'planes a cell usually extends from its seed along z: sets only the first read window of a chunk (results never depend on it)' },
    },
  },
  overlap: (p) => (typeof p.cellReach === 'number' ? p.cellReach : 6),
  workingBytesPerVoxel: () => 24,
  kernel: { module: kernelModule, export: 'shapeKernel' },
});
