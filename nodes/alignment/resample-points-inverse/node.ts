// resample-points-inverse: ClearMap's resamplePointsInverse (Alignment/Resampling.py).
import { defineWholeNode } from '../../../engine/core/node-type.js';
import type { Triple } from '../lib/resample.js';
import { resamplePointsInverse, type PointConvention } from '../lib/resample-points.js';
import { checkResamplingParams, pointGeometry, pointInputs, pointParams, pointsInput } from '../lib/node-helpers.js';

export const resamplePointsInverseNode = defineWholeNode({
  kind: 'whole',
  type: 'resample-points-inverse',
  version: '1',
  description: "Map points from the resampled volume back into the source volume (ClearMap's resamplePointsInverse); params describe the forward resampling.",
  inputs: pointInputs,
  outputs: { output: { type: 'points', description: 'Points in voxels of the source volume' } },
  params: pointParams,
  check: checkResamplingParams,
  async run(inputs, params) {
    const p = pointsInput('resample-points-inverse', inputs);
    const g = pointGeometry('resample-points-inverse', inputs, params);
    const coords = resamplePointsInverse(p.points.coords, g, (params.convention ?? 'voxel-centre') as PointConvention);
    return { output: { kind: 'points', points: { coords, properties: p.points.properties }, voxelSize: g.sourceResolution as Triple } };
  },
});
