// ClearMap's io.convertData: copy a volume (or a sub-range) into another format, slab by slab.
import { bytesPerVoxel } from '../../../engine/data/volume.js';
import { createVolumeWriter, openVolume, type OpenOptions, type WriterOptions } from './formats.js';
import { readVolumeRegion } from './read-region.js';
import { threadSlabPool } from '../../../engine/data/slab-pool.js';

export interface ConvertOptions extends Pick<OpenOptions, 'range' | 'voxelSize' | 'channel' | 'level' | 'timepoint'> {
  from?: string;
  to?: WriterOptions;
  /** Bytes per slab (bounded memory); default 64 MiB. */
  slabBytes?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Returns the files written. */
export async function convertVolume(source: string, dest: string, opts: ConvertOptions = {}): Promise<string[]> {
  const src = await openVolume(source, { format: opts.from, range: opts.range, voxelSize: opts.voxelSize, channel: opts.channel, level: opts.level, timepoint: opts.timepoint });
  const [X, Y, Z] = src.shape;
  const planes = Math.max(1, Math.floor((opts.slabBytes ?? 64 * 1024 * 1024) / (X * Y * bytesPerVoxel(src.dtype))));
  const writer = createVolumeWriter(dest, { shape: src.shape, dtype: src.dtype, voxelSize: src.voxelSize }, opts.to);
  // every slab goes through one reusable buffer: writers are done with a slab when writeSlab returns
  const slabBuffer = threadSlabPool.lease();
  try {
    for (let z = 0; z < Z; z += planes) {
      await writer.writeSlab(await readVolumeRegion(src.ref.args, { z: [z, Math.min(Z, z + planes)] }, { into: slabBuffer }));
      opts.onProgress?.(Math.min(Z, z + planes), Z);
    }
    return await writer.commit();
  } catch (e) {
    await writer.abort();
    throw e;
  } finally {
    slabBuffer.release();
  }
}
