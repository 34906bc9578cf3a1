// numpy .npy files (format 1.0 written; 1.0/2.0/3.0 read): 2-D or 1-D arrays of numbers, C or
// Fortran order, little- or big-endian floats and integers. Values come back as Float64 rows.
import { readFileSync } from 'node:fs';
import { checkInputFile } from '../input-file.js';

export interface NpyArray {
  shape: number[];
  /** Row-major (C order) values. */
  data: Float64Array;
}

export type NpyFloat = 'float32' | 'float64';

/** Encode an N x k (or N when k is undefined) array as .npy 1.0 bytes, little-endian float. */
export function encodeNpy(values: ArrayLike<number>, rows: number, cols: number | undefined, dtype: NpyFloat = 'float64'): Buffer {
  const bytes = dtype === 'float32' ? 4 : 8;
  const shape = cols === undefined ? `(${rows},)` : `(${rows}, ${cols})`;
  let dict = `{'descr': '<f${bytes}', 'fortran_order': False, 'shape': ${shape}, }`;
  // numpy pads the header with spaces so the data starts on a 64-byte boundary, ending in '\n'
  const unpadded = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const header = Buffer.alloc(10);
  header.write('\x93NUMPY', 0, 'latin1');
  header[6] = 1; header[7] = 0;
  header.writeUInt16LE(dict.length, 8);
  const n = rows * (cols ?? 1);
  if (values.length !== n) throw new Error(`npy: ${values.length} values for shape ${shape}`);
  const body = Buffer.alloc(n * bytes);
  for (let i = 0; i < n; i++) {
    if (bytes === 4) body.writeFloatLE(values[i], i * 4); else body.writeDoubleLE(values[i], i * 8);
  }
  return Buffer.concat([header, Buffer.from(dict, 'latin1'), body]);
}

const READERS: Record<string, [number, (b: Buffer, o: number) => number, (b: Buffer, o: number) => number]> = {
  f4: [4, (b, o) => b.readFloatLE(o), (b, o) => b.readFloatBE(o)],
  f8: [8, (b, o) => b.readDoubleLE(o), (b, o) => b.readDoubleBE(o)],
  i1: [1, (b, o) => b.readInt8(o), (b, o) => b.readInt8(o)],
  u1: [1, (b, o) => b.readUInt8(o), (b, o) => b.readUInt8(o)],
  i2: [2, (b, o) => b.readInt16LE(o), (b, o) => b.readInt16BE(o)],
  u2: [2, (b, o) => b.readUInt16LE(o), (b, o) => b.readUInt16BE(o)],
  i4: [4, (b, o) => b.readInt32LE(o), (b, o) => b.readInt32BE(o)],
  u4: [4, (b, o) => b.readUInt32LE(o), (b, o) => b.readUInt32BE(o)],
  i8: [8, (b, o) => Number(b.readBigInt64LE(o)), (b, o) => Number(b.readBigInt64BE(o))],
  u8: [8, (b, o) => Number(b.readBigUInt64LE(o)), (b, o) => Number(b.readBigUInt64BE(o))],
};

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
  const fortran = /'fortran_order':\s*True/.test(dict);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(dict)?.[1];
  if (!descr || shapeText === undefined) throw new Error(`${path}: cannot parse .npy header ${JSON.stringify(dict.trim())}`);
  const dims = shapeText.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = dims.find((s) => !/^\d+L?$/.test(s));
  if (bad !== undefined) throw new Error(`${path}: .npy shape (${shapeText}) has '${bad}'; every size must be a non-negative integer`);
  const shape = dims.map((s) => Number.parseInt(s, 10));
  const m = /^([<>|=])([fiu]\d)$/.exec(descr);
  const reader = m && READERS[m[2]];
  if (!m || !reader) throw new Error(`${path}: .npy dtype '${descr}' is not supported; expected a plain float or integer array`);
  if (shape.length < 1 || shape.length > 2) throw new Error(`${path}: .npy array has shape (${shape}); expected (N,) or (N, k)`);
  const [size, le, be] = reader;
  const read = m[1] === '>' ? be : le;
  const n = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLen;
  if (dataStart + n * size > buf.length) throw new Error(`${path}: file is truncated: shape (${shape}) needs ${n * size} data bytes, the file has ${buf.length - dataStart}`);
  const data = new Float64Array(n);
  const [rows, cols] = [shape[0], shape[1] ?? 1];
  for (let i = 0; i < n; i++) {
    // Fortran order stores columns contiguously
    const dest = fortran && shape.length === 2 ? (i % rows) * cols + Math.floor(i / rows) : i;
    data[dest] = read(buf, dataStart + i * size);
  }
  return { shape, data };
}

export function readNpy(path: string): NpyArray {
  checkInputFile(path);
  return decodeNpy(readFileSync(path), path);
}
