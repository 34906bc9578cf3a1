// resample-points: ClearMap's resamplePoints (Alignment/Resampling.py).
import { defineWholeNode } from '../../../engine/core/node-type.js';
import { resamplePoints, type PointConvention } from '../lib/resample-points.js';
import { checkResamplingParams, pointGeometry, pointInputs, pointParams, pointsInput } from '../lib/node-helpers.js';

export const resamplePointsNode = defineWholeNode({
  kind: 'whole',
  type: 'resample-points',
  version: '1',
  description: "Map points from the source volume into the resampled (and reoriented) volume, exactly as the 'resample' node maps voxels (ClearMap's resamplePoints).",
  inputs: pointInputs,
  outputs: { output: { type: 'points', description: 'Points in voxels of the resampled volume' } },
  params: pointParams,
  check: checkResamplingParams,
  async run(inputs, params) {
    const p = pointsInput('resample-points', inputs);
    const g = pointGeometry('resample-points', inputs, params);
    const coords = resamplePoints(p.points.coords, g, (params.convention ?? 'voxel-centre') as PointConvention);
    return { output: { kind: 'points', points: { coords, properties: p.points.properties }, voxelSize: g.sinkResolution } };
  },
});
