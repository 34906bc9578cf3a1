// dog: ClearMap's filterDoG as a step node.
import { defineChunkNode } from '../../../engine/core/node-type.js';
import { dogSchema } from '../lib/params.js';
import { checkDoGParams } from '../lib/step-kernels.js';
import { dogXY, dogZ, volumeIn, volumeOut } from '../lib/node-helpers.js';

const kernelModule = new URL('./kernel.js', import.meta.url).href;

export const dogNode = defineChunkNode({
  type: 'dog',
  version: '1',
  kind: 'chunk',
  produces: 'volume',
  description: "Difference-of-Gaussians filter, negative values set to 0, float32 (ClearMap's filterDoG)",
  inputs: volumeIn,
  outputs: volumeOut('DoG-filtered stack (float32)'),
  params: { type: 'object', additionalProperties: false, properties: { ...dogSchema.properties, size: { ...dogSchema.properties.size, default: [7, 7, 3] } } },
  check: (p) => checkDoGParams(p),
  overlap: (p) => dogZ({ size: [7, 7, 3], ...p }),
  overlapXY: (p) => dogXY({ size: [7, 7, 3], ...p }),
  kernel: { module: kernelModule, export: 'dogKernel' },
  outputDtype: () => 'float32',
});
