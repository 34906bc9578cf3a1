// group-maps: voxel-wise mean / std / var of a group of heat maps, streamed in z-slabs on the worker pool.
import type { Artefact } from '../../../engine/core/artefacts.js';
import { defineWholeNode } from '../../../engine/core/node-type.js';
import { commonShape, optionalNumber, planesPerSlab, volumeGroup } from '../lib/node-helpers.js';
import type { GroupMapsSlabArgs } from '../lib/voxel-statistics-tasks.js';
import { finish, GROUP_DOC, groupParam, preallocate, runSlabs } from '../lib/voxel-statistics-slabs.js';

export const groupMapsNode = defineWholeNode({
  kind: 'whole',
  type: 'group-maps',
  version: '1',
  description: "Voxel-wise mean, standard deviation and variance of a group of heat maps (ClearMap's Statistics.mean/std/var; numpy's ddof 0 unless set).",
  inputs: {
    group: { type: 'json', optional: true, description: `The group. ${GROUP_DOC}` },
  },
  outputs: {
    mean: { type: 'volume', description: 'float32 mean map.' },
    std: { type: 'volume', description: 'float32 standard deviation map.' },
    var: { type: 'volume', description: 'float32 variance map.' },
  },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      group: groupParam('Heat map files (when input group is not wired).'),
      ddof: { type: 'integer', minimum: 0, default: 0, description: 'Delta degrees of freedom: 0 as ClearMap/numpy, 1 for the sample variance.' },
      slabBytes: { type: 'integer', minimum: 1, default: 134217728, description: 'Memory budget of one slab task (one z-slab of all input maps, bytes); each worker holds one, so the peak is about workers x slabBytes.' },
    },
  },
  async run(inputs: Record<string, Artefact | undefined>, params, ctx) {
    const g = await volumeGroup(inputs.group, params.group, ctx, 'group');
    const ddof = params.ddof ?? 0;
    if (g.length <= ddof) throw new Error(`node '${ctx.nodeId}': ddof ${ddof} needs more than ${ddof} heat maps, got ${g.length}`);
    const shape = commonShape({ group: g }, ctx.nodeId);
    const paths = preallocate(ctx, ['mean', 'std', 'var'], shape) as GroupMapsSlabArgs['paths'];
    const step = planesPerSlab(shape, g, optionalNumber(params, 'slabBytes', ctx.nodeId));
    await runSlabs(ctx, 'groupMapsSlab', shape[2], step, (z0, z1): GroupMapsSlabArgs => ({ group: g, z0, z1, ddof, paths }));
    const vs = g[0].voxelSize;
    return { mean: finish(ctx, 'mean', paths.mean, shape, vs), std: finish(ctx, 'std', paths.std, shape, vs), var: finish(ctx, 'var', paths.var, shape, vs) };
  },
});
