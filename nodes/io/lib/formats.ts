// Format registry: picks a volume format from the path (extension or file pattern, overridable by
// `format`), opens it into a VolumeRef that worker threads can read, and creates streaming writers.
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { VolumeRef } from '../../../engine/core/artefacts.js';
import type { DType, Shape3, Volume } from '../../../engine/data/volume.js';
import { boxShape, toDataRange, type Box } from './region.js';
import type { MaybeVoxelSize, VolumeSource } from './source.js';
import { checkInputFile } from './input-file.js';
import { isPlaneInput, listPlaneFiles, missingFileMessage } from './tiff/file-inputs.js';
import { unknownAxes } from './voxel-size.js';
import { openTiffPlanes, openTiffStack } from './tiff/tiff-source.js';
import { createTiffPlanesWriter, createTiffStackWriter } from './tiff/tiff-writer.js';
import { createMhdWriter, openMhd } from './mhd/mhd.js';
import { createNrrdWriter, openNrrd } from './nrrd/nrrd.js';
import { openIms } from './ims/ims.js';
import { createZarrWriter, openZarr, zarrMetadataFiles } from './zarr/zarr.js';
import type { VolumeWriter, WriterSpec } from './writer.js';

/** Module URL of readVolumeRegion (workers import it). */
export const READER_MODULE = new URL('./read-region.js', import.meta.url).href;

export const VOLUME_FORMATS = ['tiff', 'tiff-planes', 'mhd', 'nrrd', 'ims', 'zarr'] as const;
export type VolumeFormat = (typeof VOLUME_FORMATS)[number];

/** JSON arguments stored in a VolumeRef (absolute paths only). */
export interface SourceArgs {
  format: VolumeFormat;
  /** The file, or for tiff-planes the pattern. */
  path: string;
  /** tiff-planes: the plane files in z order, resolved when the volume was opened. */
  files?: string[];
  /** Sub-volume of the file this ref exposes (absent = all). */
  crop?: Box;
  /** tiff: channel of an ImageJ hyperstack; ims: Imaris channel; zarr: index along the c axis. */
  channel?: number;
  /** ims / zarr: resolution level (0 = full resolution). */
  level?: number;
  /** ims / zarr: timepoint (zarr: index along the t axis). */
  timepoint?: number;
  /** Shape the ref exposes (the crop's shape). */
  shape: Shape3;
  voxelSize: [number, number, number];
  describe?: string;
}

export function detectFormat(path: string, format?: string): VolumeFormat {
  if (format !== undefined) {
    if (!(VOLUME_FORMATS as readonly string[]).includes(format)) {
      throw new Error(`${path}: unknown volume format '${format}'; expected one of ${VOLUME_FORMATS.join(', ')}`);
    }
    return format as VolumeFormat;
  }
  const lower = path.toLowerCase();
  if (isPlaneInput(path)) return 'tiff-planes'; // a folder, a glob or a digit regex
  if (/\.tiff?$/.test(lower)) return 'tiff';
  if (/\.(mhd|mha|raw)$/.test(lower)) return 'mhd';
  if (/\.(nrrd|nhdr)$/.test(lower)) return 'nrrd';
  if (/\.ims$/.test(lower)) return 'ims';
  if (/\.zarr\/?$/.test(lower)) return 'zarr';
  throw new Error(`${path}: cannot tell the volume format from the file name; use .tif/.tiff, .mhd/.raw, .nrrd, .ims, .zarr/.ome.zarr, a folder of TIFF planes, a glob such as Z*.tif, a file pattern such as Z\\d{4}.tif, or set 'format' (one of ${VOLUME_FORMATS.join(', ')})`);
}

function mhdHeaderOf(path: string): string {
  return /\.raw$/i.test(path) ? path.replace(/\.raw$/i, '.mhd') : path;
}

