// Minimal MetaImage (.mhd + .raw) reading and writing for talking to elastix/transformix.
// Images handed to elastix get ElementSpacing 1 and Offset 0, as ClearMap's do, so elastix's physical
// coordinates are voxel coordinates (voxel centre i at coordinate i) and point files need no scaling.
import { readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { DType, Shape3, Volume } from '../../engine/data/volume.js';
import { allocate } from '../../engine/data/volume.js';

const MET_OF: Record<DType, string> = {
  uint8: 'MET_UCHAR', uint16: 'MET_USHORT', int32: 'MET_INT', float32: 'MET_FLOAT', float64: 'MET_DOUBLE',
};

/** MetaImage element types we can read, with the engine dtype that holds them exactly. */
const READ_TYPES: Record<string, { ctor: { new (b: ArrayBuffer, o: number, n: number): ArrayLike<number>; BYTES_PER_ELEMENT: number }; dtype: DType }> = {
  MET_UCHAR: { ctor: Uint8Array, dtype: 'uint8' },
  MET_CHAR: { ctor: Int8Array, dtype: 'int32' },
  MET_USHORT: { ctor: Uint16Array, dtype: 'uint16' },
  MET_SHORT: { ctor: Int16Array, dtype: 'int32' },
  MET_UINT: { ctor: Uint32Array, dtype: 'float64' },
  MET_INT: { ctor: Int32Array, dtype: 'int32' },
  MET_FLOAT: { ctor: Float32Array, dtype: 'float32' },
  MET_DOUBLE: { ctor: Float64Array, dtype: 'float64' },
};

/** Write `v` as `<path>` (.mhd) + a .raw next to it, spacing 1, offset 0. */
export function writeMhdForElastix(path: string, v: Volume): void {
  const raw = path.replace(/\.mhd$/i, '') + '.raw';
  writeFileSync(raw, new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength));
  const header = [
    'ObjectType = Image', 'NDims = 3', 'BinaryData = True', 'BinaryDataByteOrderMSB = False', 'CompressedData = False',
    'TransformMatrix = 1 0 0 0 1 0 0 0 1', 'Offset = 0 0 0', 'CenterOfRotation = 0 0 0',
    'ElementSpacing = 1 1 1', `DimSize = ${v.shape.join(' ')}`, `ElementType = ${MET_OF[v.dtype]}`,
    `ElementDataFile = ${raw.split('/').pop()}`, '',
  ].join('\n');
  writeFileSync(path, header);
}

export interface MhdHeader {
  shape: Shape3;
  elementType: string;
  dtype: DType;
  rawPath: string;
  headerSize: number;
  msb: boolean;
  compressed: boolean;
}

export function readMhdHeader(path: string): MhdHeader {
  if (!existsSync(path)) throw new Error(`${path}: no such MetaImage header`);
  const fields = new Map<string, string>();
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const m = /^\s*([A-Za-z]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) fields.set(m[1], m[2]);
  }
  const dims = (fields.get('DimSize') ?? '').split(/\s+/).map(Number);
  if (fields.get('NDims') !== '3' || dims.length !== 3 || dims.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`${path}: expected a 3-d MetaImage, got NDims=${fields.get('NDims')} DimSize=${fields.get('DimSize')}`);
  }
  const elementType = fields.get('ElementType') ?? '';
  const t = READ_TYPES[elementType];
  if (!t) throw new Error(`${path}: unsupported ElementType '${elementType}' (expected one of ${Object.keys(READ_TYPES).join(', ')})`);
  if ((fields.get('ElementNumberOfChannels') ?? '1') !== '1') throw new Error(`${path}: multi-channel MetaImages are not supported`);
  const dataFile = fields.get('ElementDataFile') ?? '';
  if (!dataFile || dataFile === 'LOCAL' || dataFile.startsWith('LIST')) throw new Error(`${path}: ElementDataFile '${dataFile}' is not supported (need a separate .raw file)`);
  const msbField = (fields.get('BinaryDataByteOrderMSB') ?? fields.get('ElementByteOrderMSB') ?? 'False').toLowerCase();
  return {
    shape: dims as Shape3,
    elementType,
    dtype: t.dtype,
    rawPath: resolve(dirname(path), dataFile),
    headerSize: Number(fields.get('HeaderSize') ?? 0),
    msb: msbField === 'true',
    compressed: (fields.get('CompressedData') ?? 'False').toLowerCase() === 'true',
  };
}

/** Read a whole MetaImage into a volume (types without an engine slot are widened losslessly). */
export function readMhdVolume(path: string): Volume {
  const h = readMhdHeader(path);
  if (h.compressed) throw new Error(`${path}: compressed MetaImages are not supported (set CompressResultImage "false")`);
  if (h.msb) throw new Error(`${path}: big-endian MetaImages are not supported`);
  const t = READ_TYPES[h.elementType];
  const n = h.shape[0] * h.shape[1] * h.shape[2];
  const bytes = n * t.ctor.BYTES_PER_ELEMENT;
  const size = existsSync(h.rawPath) ? statSync(h.rawPath).size : -1;
  if (size < 0) throw new Error(`${path}: data file ${h.rawPath} does not exist`);
  const offset = h.headerSize >= 0 ? h.headerSize : size - bytes;
  if (size < offset + bytes) throw new Error(`${h.rawPath}: ${size} bytes, expected ${offset + bytes} for [${h.shape}] ${h.elementType}`);
  const buf = readFileSync(h.rawPath);
  const copy = new Uint8Array(bytes);
  copy.set(buf.subarray(offset, offset + bytes));
  const src = new t.ctor(copy.buffer, 0, n);
  const data = allocate(t.dtype, n);
  if (data instanceof (t.ctor as unknown as typeof Uint8Array)) return { data: src as unknown as typeof data, shape: h.shape, dtype: t.dtype, voxelSize: [1, 1, 1], origin: [0, 0, 0] };
  for (let i = 0; i < n; i++) data[i] = src[i];
  return { data, shape: h.shape, dtype: t.dtype, voxelSize: [1, 1, 1], origin: [0, 0, 0] };
}

export function mhdPathIn(dir: string, name: string): string {
  return join(dir, `${name}.mhd`);
}
