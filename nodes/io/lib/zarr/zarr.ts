// OME-Zarr (NGFF 0.4 on Zarr v2, NGFF 0.5 on Zarr v3) and plain Zarr arrays.
// Read (zarrita decodes the chunks): one multiscale level (default 0), spatial axes z, y, x; a t or c
// axis is allowed when it has size 1 or is selected with `timepoint` / `channel`. Only the chunks that
// overlap a region are read; every chunk is checked and errors name the chunk file.
// Write: OME-Zarr 0.4 on Zarr v2 (what python zarr 2.x and napari read), one level or a pyramid of
// 2x2x2 means, chunks (z, y, x), raw or gzip (node:zlib), streamed one z-chunk row at a time into
// `<dest>.tmp-<owner>/` and renamed into place on commit.
import { ownerTag } from '../../../../engine/cache/owner.js';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bytesPerVoxel, emptyVolume, type DType, type TypedArray } from '../../../../engine/data/volume.js';
import { ELEMENT_TO_DTYPE, type ElementType } from '../element-types.js';
import type { VolumeWriter, WriterSpec } from '../writer.js';
import { boxShape, type Box } from '../region.js';
import { checkSlab } from '../slab-check.js';
import type { MaybeVoxelSize, VolumeSource } from '../source.js';

export interface ZarrSelection { level?: number; timepoint?: number; channel?: number }

type Zarrita = typeof import('zarrita');
let zarritaModule: Promise<{ zarr: Zarrita; FileSystemStore: typeof import('@zarrita/storage/fs').default }> | undefined;
function loadZarrita() {
  zarritaModule ??= Promise.all([import('zarrita'), import('@zarrita/storage/fs')]).then(([zarr, fs]) => ({ zarr, FileSystemStore: fs.default }));
  return zarritaModule;
}

