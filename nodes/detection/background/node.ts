// background: ClearMap's removeBackground as a step node.
import { defineChunkNode } from '../../../engine/core/node-type.js';
import { backgroundReach, backgroundSchema, DEFAULT_DETECT_PARAMS } from '../lib/params.js';
import { checkBackgroundParams } from '../lib/step-kernels.js';
import { volumeIn, volumeOut } from '../lib/node-helpers.js';

const kernelModule = new URL('./kernel.js', import.meta.url).href;

export const backgroundNode = defineChunkNode({
  type: 'background',
  version: '1',
  kind: 'chunk',
  produces: 'volume',
  description: "Background removal: image minus its grey opening with a disk, per z-slice, clipped at 0 (ClearMap's removeBackground)",
  inputs: volumeIn,
  outputs: volumeOut('background-removed stack (same type as the input)'),
  params: { type: 'object', additionalProperties: false, properties: backgroundSchema.properties },
  check: (p) => checkBackgroundParams(p),
  overlap: () => 0,
  overlapXY: (p) => Math.max(...backgroundReach(p.size === undefined ? DEFAULT_DETECT_PARAMS.removeBackgroundParameter.size : p.size as [number, number] | null)),
  kernel: { module: kernelModule, export: 'backgroundKernel' },
  outputDtype: (dtype) => dtype,
});
