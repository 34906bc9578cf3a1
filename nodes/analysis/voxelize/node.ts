// Node 'voxelize': points → heat map volume (ClearMap's Voxelization.voxelize).
import { defineWholeNode } from '../../../engine/core/node-type.js';
import type { Shape3 } from '../../../engine/data/volume.js';
import { voxelize, VOXELIZE_METHODS, type VoxelizeMethod } from '../lib/voxelize.js';
import { RawOutput, triple } from '../lib/node-helpers.js';

export const voxelizeNode = defineWholeNode({
  kind: 'whole',
  type: 'voxelize',
  version: '1',
  description: "Heat map of points (ClearMap's voxelize): every point adds its kernel (Spherical, Rectangular, Gaussian or Pixel) to a volume. Points are [x, y, z] in voxels of the target grid; points outside are ignored. int32 counts, or float32 with weights / Gaussian.",
  inputs: {
    points: { type: 'points', description: 'Points in voxel coordinates of the target grid (e.g. after transforming into atlas space).' },
    reference: { type: 'volume', optional: true, description: 'Volume whose shape (and voxel size) the heat map takes, e.g. the atlas annotation. Otherwise set param shape.' },
  },
  outputs: {
    heatmap: { type: 'volume', description: 'The heat map (MHD/RAW in the node work directory).' },
  },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      method: { enum: [...VOXELIZE_METHODS], default: 'Spherical', description: "Kernel: ClearMap's 'Spherical', 'Rectangular', 'Pixel', or 'Gaussian'." },
      size: { type: 'array', items: { type: 'number', minimum: 1 }, minItems: 3, maxItems: 3, default: [5, 5, 5], description: "Kernel size in voxels along x, y, z (ClearMap's size; a size-5 Spherical kernel covers a 3x3x3 ball as in ClearMap)." },
      shape: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 3, maxItems: 3, description: 'Heat map shape [X, Y, Z] when no reference volume is wired.' },
      weights: { type: 'string', description: "Name of a point property column to use as weights (ClearMap's weights), e.g. 'raw'." },
      sigma: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 3, maxItems: 3, description: 'Gaussian only: standard deviations in voxels (default size / 4).' },
      voxelSize: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 3, maxItems: 3, description: 'µm per voxel of the output (default: the reference volume\'s, else 1).' },
    },
  },
  check(params) {
    const errors: string[] = [];
    if (params.sigma !== undefined && params.method !== 'Gaussian') errors.push("param 'sigma' only applies to method 'Gaussian'");
    return errors;
  },
  async run(inputs, params, ctx) {
    const id = ctx.nodeId;
    const pts = inputs.points;
    if (!pts || pts.kind !== 'points') throw new Error(`node '${id}': input 'points' must be points`);
    const ref = inputs.reference;
    if (ref && ref.kind !== 'volume') throw new Error(`node '${id}': input 'reference' must be a volume`);
    const shapeParam = triple(params, 'shape', id, true);
    if (ref && shapeParam && shapeParam.some((v, i) => v !== ref.shape[i])) {
      throw new Error(`node '${id}': param 'shape' [${shapeParam}] differs from the reference volume's shape [${ref.shape}] (${ref.describe}); set one of them`);
    }
    const shape = (ref?.shape ?? shapeParam) as Shape3 | undefined;
    if (!shape) throw new Error(`node '${id}': wire a 'reference' volume or set param 'shape' ([X, Y, Z]) for the heat map size`);
    const method = (params.method ?? 'Spherical') as VoxelizeMethod;
    let weights: Float64Array | undefined;
    if (params.weights !== undefined) {
      const col = pts.points.properties[params.weights];
      if (!col) throw new Error(`node '${id}': param 'weights' names column '${params.weights}', but the points have [${Object.keys(pts.points.properties).join(', ')}]`);
      weights = col;
    }
    const data = voxelize(pts.points.coords, shape, {
      method, size: triple(params, 'size', id) ?? [5, 5, 5], weights, sigma: triple(params, 'sigma', id),
    });
    const voxelSize = triple(params, 'voxelSize', id) ?? ref?.voxelSize ?? [1, 1, 1];
    const out = new RawOutput(ctx.workDir, 'heatmap', shape, data instanceof Float32Array ? 'float32' : 'int32', voxelSize);
    out.append(data);
    ctx.log(`voxelized ${pts.points.coords.length / 3} points (${method}) into [${shape.join(', ')}]`);
    return { heatmap: out.finish() };
  },
});
