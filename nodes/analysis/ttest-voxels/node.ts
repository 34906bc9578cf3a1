// Nodes 'ttest-voxels' and 'group-maps': voxel-wise statistics over groups of equally shaped heat
// maps (ClearMap's Statistics.tTestVoxelization and mean/std/var), streamed in z-slabs so memory
// stays bounded whatever the number of samples; slabs run in parallel on the engine's worker pool.
import type { Artefact, VolumeRef } from '../../../engine/core/artefacts.js';
import { type NodeContext, type WholeNodeType, defineWholeNode } from '../../../engine/core/node-type.js';
import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Shape3 } from '../../../engine/data/volume.js';
import { rawVolumeRef, writeMhdHeader } from '../../../engine/data/raw-volume.js';
import { commonShape, optionalNumber, planesPerSlab, volumeGroup } from '../lib/node-helpers.js';
import { TASKS_MODULE, type GroupMapsSlabArgs, type TTestSlabArgs } from '../lib/voxel-statistics-tasks.js';

const GROUP_DOC = 'A json list of heat map files (paths) or volume references. If not wired, param of the same name (paths relative to the workflow) is used.';

function groupParam(description: string) {
  return { type: 'array', items: { type: 'string', format: 'path' }, minItems: 1, description } as const;
}

/** Preallocated float32 outputs in ctx.workDir that slab tasks fill in place. */
function preallocate(ctx: NodeContext, names: string[], shape: Shape3): Record<string, string> {
  const bytes = shape[0] * shape[1] * shape[2] * 4;
  const paths: Record<string, string> = {};
  for (const n of names) {
    paths[n] = join(ctx.workDir, `${n}.raw`);
    const fd = openSync(paths[n], 'w');
    try { ftruncateSync(fd, bytes); } finally { closeSync(fd); }
  }
  return paths;
}

function finish(ctx: NodeContext, name: string, path: string, shape: Shape3, voxelSize: [number, number, number]): VolumeRef {
  writeMhdHeader(join(ctx.workDir, `${name}.mhd`), `${name}.raw`, shape, 'float32', voxelSize);
  return rawVolumeRef(path, shape, 'float32', voxelSize);
}

/** Run slab tasks on the worker pool, a few at a time so progress is reported and cancellation is honoured. */
async function runSlabs(ctx: NodeContext, exportName: string, depth: number, step: number, argsOf: (z0: number, z1: number) => unknown): Promise<void> {
  const slabs: [number, number][] = [];
  for (let z0 = 0; z0 < depth; z0 += step) slabs.push([z0, Math.min(depth, z0 + step)]);
  const batch = Math.max(1, ctx.workers) * 2;
  for (let i = 0; i < slabs.length; i += batch) {
    ctx.signal.throwIfAborted();
    const part = slabs.slice(i, i + batch);
    await ctx.parallel(part.map(([z0, z1]) => ({ module: TASKS_MODULE, export: exportName, args: argsOf(z0, z1) })));
    ctx.progress(part[part.length - 1][1], depth);
  }
}

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
    const ddof = (params.ddof as number | undefined) ?? 0;
    if (g.length <= ddof) throw new Error(`node '${ctx.nodeId}': ddof ${ddof} needs more than ${ddof} heat maps, got ${g.length}`);
    const shape = commonShape({ group: g }, ctx.nodeId);
    const paths = preallocate(ctx, ['mean', 'std', 'var'], shape) as GroupMapsSlabArgs['paths'];
    const step = planesPerSlab(shape, g, optionalNumber(params, 'slabBytes', ctx.nodeId));
    await runSlabs(ctx, 'groupMapsSlab', shape[2], step, (z0, z1): GroupMapsSlabArgs => ({ group: g, z0, z1, ddof, paths }));
    const vs = g[0].voxelSize;
    return { mean: finish(ctx, 'mean', paths.mean, shape, vs), std: finish(ctx, 'std', paths.std, shape, vs), var: finish(ctx, 'var', paths.var, shape, vs) };
  },
});
