// illumination: ClearMap's correctIllumination as a step node.
import { defineChunkNode } from '../../../engine/core/node-type.js';
import type { DType } from '../../../engine/data/volume.js';
import { illuminationSchema } from '../lib/params.js';
import { volumeIn, volumeOut } from '../lib/node-helpers.js';

const kernelModule = new URL('./kernel.js', import.meta.url).href;

export const illuminationNode = defineChunkNode({
  type: 'illumination',
  version: '1',
  kind: 'chunk',
  produces: 'volume',
  description: "Flat-field correction C = (I - B) / (F - B) per z-slice (ClearMap's correctIllumination)",
  inputs: volumeIn,
  outputs: volumeOut('illumination-corrected stack'),
  params: { type: 'object', additionalProperties: false, properties: illuminationSchema.properties },
  overlap: () => 0,
  overlapXY: () => 0, // per pixel; the flat field is indexed by the slab's global x, y
  kernel: { module: kernelModule, export: 'illuminationKernel' },
  // flatfield and background are `format: 'path'` params: the engine resolves and fingerprints them
  // ClearMap casts back to the input type only when it scales; without a flat field the stack passes through
  outputDtype: (dtype: DType, params) => (params.flatfield != null && params.scaling === null ? 'float32' : dtype),
});
