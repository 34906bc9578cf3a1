// Worker-side slab tasks of 'ttest-voxels' and 'group-maps' (run through ctx.parallel): each reads one
// z-slab of every input map, computes, and writes its part of the preallocated float32 outputs at the
// slab's byte offset, so slabs finish in any order and only a few are in memory at once.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { VolumeRef } from '../../../engine/core/artefacts.js';
import type { TypedArray } from '../../../engine/data/volume.js';
import { readRegion } from '../../../engine/data/read.js';
import { tTestVoxels, type VoxelTTestOptions } from './statistics/ttest.js';
import { groupStatistics } from './statistics/group-maps.js';

export const TASKS_MODULE = import.meta.url;

async function readSlab(refs: VolumeRef[], z0: number, z1: number): Promise<TypedArray[]> {
  return Promise.all(refs.map(async (r) => (await readRegion(r, { z: [z0, z1] })).data));
}

/** Write a float32 slab into a raw file at the position of plane z0. */
export function writeSlabAt(path: string, data: Float32Array, z0: number, planeVoxels: number): void {
  const fd = openSync(path, 'r+');
  try {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let off = 0;
    const pos = z0 * planeVoxels * 4;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off, pos + off);
  } finally {
    closeSync(fd);
  }
}

export interface TTestSlabArgs { a: VolumeRef[]; b: VolumeRef[]; z0: number; z1: number; opts: VoxelTTestOptions; pPath: string; signPath: string }

export async function ttestSlab(args: TTestSlabArgs): Promise<number> {
  const { a, b, z0, z1 } = args;
  const plane = a[0].shape[0] * a[0].shape[1];
  const [sa, sb] = await Promise.all([readSlab(a, z0, z1), readSlab(b, z0, z1)]);
  const p = new Float32Array((z1 - z0) * plane), s = new Float32Array((z1 - z0) * plane);
  tTestVoxels(sa, sb, p, s, args.opts);
  writeSlabAt(args.pPath, p, z0, plane);
  writeSlabAt(args.signPath, s, z0, plane);
  return z1 - z0;
}

export interface GroupMapsSlabArgs { group: VolumeRef[]; z0: number; z1: number; ddof: number; paths: { mean: string; std: string; var: string } }

export async function groupMapsSlab(args: GroupMapsSlabArgs): Promise<number> {
  const { group, z0, z1 } = args;
  const plane = group[0].shape[0] * group[0].shape[1];
  const slab = await readSlab(group, z0, z1);
  const n = (z1 - z0) * plane;
  const o = { mean: new Float32Array(n), std: new Float32Array(n), var: new Float32Array(n) };
  groupStatistics(slab, o, args.ddof);
  for (const k of ['mean', 'std', 'var'] as const) writeSlabAt(args.paths[k], o[k], z0, plane);
  return z1 - z0;
}
