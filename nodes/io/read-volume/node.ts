// read-volume: a volume file or per-plane file pattern -> a lazy VolumeRef (nothing is read here;
// chunk workers read their slabs through readVolumeRegion).
import { isAbsolute, resolve } from 'node:path';
import { defineWholeNode } from '../../../engine/core/node-type.js';
import { openVolume, VOLUME_FORMATS, volumeFiles } from '../lib/formats.js';
import { fileIdentities } from '../../../engine/cache/keys.js';
import { formatVoxelSize } from '../lib/voxel-size.js';

const rangeSchema = (axis: string) => ({
  type: 'array', minItems: 2, maxItems: 2,
  items: { type: ['integer', 'null'] },
  description: `ClearMap-style ${axis} range [start, end): null = open end, negative counts from the end; clipped to the data.`,
}) as const;

export const readVolumeNode = defineWholeNode({
  type: 'read-volume',
  version: '1',
  kind: 'whole',
  description: 'Open a TIFF stack (OME-TIFF / ImageJ metadata honoured), per-plane TIFFs (a folder, a glob such as Z*.tif or a pattern such as ch00\\d{3}.tif), an MHD/RAW, a NRRD, an Imaris .ims or an OME-Zarr (.zarr) as a volume (optionally a sub-range).',
  inputs: {},
  outputs: { volume: { type: 'volume', description: 'The volume (read lazily, slab by slab).' } },
  params: {
    type: 'object',
    properties: {
      path: { type: 'string', format: 'path', minLength: 1, description: 'File, folder of numbered TIFF planes, glob (e.g. Z*.tif) or file pattern (regex in the file name, e.g. Z\\d{4}.tif), relative to the workflow file.' },
      format: { enum: [...VOLUME_FORMATS], description: 'Override the format picked from the extension.' },
      x: rangeSchema('x'), y: rangeSchema('y'), z: rangeSchema('z'),
      voxelSize: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 3, maxItems: 3, description: 'Voxel size in µm [x, y, z]; overrides what the file says.' },
      channel: { type: 'integer', minimum: 0, description: 'Multi-channel ImageJ TIFF hyperstack, Imaris file or Zarr c axis: the channel to read (0-based).' },
      level: { type: 'integer', minimum: 0, description: 'Imaris / OME-Zarr: resolution level (0 = full resolution).' },
      timepoint: { type: 'integer', minimum: 0, description: 'Imaris / OME-Zarr: timepoint (0-based).' },
    },
    required: ['path'],
    additionalProperties: false,
  },
  async run(_inputs, params, ctx) {
    const path = absolute(params.path, ctx.baseDir);
    const opened = await openVolume(path, {
      format: params.format,
      range: { x: params.x, y: params.y, z: params.z },
      voxelSize: params.voxelSize,
      channel: params.channel,
      level: params.level,
      timepoint: params.timepoint,
    });
    const shown = params.voxelSize ? opened.voxelSize : opened.fileVoxelSize;
    ctx.log(`${opened.ref.describe}: ${opened.shape.join('x')} ${opened.dtype}, voxel ${formatVoxelSize(shown)}`);
    if (opened.ref.voxelSizeUnknown) {
      ctx.log(`warning: ${path} does not record the voxel size along ${opened.ref.voxelSizeUnknown.join(', ')}; steps that need µm (resample, detect with cellDiameter, scale bars) will ask for it — set 'voxelSize'`);
    }
    return { volume: opened.ref };
  },
  async externalIdentity(params, baseDir) {
    return fileIdentities(await volumeFiles(absolute(params.path, baseDir), params.format));
  },
});

export function absolute(path: string, base: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}
