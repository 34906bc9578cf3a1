// Helpers shared by the analysis node types: parameter reading with clear errors, path resolution
// and file identity for the cache key, lists of volumes, and streaming MHD/RAW outputs.
import { closeSync, openSync, writeSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Artefact, VolumeRef } from '../../../engine/core/artefacts.js';
import type { NodeContext } from '../../../engine/core/node-type.js';
import type { DType, Shape3, TypedArray } from '../../../engine/data/volume.js';
import { bytesPerVoxel } from '../../../engine/data/volume.js';
import { rawVolumeRef, writeMhdHeader } from '../../../engine/data/raw-volume.js';
import { openVolume } from '../../io/lib/formats.js';
import { LabelTree } from './atlas/label-tree.js';

export function resolvePath(baseDir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(baseDir, p);
}

export function stringList(v: unknown, where: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new Error(`${where}: expected a list of file paths`);
  return v as string[];
}

/**
 * A group of volumes: the wired 'json' input (an array of file paths or VolumeRefs) or else the
 * param (an array of paths relative to the workflow directory). Paths are opened with nodes/io.
 */
export async function volumeGroup(input: Artefact | undefined, param: unknown, ctx: NodeContext, name: string): Promise<VolumeRef[]> {
  const where = `node '${ctx.nodeId}': ${name}`;
  let items: unknown[];
  if (input) {
    if (input.kind !== 'json' || !Array.isArray(input.value)) throw new Error(`${where}: the wired input must be a json list of volume paths or volume references`);
    items = input.value;
  } else {
    const list = stringList(param, `${where} (param)`);
    if (!list) throw new Error(`${where}: wire a json list to input '${name}' or set param '${name}' to a list of volume files`);
    items = list;
  }
  const refs: VolumeRef[] = [];
  for (const [i, it] of items.entries()) {
    if (typeof it === 'string') refs.push((await openVolume(resolvePath(ctx.baseDir, it))).ref);
    else if (it && typeof it === 'object' && (it as VolumeRef).kind === 'volume') refs.push(it as VolumeRef);
    else throw new Error(`${where}[${i}]: expected a file path or a volume reference, got ${JSON.stringify(it)?.slice(0, 80)}`);
  }
  return refs;
}

/** All volumes must share one shape; returns it. */
export function commonShape(groups: Record<string, VolumeRef[]>, nodeId: string): Shape3 {
  let shape: Shape3 | undefined, first = '';
  for (const [name, refs] of Object.entries(groups)) {
    refs.forEach((r, i) => {
      if (!shape) { shape = r.shape; first = `${name}[${i}] (${r.describe})`; return; }
      if (r.shape.some((s, a) => s !== shape![a])) {
        throw new Error(`node '${nodeId}': ${name}[${i}] (${r.describe}) has shape [${r.shape}], but ${first} has [${shape}]; all maps must be voxelized on the same grid`);
      }
    });
  }
  if (!shape) throw new Error(`node '${nodeId}': no volumes given`);
  return shape;
}

/**
 * Planes per slab so one slab of every input stays under `budget` bytes (at least one plane). Each
 * voxel is counted at >= 8 bytes per input because the kernels keep float64 work buffers besides
 * the slabs read in their own dtype.
 */
export function planesPerSlab(shape: Shape3, refs: VolumeRef[], budget = 128 * 2 ** 20): number {
  const perPlane = refs.reduce((s, r) => s + shape[0] * shape[1] * Math.max(8, bytesPerVoxel(r.dtype)), 0);
  return Math.max(1, Math.min(shape[2], Math.floor(budget / perPlane)));
}

/** A volume written plane-slab by plane-slab into ctx.workDir as MHD + RAW; finish() gives its VolumeRef. */
export class RawOutput {
  private fd: number;
  private written = 0;
  readonly rawPath: string;
  constructor(private dir: string, private name: string, private shape: Shape3, private dtype: DType, private voxelSize: [number, number, number]) {
    this.rawPath = join(dir, `${name}.raw`);
    this.fd = openSync(this.rawPath, 'w');
  }
  append(data: TypedArray): void {
    if (data.BYTES_PER_ELEMENT !== bytesPerVoxel(this.dtype)) throw new Error(`${this.rawPath}: writing ${data.constructor.name} into a ${this.dtype} volume`);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
    this.written += data.length;
  }
  finish(): VolumeRef {
    closeSync(this.fd);
    const n = this.shape[0] * this.shape[1] * this.shape[2];
    if (this.written !== n) throw new Error(`${this.rawPath}: wrote ${this.written} voxels, expected ${n}`);
    writeMhdHeader(join(this.dir, `${this.name}.mhd`), `${this.name}.raw`, this.shape, this.dtype, this.voxelSize);
    return rawVolumeRef(this.rawPath, this.shape, this.dtype, this.voxelSize);
  }
}

export function optionalNumber(params: Record<string, unknown>, key: string, nodeId: string): number | undefined {
  const v = params[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`node '${nodeId}': param '${key}' must be a number, got ${JSON.stringify(v)}`);
  return v;
}

export function triple(params: Record<string, unknown>, key: string, nodeId: string, integer = false): [number, number, number] | undefined {
  const v = params[key];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? [v, v, v] : v;
  if (!Array.isArray(n) || n.length !== 3 || !n.every((x) => typeof x === 'number' && Number.isFinite(x) && (!integer || Number.isInteger(x)))) {
    throw new Error(`node '${nodeId}': param '${key}' must be ${integer ? 'an integer' : 'a number'} or a list of 3, got ${JSON.stringify(v)}`);
  }
  return n as [number, number, number];
}

/**
 * The region hierarchy of a region node: the wired `structures` input (an atlas node's output) or
 * else param `labels` (a label file relative to the workflow). Errors name the node.
 */
export async function regionTree(input: Artefact | undefined, labels: unknown, ctx: NodeContext): Promise<LabelTree> {
  const where = `node '${ctx.nodeId}'`;
  if (input) {
    if (input.kind !== 'json') throw new Error(`${where}: input 'structures' must be the structures (json) output of an 'atlas' node`);
    try { return LabelTree.fromStructures(input.value, `${where}: input 'structures'`); } catch (e) { throw new Error(`${where}: ${(e as Error).message}`); }
  }
  if (typeof labels !== 'string') throw new Error(`${where}: wire input 'structures' (from an 'atlas' node) or set param 'labels' to a label file`);
  try { return LabelTree.load(resolvePath(ctx.baseDir, labels)); } catch (e) { throw new Error(`${where}: param 'labels': ${(e as Error).message}`); }
}