/** Open a source from stored args. `validateAll` checks every per-plane file (main thread, once). */
export async function openSourceFromArgs(args: SourceArgs, validateAll: boolean): Promise<VolumeSource> {
  switch (args.format) {
    case 'tiff': return openTiffStack(args.path, args.channel);
    case 'tiff-planes': return openTiffPlanes(args.files ?? listPlaneFiles(args.path).map((f) => f.path), args.path, validateAll);
    case 'mhd': return openMhd(mhdHeaderOf(args.path));
    case 'nrrd': return openNrrd(args.path);
    case 'ims': return openIms(args.path, { level: args.level, timepoint: args.timepoint, channel: args.channel });
    case 'zarr': return openZarr(args.path, { level: args.level, timepoint: args.timepoint, channel: args.channel });
    default: throw new Error(`${args.path}: unknown volume format '${String((args as { format: unknown }).format)}'`);
  }
}

export interface OpenedVolume {
  shape: Shape3;
  dtype: DType;
  voxelSize: [number, number, number];
  format: VolumeFormat;
  ref: VolumeRef;
  /** What the file itself says about the voxel size (null = not recorded). */
  fileVoxelSize: MaybeVoxelSize;
  /** Every file the volume is read from. */
  files: string[];
}

export interface OpenOptions {
  format?: string;
  /** Expose only this box of the file (ranges already resolved to half-open, inside the file). */
  crop?: Partial<Box>;
  /** ClearMap-style ranges ([start, end], null = open end, negative = from the end; clipped), used when `crop` is absent. */
  range?: { x?: UserRange; y?: UserRange; z?: UserRange };
  /** Overrides the voxel size recorded in the file (µm, [x, y, z]). */
  voxelSize?: [number, number, number];
  /** TIFF: channel of a multi-channel ImageJ hyperstack; IMS: Imaris channel; Zarr: index along the c axis. */
  channel?: number;
  /** IMS / Zarr: resolution level (default 0 = full resolution). */
  level?: number;
  /** IMS / Zarr: timepoint (default 0 / the only one). */
  timepoint?: number;
}

export type UserRange = [number | null, number | null] | null;

export async function openVolume(path: string, opts: OpenOptions = {}): Promise<OpenedVolume> {
  const abs = resolve(path).replace(/(.)\/+$/, '$1');
  const format = detectFormat(abs, opts.format);
  if (format !== 'tiff-planes' && !existsSync(format === 'mhd' ? mhdHeaderOf(abs) : abs)) {
    throw new Error(missingFileMessage(abs));
  }
  // a FIFO would block the open forever, a directory gives a bare EISDIR (Zarr stores are folders)
  if (format !== 'tiff-planes' && format !== 'zarr') checkInputFile(format === 'mhd' ? mhdHeaderOf(abs) : abs, 'volume file');
  const files = format === 'tiff-planes' ? listPlaneFiles(abs).map((f) => f.path) : undefined;
  if (opts.channel !== undefined && !['tiff', 'ims', 'zarr'].includes(format)) throw new Error(`${abs}: 'channel' applies to multi-channel TIFF, IMS and Zarr volumes only, not ${format}`);
  for (const k of ['level', 'timepoint'] as const) {
    if (opts[k] !== undefined && format !== 'ims' && format !== 'zarr') throw new Error(`${abs}: '${k}' applies to IMS and Zarr volumes only, not ${format}`);
  }
  const { channel, level, timepoint } = opts;
  const source = await openSourceFromArgs({ format, path: abs, files, channel, level, timepoint, shape: [0, 0, 0], voxelSize: [1, 1, 1] }, true);
  const full: Box = { x: [0, source.shape[0]], y: [0, source.shape[1]], z: [0, source.shape[2]] };
  const crop: Box = opts.crop
    ? { ...full, ...opts.crop }
    : { x: toDataRange(source.shape[0], opts.range?.x), y: toDataRange(source.shape[1], opts.range?.y), z: toDataRange(source.shape[2], opts.range?.z) };
  ([0, 1, 2] as const).forEach((i) => {
    const axis = (['x', 'y', 'z'] as const)[i];
    const r = crop[axis];
    if (!(Number.isInteger(r[0]) && Number.isInteger(r[1]) && r[0] >= 0 && r[1] <= source.shape[i] && r[0] < r[1])) {
      throw new Error(`${abs}: range ${axis}=[${r[0]}, ${r[1]}) is empty or outside the volume (size ${source.shape[i]} along ${axis})`);
    }
  });
  // unknown axes get a 1 µm placeholder and are flagged on the ref (see voxel-size.ts)
  const voxelSize = opts.voxelSize ?? (source.voxelSize.map((v) => v ?? 1) as [number, number, number]);
  const shape = boxShape(crop);
  const cropped = shape.some((s, i) => s !== source.shape[i]);
  const describe = `${format} ${abs}${level !== undefined ? ` level ${level}` : ''}${timepoint !== undefined ? ` timepoint ${timepoint}` : ''}${channel !== undefined ? ` channel ${channel}` : ''}${cropped ? ` x=[${crop.x}) y=[${crop.y}) z=[${crop.z})` : ''}`;
  const args: SourceArgs = { format, path: abs, shape, voxelSize, describe, ...(files ? { files } : {}), ...(cropped ? { crop } : {}), ...(channel !== undefined ? { channel } : {}), ...(level !== undefined ? { level } : {}), ...(timepoint !== undefined ? { timepoint } : {}) };
  const unknown = opts.voxelSize ? [] : unknownAxes(source.voxelSize);
  const ref: VolumeRef = {
    kind: 'volume', shape, dtype: source.dtype, voxelSize, ...(unknown.length ? { voxelSizeUnknown: unknown } : {}),
    reader: { module: READER_MODULE, export: 'readVolumeRegion' },
    args: args as unknown as Record<string, unknown>,
    describe,
    ...(cropped ? { offset: [crop.x[0], crop.y[0], crop.z[0]] as [number, number, number] } : {}),
  };
  return { shape, dtype: source.dtype, voxelSize, format, ref, fileVoxelSize: source.voxelSize, files: source.files };
}

