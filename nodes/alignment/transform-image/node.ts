// transform-image: ClearMap's transformData (Alignment/Elastix.py).
import { join } from 'node:path';
import { type NodeContext, defineWholeNode } from '../../../engine/core/node-type.js';
import { convertVolume } from '../lib/resample.js';
import { readMhdVolume, transformixImage, writeMhdForElastix } from '../lib/elastix.js';
import { writeVolumeToWorkDir } from '../resample/kernel.js';
import { readTransformMeta, transformInput, volumeInput, withScratch } from '../lib/node-helpers.js';

export const transformImageNode = defineWholeNode({
  kind: 'whole',
  type: 'transform-image',
  version: '1',
  description: "Resample an image given in the moving frame onto the fixed grid with transformix (ClearMap's transformData), e.g. the atlas annotation into sample space (interpolationOrder 0 for labels).",
  inputs: {
    image: { type: 'volume', description: 'Image in the moving frame (same size as the moving image of the registration)' },
    transform: { type: 'transform', description: "Result of an 'elastix' node" },
  },
  outputs: { output: { type: 'volume', description: 'The image on the fixed grid, same dtype as the input (rounded and clamped to its range)' } },
  params: {
    type: 'object',
    properties: {
      interpolationOrder: { type: 'integer', minimum: 0, maximum: 5, description: 'FinalBSplineInterpolationOrder: 0 = nearest (label images), 1 = linear, 3 = cubic; default: as the registration (3 in ClearMap\'s files)' },
    },
    additionalProperties: false,
  },
  async run(inputs, params, ctx: NodeContext) {
    const image = volumeInput('transform-image', inputs, 'image');
    const t = transformInput('transform-image', inputs);
    const meta = readTransformMeta(t, 'transform-image');
    if (meta && image.shape.some((s, i) => s !== meta.moving.shape[i])) {
      throw new Error(`transform-image: input 'image' is [${image.shape}] but the registration's moving image was [${meta.moving.shape}] (${meta.moving.describe}); transform an image of the moving image's size`);
    }
    const result = await withScratch('clearmap-transformix-', async (dir) => {
      const src = join(dir, 'image.mhd');
      writeMhdForElastix(src, await ctx.readVolume(image));
      // transformix casts to integer types by wrapping (a cubic overshoot of -424 becomes 65112 in
      // uint16), so ask for floats and saturate here instead
      const out = await transformixImage(src, t.dir, join(dir, 'tfx'), {
        interpolationOrder: params.interpolationOrder,
        pixelType: image.dtype === 'float64' ? 'double' : 'float', threads: ctx.workers, signal: ctx.signal,
      });
      return convertVolume(await readMhdVolume(out), image.dtype);
    }, ctx);
    result.voxelSize = meta ? meta.fixed.voxelSize : [1, 1, 1];
    return { output: writeVolumeToWorkDir(result, ctx.workDir, 'transformed') };
  },
});