const ZARR_TO_ELEMENT: Record<string, ElementType> = {
  uint8: 'uint8', int8: 'int8', uint16: 'uint16', int16: 'int16', uint32: 'uint32', int32: 'int32', float32: 'float32', float64: 'float64',
};

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: cannot read Zarr metadata (${(e as Error).message})`);
  }
}

interface Axis { name: string; unit?: string }
interface Multiscale { axes?: Array<Axis | string>; datasets: Array<{ path: string; coordinateTransformations?: Transform[] }>; coordinateTransformations?: Transform[] }
interface Transform { type: string; scale?: number[] }

const UNIT_TO_UM: Record<string, number> = { micrometer: 1, micron: 1, um: 1, 'µm': 1, nanometer: 1e-3, nm: 1e-3, millimeter: 1e3, mm: 1e3, centimeter: 1e4, meter: 1e6 };

/** Chunk coordinates -> file name inside the array directory, as the metadata says keys are encoded. */
function chunkKeyEncoder(meta: Record<string, unknown>, v3: boolean): (c: number[]) => string {
  if (!v3) {
    const sep = (meta.dimension_separator as string | undefined) ?? '.';
    return (c) => c.join(sep);
  }
  const enc = meta.chunk_key_encoding as { name?: string; configuration?: { separator?: string } } | undefined;
  if (enc?.name === 'v2') { const sep = enc.configuration?.separator ?? '.'; return (c) => c.join(sep); }
  const sep = enc?.configuration?.separator ?? '/';
  return (c) => ['c', ...c].join(sep);
}

/** The metadata files of a Zarr store (root and every multiscale level): its identity for caches, cheap. */
export function zarrMetadataFiles(path: string): string[] {
  const v3 = existsSync(join(path, 'zarr.json'));
  const rootFiles = (v3 ? ['zarr.json'] : ['.zarray', '.zgroup', '.zattrs']).map((f) => join(path, f)).filter((f) => existsSync(f));
  if (rootFiles.length === 0) throw new Error(`${path}: not a Zarr store (no zarr.json, .zarray or .zgroup)`);
  const attrs = v3 ? (readJson(rootFiles[0]).attributes as Record<string, unknown> | undefined) ?? {}
    : rootFiles.some((f) => f.endsWith('.zattrs')) ? readJson(join(path, '.zattrs')) : {};
  const ms = (((attrs.ome as Record<string, unknown> | undefined) ?? attrs).multiscales as Multiscale[] | undefined)?.[0];
  const levels = (ms?.datasets ?? []).map((d) => join(path, d.path, v3 ? 'zarr.json' : '.zarray')).filter((f) => existsSync(f));
  return [...rootFiles, ...levels];
}

export async function openZarr(path: string, sel: ZarrSelection = {}): Promise<VolumeSource> {
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new Error(`${path}: no such Zarr directory`);
  const v3 = existsSync(join(path, 'zarr.json'));
  let rootMeta: Record<string, unknown>;
  let rootAttrs: Record<string, unknown> = {};
  const metaFiles: string[] = [];
  if (v3) {
    metaFiles.push(join(path, 'zarr.json'));
    rootMeta = readJson(metaFiles[0]);
    rootAttrs = (rootMeta.attributes as Record<string, unknown> | undefined) ?? {};
  } else if (existsSync(join(path, '.zarray')) || existsSync(join(path, '.zgroup'))) {
    const isArray = existsSync(join(path, '.zarray'));
    metaFiles.push(join(path, isArray ? '.zarray' : '.zgroup'));
    rootMeta = readJson(metaFiles[0]);
    if (existsSync(join(path, '.zattrs'))) { metaFiles.push(join(path, '.zattrs')); rootAttrs = readJson(join(path, '.zattrs')); }
    rootMeta.node_type = isArray ? 'array' : 'group';
  } else {
    throw new Error(`${path}: not a Zarr store (no zarr.json, .zarray or .zgroup)`);
  }

  // which array: a level of the multiscale image, or the root array itself
  const level = sel.level ?? 0;
  const ome = (rootAttrs.ome as Record<string, unknown> | undefined) ?? rootAttrs;
  const multiscales = ome.multiscales as Multiscale[] | undefined;
  let arrayPath = '';
  let ms: Multiscale | undefined;
  if (rootMeta.node_type === 'group') {
    ms = multiscales?.[0];
    // bioformats2raw layout: the image is the group '0' inside the root group
    if (!ms && rootAttrs['bioformats2raw.layout'] !== undefined && existsSync(join(path, '0'))) return openZarr(join(path, '0'), sel);
    if (!ms || !Array.isArray(ms.datasets) || ms.datasets.length === 0) {
      throw new Error(`${path}: Zarr group without OME 'multiscales' metadata; open one of its arrays (a sub-directory) instead`);
    }
    if (!Number.isInteger(level) || level < 0 || level >= ms.datasets.length) {
      throw new Error(`${path}: OME-Zarr has no resolution level ${level}; levels present: ${ms.datasets.map((d, i) => (d.path === String(i) ? `${i}` : `${i} ('${d.path}')`)).join(', ')}`);
    }
    arrayPath = ms.datasets[level].path;
  } else if (level !== 0) {
    throw new Error(`${path}: a plain Zarr array has only resolution level 0, not ${level}`);
  }
  const arrayDir = join(path, arrayPath);
  const arrayMetaFile = join(arrayDir, v3 ? 'zarr.json' : '.zarray');
  if (arrayPath !== '') {
    if (!existsSync(arrayMetaFile)) throw new Error(`${path}: multiscale level ${level} names array '${arrayPath}' but ${arrayMetaFile} does not exist`);
    metaFiles.push(arrayMetaFile);
  }
  const arrayMeta = arrayPath === '' ? rootMeta : readJson(arrayMetaFile);
  const arrayAttrs = v3 ? (arrayMeta.attributes as Record<string, unknown> | undefined) ?? {}
    : existsSync(join(arrayDir, '.zattrs')) ? readJson(join(arrayDir, '.zattrs')) : {};

  const { zarr, FileSystemStore } = await loadZarrita();
  const loc = zarr.root(new FileSystemStore(path)).resolve(arrayPath || '/');
  let arr: Awaited<ReturnType<typeof zarr.open.v2>> & { kind: 'array' };
  try {
    arr = (v3 ? await zarr.open.v3(loc, { kind: 'array' }) : await zarr.open.v2(loc, { kind: 'array', attrs: false })) as typeof arr;
  } catch (e) {
    throw new Error(`${arrayDir}: cannot open Zarr array (${(e as Error).message})`);
  }
  const element = ZARR_TO_ELEMENT[arr.dtype as string];
  if (!element) throw new Error(`${arrayDir}: Zarr data type ${String(arr.dtype)} is not supported; expected 8/16/32-bit integers or float32/float64`);
  const ndim = arr.shape.length;

  // axis names: OME axes, v3 dimension_names, xarray's _ARRAY_DIMENSIONS, else the last 3 (or 2) are z, y, x
  const omeAxes = ms?.axes?.map((a) => (typeof a === 'string' ? { name: a } : a));
  let names: string[] | undefined = omeAxes?.map((a) => a.name.toLowerCase())
    ?? arr.dimensionNames?.map((n) => String(n).toLowerCase())
    ?? (arrayAttrs._ARRAY_DIMENSIONS as string[] | undefined)?.map((n) => String(n).toLowerCase());
  if (!names || names.length !== ndim) {
    const spatial = ndim >= 3 ? ['z', 'y', 'x'] : ['y', 'x'];
    names = [...Array.from({ length: ndim - spatial.length }, (_, i) => `dim${i}`), ...spatial];
  }
  const dimOf = (n: string) => names!.indexOf(n);
  const [dx, dy, dz] = [dimOf('x'), dimOf('y'), dimOf('z')];
  if (dx < 0 || dy < 0) throw new Error(`${arrayDir}: axes [${names.join(', ')}] have no x and y`);
  // fixed index for every other axis
  const fixed = new Map<number, number>();
  names.forEach((n, d) => {
    if (d === dx || d === dy || d === dz) return;
    const size = arr.shape[d];
    const chosen = n === 'c' ? sel.channel : n === 't' ? sel.timepoint : undefined;
    if (chosen !== undefined) {
      if (!(Number.isInteger(chosen) && chosen >= 0 && chosen < size)) throw new Error(`${arrayDir}: ${n === 'c' ? 'channel' : 'timepoint'} ${chosen} does not exist (axis ${n} has size ${size})`);
      fixed.set(d, chosen);
    } else if (size === 1) fixed.set(d, 0);
    else throw new Error(`${arrayDir}: axis '${n}' has size ${size}; only z, y, x volumes are read${n === 'c' ? " (select one with 'channel')" : n === 't' ? " (select one with 'timepoint')" : ''}`);
  });
  if (sel.channel !== undefined && !names.includes('c')) throw new Error(`${arrayDir}: 'channel' was given but the axes [${names.join(', ')}] have no c axis`);
  if (sel.timepoint !== undefined && !names.includes('t')) throw new Error(`${arrayDir}: 'timepoint' was given but the axes [${names.join(', ')}] have no t axis`);
  const shape: [number, number, number] = [arr.shape[dx], arr.shape[dy], dz >= 0 ? arr.shape[dz] : 1];

  // voxel size: the level's scale times the multiscale-wide scale, converted to µm
  const voxelSize: MaybeVoxelSize = [null, null, null];
  if (ms) {
    const scaleOf = (ts: Transform[] | undefined) => ts?.find((t) => t.type === 'scale')?.scale;
    const s = scaleOf(ms.datasets[level].coordinateTransformations);
    const g = scaleOf(ms.coordinateTransformations);
    if (s && s.length === ndim) {
      [dx, dy, dz].forEach((d, i) => {
        if (d < 0) return;
        const unit = omeAxes?.[d]?.unit?.toLowerCase();
        const factor = unit === undefined ? 1 : UNIT_TO_UM[unit];
        const value = s[d] * (g && g.length === ndim ? g[d] : 1) * (factor ?? 1);
        if (value > 0 && factor !== undefined) voxelSize[i] = value;
      });
    }
  }

  const chunks = arr.chunks;
  const keyOf = chunkKeyEncoder(arrayMeta, v3);
  const sharded = v3 && JSON.stringify(arrayMeta.codecs ?? []).includes('sharding_indexed');
  const dtype = ELEMENT_TO_DTYPE[element];
  const where = (c: number[]) => (sharded ? `${arrayDir} (the shard holding chunk ${c.join(',')})` : join(arrayDir, keyOf(c)));
  const sourceArr = arr;

  return {
    format: 'zarr', shape, dtype, voxelSize, files: metaFiles,
    async readBox(box, vs, shared) {
      const v = emptyVolume(dtype, boxShape(box), { voxelSize: vs, shared, origin: [box.x[0], box.y[0], box.z[0]] });
      const ranges: Array<[number, number]> = [];
      const axisRange = (d: number): [number, number] => {
        if (d === dx) return box.x;
        if (d === dy) return box.y;
        if (d === dz) return box.z;
        const i = fixed.get(d)!;
        return [i, i + 1];
      };
      for (let d = 0; d < ndim; d++) ranges.push(axisRange(d));
      if (dz < 0 && box.z[0] !== 0) throw new Error(`${arrayDir}: 2D array has only z=0`);
      // every chunk overlapping the box
      const coords: number[][] = [[]];
      for (let d = 0; d < ndim; d++) {
        const [a, b] = ranges[d];
        const next: number[][] = [];
        for (const c of coords) for (let k = Math.floor(a / chunks[d]); k * chunks[d] < b; k++) next.push([...c, k]);
        coords.splice(0, coords.length, ...next);
      }
      const work = coords.slice();
      const readOne = async (c: number[]) => {
        let chunk: { data: ArrayLike<number>; shape: number[]; stride: number[] };
        try {
          chunk = (await sourceArr.getChunk(c)) as unknown as typeof chunk;
        } catch (e) {
          throw new Error(`${where(c)}: cannot read Zarr chunk (${(e as Error).message}); the chunk file is truncated or corrupt`);
        }
        const expected = chunk.shape.reduce((p, q) => p * q, 1);
        if (chunk.data.length !== expected) {
          throw new Error(`${where(c)}: Zarr chunk decodes to ${chunk.data.length} values, expected ${expected} (${chunk.shape.join('x')}); the chunk file is truncated or corrupt`);
        }
        copyChunk(chunk, c, chunks, ranges, [dx, dy, dz], box, v.data);
      };
      // a few chunks at a time: bounded memory for wide slabs
      const workers = Array.from({ length: Math.min(8, work.length) }, async () => {
        for (let c = work.shift(); c; c = work.shift()) await readOne(c);
      });
      await Promise.all(workers);
      return v;
    },
  };
}

/** Copy the part of a decoded chunk inside `ranges` into the x-fastest destination box. */
function copyChunk(chunk: { data: ArrayLike<number>; stride: number[] }, c: number[], chunks: number[], ranges: Array<[number, number]>,
  [dx, dy, dz]: number[], box: Box, dest: TypedArray): void {
  const ndim = c.length;
  // the chunk's offset for the fixed (non-spatial) axes
  let base = 0;
  const lo: number[] = [], hi: number[] = [];
  for (let d = 0; d < ndim; d++) {
    const start = c[d] * chunks[d];
    lo[d] = Math.max(ranges[d][0], start);
    hi[d] = Math.min(ranges[d][1], start + chunks[d]);
    if (d !== dx && d !== dy && d !== dz) base += (lo[d] - start) * chunk.stride[d];
  }
  const sx = chunk.stride[dx], sy = chunk.stride[dy], sz = dz >= 0 ? chunk.stride[dz] : 0;
  const cx0 = c[dx] * chunks[dx], cy0 = c[dy] * chunks[dy], cz0 = dz >= 0 ? c[dz] * chunks[dz] : 0;
  const [zl, zh] = dz >= 0 ? [lo[dz], hi[dz]] : [0, 1];
  const nx = box.x[1] - box.x[0], ny = box.y[1] - box.y[0];
  const src = chunk.data;
  const contiguous = sx === 1 && ArrayBuffer.isView(src) && (src as TypedArray).BYTES_PER_ELEMENT === dest.BYTES_PER_ELEMENT
    && (src as TypedArray).constructor === dest.constructor;
  const w = hi[dx] - lo[dx];
  for (let z = zl; z < zh; z++) {
    for (let y = lo[dy]; y < hi[dy]; y++) {
      const s = base + (z - cz0) * sz + (y - cy0) * sy + (lo[dx] - cx0) * sx;
      const o = (lo[dx] - box.x[0]) + nx * ((y - box.y[0]) + ny * (z - box.z[0]));
      if (contiguous) dest.set((src as TypedArray).subarray(s, s + w), o);
      else for (let i = 0; i < w; i++) dest[o + i] = src[s + i * sx];
    }
  }
}

const DTYPE_TO_ZARR: Record<DType, string> = { uint8: '|u1', uint16: '<u2', int32: '<i4', float32: '<f4', float64: '<f8' };
const CTORS = { uint8: Uint8Array, uint16: Uint16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array };

export interface ZarrWriterOptions {
  /** Chunk size [x, y, z] (default 256 x 256 x up to 32 planes, fewer for wide planes). */
  chunks?: [number, number, number];
  /** Chunk encoding: raw (default) or gzip (numcodecs 'gzip', written with node:zlib). */
  encoding?: 'raw' | 'gzip';
  /** Resolution levels to write (default 1): level k is level k-1 averaged over 2 x 2 x 2 blocks (ceil sizes). */
  levels?: number;
}

/** OME-Zarr 0.4 metadata (.zattrs of the root group): level k is array 'k' with voxel size × 2^k. */
export function omeZarrAttrs(name: string, voxelSize: [number, number, number], levels = 1): Record<string, unknown> {
  return {
    multiscales: [{
      version: '0.4',
      name,
      axes: [
        { name: 'z', type: 'space', unit: 'micrometer' },
        { name: 'y', type: 'space', unit: 'micrometer' },
        { name: 'x', type: 'space', unit: 'micrometer' },
      ],
      datasets: Array.from({ length: levels }, (_, k) => ({
        path: String(k),
        coordinateTransformations: [{ type: 'scale', scale: [voxelSize[2] * 2 ** k, voxelSize[1] * 2 ** k, voxelSize[0] * 2 ** k] }],
      })),
      type: levels > 1 ? 'mean' : 'none',
      metadata: { writer: 'ClearMap.ts', ...(levels > 1 ? { method: '2x2x2 block mean, sizes rounded up' } : {}) },
    }],
  };
}

/** One resolution level: buffers planes until a z-row of chunks is complete, then writes those chunks. */
class LevelSink {
  private row: TypedArray;
  private rowPlanes = 0;
  written = 0;
  /** Level k+1: the previous plane of this level waiting for its z partner. */
  private pending: TypedArray | undefined;
  next: LevelSink | undefined;

  constructor(readonly dir: string, readonly shape: [number, number, number], readonly chunks: [number, number, number],
    readonly dtype: DType, readonly encoding: 'raw' | 'gzip') {
    this.row = new CTORS[dtype](shape[0] * shape[1] * Math.min(chunks[2], shape[2]));
    mkdirSync(dir, { recursive: true });
  }

  push(plane: TypedArray): void {
    const [X, Y, Z] = this.shape;
    this.row.set(plane as never, this.rowPlanes * X * Y);
    this.rowPlanes++;
    this.written++;
    if (this.rowPlanes === this.chunks[2] || this.written === Z) this.flushRow();
    if (this.next) {
      if (this.pending) { this.next.push(this.downsample(this.pending, plane)); this.pending = undefined; }
      else if (this.written === Z) this.next.push(this.downsample(plane, undefined));
      else this.pending = plane.slice() as TypedArray;
    }
  }

  /** Mean over 2 x 2 (x 2) blocks of one or two planes; integers are rounded. */
  private downsample(a: TypedArray, b: TypedArray | undefined): TypedArray {
    const [X, Y] = this.shape;
    const [nx, ny] = this.next!.shape;
    const out = new CTORS[this.dtype](nx * ny);
    const round = this.dtype !== 'float32' && this.dtype !== 'float64';
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        let sum = 0, n = 0;
        for (let j = 2 * y; j < Math.min(2 * y + 2, Y); j++) {
          for (let i = 2 * x; i < Math.min(2 * x + 2, X); i++) {
            sum += a[i + X * j]; n++;
            if (b) { sum += b[i + X * j]; n++; }
          }
        }
        out[x + nx * y] = round ? Math.round(sum / n) : sum / n;
      }
    }
    return out;
  }

  private flushRow(): void {
    const [X, Y] = this.shape;
    const [cx, cy, cz] = this.chunks;
    const iz = Math.floor((this.written - this.rowPlanes) / cz);
    const chunk = new CTORS[this.dtype](cx * cy * cz);
    const bytes = new Uint8Array(chunk.buffer);
    for (let iy = 0; iy * cy < Y; iy++) {
      for (let ix = 0; ix * cx < X; ix++) {
        chunk.fill(0); // edge chunks are padded with the fill value
        const w = Math.min(cx, X - ix * cx), h = Math.min(cy, Y - iy * cy);
        for (let z = 0; z < this.rowPlanes; z++) {
          for (let y = 0; y < h; y++) {
            const s = ix * cx + X * (iy * cy + y + Y * z);
            chunk.set(this.row.subarray(s, s + w) as never, cx * (y + cy * z));
          }
        }
        const dir = join(this.dir, String(iz), String(iy));
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, String(ix)), this.encoding === 'gzip' ? gzipSync(bytes, { level: 6 }) : bytes);
      }
    }
    this.rowPlanes = 0;
  }

  metadata(): string {
    const [X, Y, Z] = this.shape;
    const [cx, cy, cz] = this.chunks;
    return JSON.stringify({
      zarr_format: 2, shape: [Z, Y, X], chunks: [cz, cy, cx], dtype: DTYPE_TO_ZARR[this.dtype],
      compressor: this.encoding === 'gzip' ? { id: 'gzip', level: 6 } : null,
      fill_value: 0, order: 'C', filters: null, dimension_separator: '/',
    }, null, 2) + '\n';
  }
}

/**
 * Streams slabs into an OME-Zarr 0.4 (Zarr v2) directory: planes are buffered until a z-row of chunks
 * is complete, then each chunk is written (and averaged into the next level, if any); metadata last;
 * the temp directory `<dest>.tmp-<owner>` is renamed onto `dest` on commit.
 */
export function createZarrWriter(dest: string, spec: WriterSpec, opts: ZarrWriterOptions = {}): VolumeWriter {
  if (!/\.zarr\/?$/i.test(dest)) throw new Error(`${dest}: an OME-Zarr destination must end in .zarr (or .ome.zarr)`);
  dest = dest.replace(/\/+$/, '');
  const [X, Y, Z] = spec.shape;
  const planeBytes = X * Y * bytesPerVoxel(spec.dtype);
  const chunks = opts.chunks ?? [Math.min(X, 256), Math.min(Y, 256), Math.max(1, Math.min(Z, 32, Math.floor((64 << 20) / planeBytes)))];
  if (chunks.length !== 3 || chunks.some((c) => !(Number.isInteger(c) && c > 0))) throw new Error(`${dest}: chunk sizes must be 3 positive integers [x, y, z], got [${chunks.join(', ')}]`);
  const levels = opts.levels ?? 1;
  if (!(Number.isInteger(levels) && levels >= 1 && levels <= 16)) throw new Error(`${dest}: levels must be an integer from 1 to 16, got ${levels}`);
  const encoding = opts.encoding ?? 'raw';
  const temp = `${dest}.tmp-${ownerTag()}`;
  rmSync(temp, { recursive: true, force: true });
  const sinks: LevelSink[] = [];
  let shape: [number, number, number] = [X, Y, Z];
  for (let k = 0; k < levels; k++) {
    const c = chunks.map((n, i) => Math.min(n, shape[i])) as [number, number, number];
    sinks.push(new LevelSink(join(temp, String(k)), shape, k === 0 ? chunks as [number, number, number] : c, spec.dtype, encoding));
    if (k > 0) sinks[k - 1].next = sinks[k];
    shape = shape.map((n) => Math.ceil(n / 2)) as [number, number, number];
  }
  let written = 0, failed = false;
  const fail = () => { failed = true; rmSync(temp, { recursive: true, force: true }); };

  return {
    async writeSlab(v) {
      if (failed) throw new Error(`${dest}: writer already failed or was aborted`);
      try {
        checkSlab(v, spec, written, dest);
        const plane = X * Y;
        for (let z = 0; z < v.shape[2]; z++) sinks[0].push(v.data.subarray(z * plane, (z + 1) * plane) as TypedArray);
        written += v.shape[2];
      } catch (e) { fail(); throw e; }
    },
    async commit() {
      if (failed) throw new Error(`${dest}: writer already failed or was aborted`);
      if (written !== Z) { fail(); throw new Error(`${dest}: only ${written} of ${Z} planes were written; nothing was saved`); }
      const old = `${dest}.old-${process.pid}`;
      try {
        for (const s of sinks) {
          if (s.written !== s.shape[2]) throw new Error(`${dest}: internal error: level ${s.dir} got ${s.written} of ${s.shape[2]} planes`);
          writeFileSync(join(s.dir, '.zarray'), s.metadata());
          writeFileSync(join(s.dir, '.zattrs'), JSON.stringify({ _ARRAY_DIMENSIONS: ['z', 'y', 'x'] }, null, 2) + '\n');
        }
        writeFileSync(join(temp, '.zgroup'), JSON.stringify({ zarr_format: 2 }, null, 2) + '\n');
        const name = dest.split('/').pop()!.replace(/(\.ome)?\.zarr$/i, '');
        writeFileSync(join(temp, '.zattrs'), JSON.stringify(omeZarrAttrs(name, spec.voxelSize ?? [1, 1, 1], levels), null, 2) + '\n');
        // a directory cannot be renamed over a non-empty one: move the old result aside first
        rmSync(old, { recursive: true, force: true });
        if (existsSync(dest)) renameSync(dest, old);
        renameSync(temp, dest);
        rmSync(old, { recursive: true, force: true });
      } catch (e) {
        if (!existsSync(dest) && existsSync(old)) renameSync(old, dest);
        fail();
        throw e;
      }
      return [dest];
    },
    async abort() { if (!failed) fail(); },
  };
}
