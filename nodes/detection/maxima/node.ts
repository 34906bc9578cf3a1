// maxima: ClearMap's findExtendedMaxima + findCenterOfMaxima as a step node.
import { defineChunkNode } from '../../../engine/core/node-type.js';
import { checkSize, maximaBox, maximaSchema } from '../lib/params.js';

const kernelModule = new URL('./kernel.js', import.meta.url).href;

const maximaZ = (p: Record<string, unknown>) => maximaBox((p.size ?? 5) as number | [number, number, number])[2] >> 1;

export const maximaNode = defineChunkNode({
  type: 'maxima',
  version: '1',
  kind: 'chunk',
  produces: 'points',
  description: "Extended maxima and their centres (ClearMap's findExtendedMaxima + findCenterOfMaxima): h-max transform, box local maxima, threshold; centres of mass weighted by `weights` (h-max set) or every maximum voxel",
  inputs: {
    input: { type: 'volume', description: 'image to find maxima in (e.g. the DoG output)' },
    weights: { type: 'volume', optional: true, description: 'weights of the centres of mass (ClearMap: the raw image); default the input' },
  },
  outputs: { points: { type: 'points', description: 'maxima centres [x, y, z] in voxels of the stack, no columns' } },
  params: { type: 'object', additionalProperties: false, properties: maximaSchema.properties },
  check: (p) => {
    const size = p.size ?? 5;
    if (typeof size === 'number') return Number.isInteger(size) && size >= 1 && size % 2 === 1 ? [] : [`size must be an odd integer >= 1, got ${size}`];
    return checkSize('size', size, 3, 1, true);
  },
  // the first read window only: the kernel decides where its points are exact and the window grows
  overlap: (p) => maximaZ(p) + (p.hMax != null ? 1 : 0),
  workingBytesPerVoxel: () => 33,
  kernel: { module: kernelModule, export: 'maximaKernel' },
});
