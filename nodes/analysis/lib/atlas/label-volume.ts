// Atlas label volumes (annotation, hemispheres) as integers, decoded once per process.
// Allen ids need 32 bits; the readers widen uint32 files to float64 (8 bytes a voxel). Label volumes are
// narrowed slab by slab to int32 when every value is an integer in int32 range (every Allen id is
// below 2^31), so a 25 µm annotation takes 308 MB instead of 616 MB and is never held as float64.
// Every node of a run that asks for the same volume gets the same decoded array.
import { statSync } from 'node:fs';
import type { VolumeRef } from '../../../../engine/core/artefacts.js';
import type { Volume } from '../../../../engine/data/volume.js';

type SlabRead = (ref: VolumeRef, region: { z: [number, number] }) => Promise<Volume>;

/** Planes read per slab while narrowing (bounded memory whatever the atlas size). */
function planesPerSlab(ref: VolumeRef): number {
  return Math.max(1, Math.floor((32 * 2 ** 20) / (ref.shape[0] * ref.shape[1] * 8)));
}

const INT32_MIN = -2147483648, INT32_MAX = 2147483647;

/**
 * Read a whole label volume keeping an integer type: uint8/uint16/int32 as stored; float64 or
 * float32 data narrowed to int32 when all values are integers in range, else kept as float64.
 */
export async function decodeLabelVolume(ref: VolumeRef, read: SlabRead): Promise<Volume> {
  if (ref.dtype === 'uint8' || ref.dtype === 'uint16' || ref.dtype === 'int32') return read(ref, { z: [0, ref.shape[2]] });
  const [X, Y, Z] = ref.shape;
  const plane = X * Y;
  const out = new Int32Array(plane * Z);
  const step = planesPerSlab(ref);
  for (let z0 = 0; z0 < Z; z0 += step) {
    const z1 = Math.min(Z, z0 + step);
    const slab = (await read(ref, { z: [z0, z1] })).data;
    const base = z0 * plane;
    for (let i = 0; i < slab.length; i++) {
      const v = slab[i];
      if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
        // ids beyond int32 (or non-integer labels): keep exact doubles
        return read(ref, { z: [0, Z] });
      }
      out[base + i] = v;
    }
  }
  return { data: out, shape: [X, Y, Z], dtype: 'int32', voxelSize: ref.voxelSize, origin: [0, 0, 0] };
}

interface Entry { key: string; volume: Promise<Volume>; bytes: number }
const cache: Entry[] = [];
/** Decoded label volumes kept per process (a 25 µm annotation + hemispheres fit easily). */
const CACHE_BYTES = 1.5 * 2 ** 30;

function identity(ref: VolumeRef): string {
  const path = typeof ref.args.path === 'string' ? ref.args.path : undefined;
  let stamp: unknown = null;
  if (path) { try { const s = statSync(path); stamp = [s.size, s.mtimeMs]; } catch { stamp = 'missing'; } }
  return JSON.stringify([ref.reader, ref.args, ref.shape, ref.dtype, stamp]);
}

/**
 * The decoded label volume of `ref`, shared by every caller in this process (same file, size and
 * mtime = same array). Callers must not modify the returned data.
 */
export function sharedLabelVolume(ref: VolumeRef, read: SlabRead): Promise<Volume> {
  const key = identity(ref);
  const hit = cache.find((e) => e.key === key);
  if (hit) { cache.splice(cache.indexOf(hit), 1); cache.push(hit); return hit.volume; }
  const volume = decodeLabelVolume(ref, read);
  const entry: Entry = { key, volume, bytes: ref.shape[0] * ref.shape[1] * ref.shape[2] * 4 };
  cache.push(entry);
  volume.catch(() => { const i = cache.indexOf(entry); if (i >= 0) cache.splice(i, 1); });
  let total = cache.reduce((s, e) => s + e.bytes, 0);
  while (total > CACHE_BYTES && cache.length > 1) total -= cache.shift()!.bytes;
  return volume;
}

/** Forget every shared volume (tests). */
export function clearSharedLabelVolumes(): void {
  cache.length = 0;
}
