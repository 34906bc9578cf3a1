// threshold-points: ClearMap's thresholdPoints.
import { defineWholeNode } from '../../../engine/core/node-type.js';
import type { PointsArtefact } from '../../../engine/core/artefacts.js';
import { checkThresholdParams, thresholdPoints } from '../lib/threshold-points.js';

export const thresholdPointsNode = defineWholeNode({
  type: 'threshold-points',
  version: '1',
  kind: 'whole',
  description: "Keep points whose property lies within [low, high] (ClearMap's thresholdPoints)",
  inputs: { points: { type: 'points', description: 'points with property columns (e.g. from detect)' } },
  outputs: { points: { type: 'points', description: 'the points that pass, with the same columns' } },
  params: {
    type: 'object', additionalProperties: false,
    properties: {
      threshold: {
        anyOf: [{ type: 'number' }, { type: 'array', items: { type: ['number', 'null'] }, minItems: 2, maxItems: 2 }],
        default: [20, 900],
        description: 'low bound (number) or [low, high]; null = unbounded (ClearMap\'s all). The template uses (20, 900) on the size row',
      },
      row: {
        anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string' }, { type: 'array', items: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string' }] }, minItems: 2, maxItems: 2 }],
        default: 3,
        description: 'column index (0 raw, 1 dog, 2 background, 3 size) or name, or [for low, for high]',
      },
    },
  },
  check: (p) => checkThresholdParams(p),
  async run(inputs, params) {
    const pts = inputs.points;
    if (!pts || pts.kind !== 'points') throw new Error(`threshold-points: input 'points' must be points, got ${pts ? pts.kind : 'nothing'}`);
    const problems = checkThresholdParams(params);
    if (problems.length) throw new Error(`threshold-points: ${problems.join('; ')}`);
    const out: PointsArtefact = { kind: 'points', points: thresholdPoints(pts.points, params), voxelSize: pts.voxelSize };
    return { points: out };
  },
});
