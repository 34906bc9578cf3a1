// The one NumPy .npy codec (format 1.0 written; 1.0/2.0/3.0 read), for points files, exchanges with
// external tools (ilastik, reference scripts) and plugins (public API). Arrays of any rank; values in
// file order (C or Fortran, as `fortranOrder` says); little- and big-endian integers and floats.
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { writeFileAtomic } from './atomic.js';

/** Typed arrays the codec writes (their numpy dtype follows from the array type). */
export type NpyData = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

export interface NpyArray {
  /** numpy shape, e.g. [Z, Y, X] for a C-order slab or [X, Y, Z] for a Fortran-order volume */
  shape: number[];
  fortranOrder: boolean;
  /** numpy descr as in the file, e.g. '<f8', '|u1', '>i4' */
  descr: string;
  /** Values in file order: a view of the file's bytes when aligned little-endian on a little-endian machine; 8-byte integers come as Float64. */
  data: NpyData;
}

type NpyCtor = { new (n: number): NpyData; new (buffer: ArrayBufferLike, byteOffset: number, length: number): NpyData };

const KINDS: Record<string, { size: number; ctor: NpyCtor; get: (v: DataView, o: number, le: boolean) => number }> = {
  u1: { size: 1, ctor: Uint8Array, get: (v, o) => v.getUint8(o) },
  b1: { size: 1, ctor: Uint8Array, get: (v, o) => v.getUint8(o) },
  i1: { size: 1, ctor: Int8Array, get: (v, o) => v.getInt8(o) },
  u2: { size: 2, ctor: Uint16Array, get: (v, o, le) => v.getUint16(o, le) },
  i2: { size: 2, ctor: Int16Array, get: (v, o, le) => v.getInt16(o, le) },
  u4: { size: 4, ctor: Uint32Array, get: (v, o, le) => v.getUint32(o, le) },
  i4: { size: 4, ctor: Int32Array, get: (v, o, le) => v.getInt32(o, le) },
  f4: { size: 4, ctor: Float32Array, get: (v, o, le) => v.getFloat32(o, le) },
  f8: { size: 8, ctor: Float64Array, get: (v, o, le) => v.getFloat64(o, le) },
  i8: { size: 8, ctor: Float64Array, get: (v, o, le) => Number(v.getBigInt64(o, le)) },
  u8: { size: 8, ctor: Float64Array, get: (v, o, le) => Number(v.getBigUint64(o, le)) },
};

function descrOf(data: NpyData): string {
  if (data instanceof Uint8Array) return '|u1';
  if (data instanceof Int8Array) return '|i1';
  if (data instanceof Uint16Array) return '<u2';
  if (data instanceof Int16Array) return '<i2';
  if (data instanceof Uint32Array) return '<u4';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Float32Array) return '<f4';
  return '<f8';
}

/** .npy 1.0 bytes of `data` with numpy shape `shape` (values in C order, or Fortran order when asked). */
export function encodeNpy(data: NpyData, shape: number[], opts: { fortranOrder?: boolean } = {}): Buffer {
  const n = shape.reduce((a, b) => a * b, 1);
  if (data.length !== n) throw new Error(`npy: ${data.length} values for shape (${shape.join(', ')})`);
  const shapeText = `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
  let dict = `{'descr': '${descrOf(data)}', 'fortran_order': ${opts.fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  // numpy pads the header with spaces so the data starts on a 64-byte boundary, ending in '\n'
  dict += ' '.repeat((64 - ((10 + dict.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1; head[7] = 0;
  head.writeUInt16LE(dict.length, 8);
  const body = Buffer.alloc(data.byteLength);
  if (endianness() === 'LE') body.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  else {
    const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const size = data.BYTES_PER_ELEMENT;
    for (let i = 0; i < n; i++) {
      if (data instanceof Float32Array) v.setFloat32(i * 4, data[i], true);
      else if (data instanceof Float64Array) v.setFloat64(i * 8, data[i], true);
      else if (size === 1) v.setUint8(i, data[i] & 0xff);
      else if (size === 2) v.setUint16(i * 2, data[i] & 0xffff, true);
      else v.setUint32(i * 4, data[i] >>> 0, true);
    }
  }
  return Buffer.concat([head, Buffer.from(dict, 'latin1'), body]);
}

/** Parse .npy bytes; `path` names the file in errors. */
export function decodeNpy(buf: Buffer, path: string): NpyArray {
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${path}: not a .npy file (bad magic)`);
  const major = buf[6];
  if (major !== 1 && major !== 2 && major !== 3) throw new Error(`${path}: .npy format version ${major} is not supported (1, 2 or 3)`);
  if (major !== 1 && buf.length < 12) throw new Error(`${path}: file is truncated: no .npy header length`);
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > buf.length) throw new Error(`${path}: file is truncated: the .npy header needs ${headerLen} bytes, the file has ${buf.length - start}`);
  const dict = buf.toString(major === 3 ? 'utf8' : 'latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']*)'/.exec(dict)?.[1];
  const fortranOrder = /'fortran_order':\s*True/.test(dict);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(dict)?.[1];
  if (!descr || shapeText === undefined) throw new Error(`${path}: cannot parse .npy header ${JSON.stringify(dict.trim())}`);
  const dims = shapeText.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = dims.find((s) => !/^\d+L?$/.test(s));
  if (bad !== undefined) throw new Error(`${path}: .npy shape (${shapeText}) has '${bad}'; every size must be a non-negative integer`);
  const shape = dims.map((s) => Number.parseInt(s, 10));
  const m = /^([<>|=])([fiub]\d)$/.exec(descr);
  const kind = m && KINDS[m[2]];
  if (!m || !kind) throw new Error(`${path}: .npy dtype '${descr}' is not supported; expected a plain float or integer array`);
  const n = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLen;
  if (dataStart + n * kind.size > buf.length) throw new Error(`${path}: file is truncated: shape (${shape}) needs ${n * kind.size} data bytes, the file has ${buf.length - dataStart}`);
  const little = m[1] !== '>';
  const bytes = buf.subarray(dataStart, dataStart + n * kind.size);
  const sameLayout = (little || kind.size === 1) && endianness() === 'LE' && !['i8', 'u8'].includes(m[2]);
  let data: NpyData;
  if (sameLayout && bytes.byteOffset % kind.size === 0) {
    data = new kind.ctor(bytes.buffer, bytes.byteOffset, n);
  } else {
    data = new kind.ctor(n);
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < n; i++) data[i] = kind.get(v, i * kind.size, little);
  }
  return { shape, fortranOrder, descr, data };
}

export function readNpy(path: string): NpyArray {
  return decodeNpy(readFileSync(path), path);
}

/** Write a .npy file atomically. */
export function writeNpy(path: string, data: NpyData, shape: number[], opts: { fortranOrder?: boolean } = {}): void {
  writeFileAtomic(path, encodeNpy(data, shape, opts));
}