/**
 * The files a volume path depends on, found cheaply (no TIFF parsing): for cache identities.
 * A pattern lists its directory, so an added or removed plane changes the answer.
 */
export async function volumeFiles(path: string, format?: string): Promise<string[]> {
  const abs = resolve(path).replace(/(.)\/+$/, '$1');
  const f = detectFormat(abs, format);
  if (f === 'tiff-planes') return listPlaneFiles(abs).map((p) => p.path);
  if (f === 'tiff' || f === 'ims') return [abs];
  if (f === 'zarr') {
    if (!existsSync(abs)) throw new Error(`${abs}: no such file`);
    return zarrMetadataFiles(abs);
  }
  return (await openSourceFromArgs({ format: f, path: abs, shape: [0, 0, 0], voxelSize: [1, 1, 1] }, false)).files;
}

export type { VolumeWriter, WriterSpec } from './writer.js';

export interface WriterOptions {
  format?: string;
  /** TIFF: force BigTIFF (default: only when the file would pass 4 GiB). */
  bigTiff?: boolean;
  /** NRRD, Zarr: raw (default) or gzip. */
  encoding?: 'raw' | 'gzip';
  /** Zarr: chunk size [x, y, z]. */
  chunks?: [number, number, number];
  /** Zarr: resolution levels to write (default 1; each next level is a 2x2x2 mean). */
  levels?: number;
}

export function createVolumeWriter(path: string, spec: WriterSpec, opts: WriterOptions = {}): VolumeWriter {
  const abs = resolve(path).replace(/(.)\/+$/, '$1');
  // a digit placeholder in the file name means one file per plane (the files do not exist yet)
  const format = opts.format ?? (/\\d/.test(basename(abs)) ? 'tiff-planes' : undefined);
  switch (detectFormat(abs, format)) {
    case 'tiff': return createTiffStackWriter(abs, spec, { bigTiff: opts.bigTiff });
    case 'tiff-planes': return createTiffPlanesWriter(abs, spec);
    case 'mhd': return createMhdWriter(mhdHeaderOf(abs), spec);
    case 'nrrd': return createNrrdWriter(abs, spec, { encoding: opts.encoding });
    case 'zarr': return createZarrWriter(abs, spec, { encoding: opts.encoding, chunks: opts.chunks, levels: opts.levels });
    case 'ims': throw new Error(`${abs}: writing Imaris .ims files is not supported; write .tif, .mhd, .nrrd or .zarr`);
  }
}
