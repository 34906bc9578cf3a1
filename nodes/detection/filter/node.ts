// filter: ClearMap's filterLinear as a step node.
import { defineChunkNode } from '../../../engine/core/node-type.js';
import { FILTER_TYPES } from '../../../lib/kernels/filter-kernel.js';
import { dogSchema } from '../lib/params.js';
import { checkFilterParams } from '../lib/step-kernels.js';
import { dogXY, dogZ, volumeIn, volumeOut } from '../lib/node-helpers.js';

const kernelModule = new URL('./kernel.js', import.meta.url).href;

export const filterNode = defineChunkNode({
  type: 'filter',
  version: '1',
  kind: 'chunk',
  produces: 'volume',
  description: "Linear filter of ClearMap's FilterKernel types (mean, gaussian, log, dog, sphere, disk); negative values set to 0, float32 (ClearMap's filterLinear)",
  inputs: volumeIn,
  outputs: volumeOut('filtered stack (float32)'),
  params: {
    type: 'object', additionalProperties: false,
    properties: {
      ftype: { enum: [...FILTER_TYPES], default: 'gaussian', description: 'filter type (ClearMap ftype)' },
      size: { ...dogSchema.properties.size, default: [5, 5, 5], description: 'kernel size (x, y, z); null = only convert to float32' },
      sigma: { ...dogSchema.properties.sigma, description: 'Gaussian std (gaussian, log, dog inner) per axis; null = ClearMap default from size' },
      sigma2: { ...dogSchema.properties.sigma2, description: 'outer Gaussian std of dog per axis; null = ClearMap default' },
    },
  },
  check: (p) => checkFilterParams({ ftype: 'gaussian', ...p }),
  overlap: (p) => dogZ({ size: [5, 5, 5], ...p }),
  overlapXY: (p) => dogXY({ size: [5, 5, 5], ...p }),
  kernel: { module: kernelModule, export: 'filterKernel' },
  outputDtype: () => 'float32',
});
