// Reading a VolumeRef: import the module it names (cached per thread) and call its reader.
import type { Region, SlabReader, SlabReadOptions, VolumeRef } from '../core/artefacts.js';
import type { Volume } from './volume.js';

const modules = new Map<string, Promise<Record<string, unknown>>>();

export async function importExport<T>(module: string, name: string, what: string): Promise<T> {
  let m = modules.get(module);
  if (!m) {
    m = import(module) as Promise<Record<string, unknown>>;
    modules.set(module, m);
  }
  const fn = (await m)[name];
  if (typeof fn !== 'function') throw new Error(`${what}: ${module} does not export a function '${name}'`);
  return fn as T;
}

/** Read a region of a VolumeRef; `opts.into` lets the reader fill a reusable slab buffer (see slab-pool.ts). */
export async function readRegion(ref: VolumeRef, region?: Partial<Region>, opts?: SlabReadOptions): Promise<Volume> {
  const reader = await importExport<SlabReader>(ref.reader.module, ref.reader.export, `reader of ${ref.describe}`);
  const z = region?.z ?? [0, ref.shape[2]];
  const v = opts?.into ? await reader(ref.args, { x: region?.x, y: region?.y, z }, opts) : await reader(ref.args, { x: region?.x, y: region?.y, z });
  return v;
}
