// The reader named in every VolumeRef this package makes. Worker threads import this module and call
// readVolumeRegion per chunk, so opened files are cached per process (keyed by the source files) and
// re-opened when a file's size or mtime changes.
import { statSync } from 'node:fs';
import type { Region } from '../../../engine/core/artefacts.js';
import type { SlabTarget } from '../../../engine/data/slab-pool.js';
import type { Volume } from '../../../engine/data/volume.js';
import { resolveRegion, type Box } from './region.js';
import type { VolumeSource } from './source.js';
import { openSourceFromArgs, type SourceArgs } from './formats.js';

interface CacheEntry { source: Promise<VolumeSource>; stamps: Map<string, string> }
const cache = new Map<string, CacheEntry>();

function stamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

function sourceKey(args: SourceArgs): string {
  return JSON.stringify([args.format, args.path, args.files ?? null, args.channel ?? null, args.level ?? null, args.timepoint ?? null]);
}

/** Files a read of box `b` touches: the header/stack file, or the per-plane files of its z range. */
function touchedFiles(args: SourceArgs, b: Box | undefined): string[] {
  if (!args.files) return [args.path];
  if (!b) return [args.files[0]];
  return [args.files[0], ...args.files.slice(b.z[0], b.z[1])];
}

async function cachedSource(args: SourceArgs, touched: string[]): Promise<VolumeSource> {
  const key = sourceKey(args);
  let entry = cache.get(key);
  if (entry && touched.some((f) => entry!.stamps.has(f) && entry!.stamps.get(f) !== stamp(f))) entry = undefined;
  if (!entry) {
    entry = { source: openSourceFromArgs(args, false), stamps: new Map() };
    entry.source.catch(() => cache.delete(key));
    cache.set(key, entry);
  }
  for (const f of touched) if (!entry.stamps.has(f)) entry.stamps.set(f, stamp(f));
  return entry.source;
}

/** Drop cached file structures (tests; long-running processes after rewriting inputs). */
export function clearVolumeCache(): void {
  cache.clear();
}

/**
 * Read `region` (in the coordinates of the VolumeRef, i.e. relative to any crop) of the volume that
 * `args` describe. The result's origin is the region start. `opts.shared` puts the voxels in a
 * SharedArrayBuffer (for handing a slab read on one thread to a worker without copying); `opts.into`
 * lets formats that write every voxel fill a reusable slab buffer (engine/data/slab-pool.ts).
 */
export async function readVolumeRegion(args: Record<string, unknown>, region?: Partial<Region>, opts: { shared?: boolean; into?: SlabTarget } = {}): Promise<Volume> {
  const a = args as unknown as SourceArgs;
  if (typeof a.format !== 'string' || typeof a.path !== 'string') {
    throw new Error(`readVolumeRegion: args need 'format' and 'path' strings, got ${JSON.stringify(args).slice(0, 200)}`);
  }
  const crop = a.crop;
  const refShape = a.shape;
  const where = a.describe ?? a.path;
  const local = resolveRegion(refShape, region, where);
  const box: Box = crop
    ? { x: [local.x[0] + crop.x[0], local.x[1] + crop.x[0]], y: [local.y[0] + crop.y[0], local.y[1] + crop.y[0]], z: [local.z[0] + crop.z[0], local.z[1] + crop.z[0]] }
    : local;
  const source = await cachedSource(a, touchedFiles(a, box));
  const v = await source.readBox(box, a.voxelSize, opts.shared, opts.into);
  v.origin = [local.x[0], local.y[0], local.z[0]];
  return v;
}
