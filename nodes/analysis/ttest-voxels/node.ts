// ttest-voxels: voxel-wise t-test over two groups of equally shaped heat maps (ClearMap's
// Statistics.tTestVoxelization), streamed in z-slabs so memory stays bounded whatever the number of
// samples; slabs run in parallel on the engine's worker pool.
import { defineWholeNode } from '../../../engine/core/node-type.js';
import { commonShape, optionalNumber, planesPerSlab, volumeGroup } from '../lib/node-helpers.js';
import type { TTestSlabArgs } from '../lib/voxel-statistics-tasks.js';
import { finish, GROUP_DOC, groupParam, preallocate, runSlabs } from '../lib/voxel-statistics-slabs.js';

export const ttestVoxelsNode = defineWholeNode({
  kind: 'whole',
  type: 'ttest-voxels',
  version: '1',
  description: "Voxel-wise two-sample t-test between two groups of heat maps (ClearMap's tTestVoxelization): p-values and the sign of mean(A) - mean(B). Welch's test by default (ClearMap 0.9.2 pools variances: set equalVar). Voxels where the test is undefined (e.g. all zero) get p = 1, sign 0.",
  inputs: {
    groupA: { type: 'json', optional: true, description: `Group A. ${GROUP_DOC}` },
    groupB: { type: 'json', optional: true, description: `Group B. ${GROUP_DOC}` },
  },
  outputs: {
    pvalues: { type: 'volume', description: 'float32 p-values (clipped to pcutoff if set).' },
    sign: { type: 'volume', description: 'float32 sign of the t statistic: +1 where A > B, -1 where A < B, 0 where equal or undefined.' },
  },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      groupA: groupParam('Heat map files of group A (when input groupA is not wired).'),
      groupB: groupParam('Heat map files of group B (when input groupB is not wired).'),
      equalVar: { type: 'boolean', default: false, description: "Pooled-variance Student test (ClearMap 0.9.2's choice) instead of Welch's." },
      pcutoff: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: "Clip p-values above this value to it (ClearMap's cutoffPValues)." },
      removeNaN: { type: 'boolean', default: true, description: 'Undefined p-values become 1 (ClearMap); false keeps NaN.' },
      slabBytes: { type: 'integer', minimum: 1, default: 134217728, description: 'Memory budget of one slab task (one z-slab of all input maps, bytes); each worker holds one, so the peak is about workers x slabBytes.' },
    },
  },
  async run(inputs, params, ctx) {
    const a = await volumeGroup(inputs.groupA, params.groupA, ctx, 'groupA');
    const b = await volumeGroup(inputs.groupB, params.groupB, ctx, 'groupB');
    for (const [name, g] of [['groupA', a], ['groupB', b]] as const) {
      if (g.length < 2) throw new Error(`node '${ctx.nodeId}': ${name} has ${g.length} heat map(s); a t-test needs at least 2 per group`);
    }
    const shape = commonShape({ groupA: a, groupB: b }, ctx.nodeId);
    const voxelSize = a[0].voxelSize;
    const opts = { equalVar: params.equalVar === true, removeNaN: params.removeNaN !== false, pcutoff: optionalNumber(params, 'pcutoff', ctx.nodeId) };
    const paths = preallocate(ctx, ['pvalues', 'sign'], shape);
    const step = planesPerSlab(shape, [...a, ...b], optionalNumber(params, 'slabBytes', ctx.nodeId));
    await runSlabs(ctx, 'ttestSlab', shape[2], step, (z0, z1): TTestSlabArgs => ({ a, b, z0, z1, opts, pPath: paths.pvalues, signPath: paths.sign }));
    return { pvalues: finish(ctx, 'pvalues', paths.pvalues, shape, voxelSize), sign: finish(ctx, 'sign', paths.sign, shape, voxelSize) };
  },
});
