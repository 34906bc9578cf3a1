// Coordinator side of the voxel-wise statistics nodes (ttest-voxels, group-maps): group params,
// preallocated float32 outputs, slab tasks run on the worker pool (voxel-statistics-tasks.ts).
import type { VolumeRef } from '../../../engine/core/artefacts.js';
import type { NodeContext } from '../../../engine/core/node-type.js';
import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Shape3 } from '../../../engine/data/volume.js';
import { rawVolumeRef, writeMhdHeader } from '../../../engine/data/raw-volume.js';
import { TASKS_MODULE } from './voxel-statistics-tasks.js';

export const GROUP_DOC = 'A json list of heat map files (paths) or volume references. If not wired, param of the same name (paths relative to the workflow) is used.';

export function groupParam(description: string) {
  return { type: 'array', items: { type: 'string', format: 'path' }, minItems: 1, description } as const;
}

/** Preallocated float32 outputs in ctx.workDir that slab tasks fill in place. */
export function preallocate(ctx: NodeContext, names: string[], shape: Shape3): Record<string, string> {
  const bytes = shape[0] * shape[1] * shape[2] * 4;
  const paths: Record<string, string> = {};
  for (const n of names) {
    paths[n] = join(ctx.workDir, `${n}.raw`);
    const fd = openSync(paths[n], 'w');
    try { ftruncateSync(fd, bytes); } finally { closeSync(fd); }
  }
  return paths;
}

export function finish(ctx: NodeContext, name: string, path: string, shape: Shape3, voxelSize: [number, number, number]): VolumeRef {
  writeMhdHeader(join(ctx.workDir, `${name}.mhd`), `${name}.raw`, shape, 'float32', voxelSize);
  return rawVolumeRef(path, shape, 'float32', voxelSize);
}

/** Run slab tasks on the worker pool, a few at a time so progress is reported and cancellation is honoured. */
export async function runSlabs(ctx: NodeContext, exportName: string, depth: number, step: number, argsOf: (z0: number, z1: number) => unknown): Promise<void> {
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
