// write-volume: stream a volume slab by slab (bounded memory) into a TIFF stack, per-plane TIFFs,
// MHD/RAW or NRRD, written atomically (temp file + rename).
import { defineWholeNode } from '../../../engine/core/node-type.js';
import type { VolumeRef } from '../../../engine/core/artefacts.js';
import { bytesPerVoxel } from '../../../engine/data/volume.js';
import { createVolumeWriter, VOLUME_FORMATS } from '../lib/formats.js';
import { resolveOutPath } from '../../../engine/core/out-path.js';
import { threadSlabPool } from '../../../engine/data/slab-pool.js';

const SLAB_BYTES = 64 * 1024 * 1024;

export const writeVolumeNode = defineWholeNode({
  type: 'write-volume',
  version: '1',
  kind: 'whole',
  description: 'Write a volume to a TIFF stack (BigTIFF when > 4 GiB), per-plane TIFFs (pattern such as Z\\d{4}.tif), MHD/RAW, NRRD or OME-Zarr (.zarr, Zarr v2 chunks).',
  inputs: { volume: { type: 'volume', description: 'Volume to write.' } },
  outputs: { file: { type: 'file', description: 'The written file (the .mhd header for MHD, the first plane for a pattern).' } },
  params: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'Destination, relative to the results directory.' },
      format: { enum: [...VOLUME_FORMATS], description: 'Override the format picked from the extension.' },
      encoding: { enum: ['raw', 'gzip'], default: 'raw', description: 'NRRD and Zarr: data encoding (Zarr: per chunk).' },
      chunks: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 3, maxItems: 3, description: 'Zarr only: chunk size [x, y, z] (default 256 x 256 x up to 32 planes).' },
      levels: { type: 'integer', minimum: 1, maximum: 16, default: 1, description: 'Zarr only: resolution levels to write (each next level is a 2x2x2 mean).' },
      slabPlanes: { type: 'integer', minimum: 1, description: 'Planes per slab (default: as many as fit in 64 MiB, at most 64).' },
    },
    required: ['path'],
    additionalProperties: false,
  },
  producesFiles: true,
  async run(inputs, params, ctx) {
    const ref = inputs.volume as VolumeRef | undefined;
    if (!ref || ref.kind !== 'volume') throw new Error(`${ctx.nodeId}: input 'volume' is missing or not a volume`);
    const dest = resolveOutPath(ctx.outDir, params.path, `node '${ctx.nodeId}': params.path`);
    const [, , depth] = ref.shape;
    const planeBytes = ref.shape[0] * ref.shape[1] * bytesPerVoxel(ref.dtype);
    const slab = params.slabPlanes ?? Math.max(1, Math.min(64, Math.floor(SLAB_BYTES / planeBytes)));
    const writer = createVolumeWriter(dest, { shape: ref.shape, dtype: ref.dtype, voxelSize: ref.voxelSize }, {
      format: params.format, encoding: params.encoding,
      chunks: params.chunks, levels: params.levels,
    });
    // one reusable slab buffer: writers are done with a slab when writeSlab returns
    const slabBuffer = threadSlabPool.lease();
    try {
      for (let z = 0; z < depth; z += slab) {
        if (ctx.signal.aborted) throw new Error(`${ctx.nodeId}: cancelled while writing ${dest}`);
        const v = await ctx.readVolume(ref, { z: [z, Math.min(depth, z + slab)] }, { into: slabBuffer });
        await writer.writeSlab(v);
        ctx.progress(Math.min(depth, z + slab), depth);
      }
      const files = await writer.commit();
      ctx.log(`wrote ${files.length === 1 ? files[0] : `${files.length} files (${files[0]} ...)`}`);
      return { file: { kind: 'file', path: files[0], files } };
    } catch (e) {
      await writer.abort();
      throw e;
    } finally {
      slabBuffer.release();
    }
  },
});
