// NumPy .npy files (format 1.0/2.0), the exchange format with ilastik's headless mode: ClearMap itself
// hands ilastik a .npy of the stack transposed to (z, y, x), which is exactly ClearMap.ts's memory
// layout (x fastest), so a slab is written without reordering. Only little-endian, C-order data.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import type { DType, TypedArray } from 'clearmap-ts';

const DESCR: Record<DType, string> = { uint8: '|u1', uint16: '<u2', int32: '<i4', float32: '<f4', float64: '<f8' };

/** Write `data` with numpy shape `shape` (C order; for a slab: [Z, Y, X]). */
export function writeNpy(path: string, data: TypedArray, dtype: DType, shape: number[]): void {
  if (endianness() !== 'LE') throw new Error(`${path}: writing .npy needs a little-endian machine`);
  const dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  // header length so that magic (6) + version (2) + length (2) + header is a multiple of 64, ending in \n
  const unpadded = 10 + dict.length + 1;
  const total = Math.ceil(unpadded / 64) * 64;
  const header = dict + ' '.repeat(total - unpadded) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1; head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, head);
    writeSync(fd, Buffer.from(header, 'latin1'));
    writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } finally {
    closeSync(fd);
  }
}

export interface NpyArray {
  shape: number[];
  /** The values: a view of the file's bytes for aligned little-endian u1/u2/f4/f8, otherwise a float64 copy. */
  data: ArrayLike<number>;
  descr: string;
}

/** Read a .npy file; throws an Error naming the file for anything it cannot read. */
export function readNpy(path: string): NpyArray {
  const buf = readFileSync(path);
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${path}: not a .npy file (bad magic)`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error(`${path}: unreadable .npy header ${JSON.stringify(header.trim())}`);
  if (fortran === 'True') throw new Error(`${path}: Fortran-order arrays are not supported`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const off = start + hlen;
  const bytes = buf.subarray(off);
  const views: Record<string, { ctor: Float32ArrayConstructor | Float64ArrayConstructor | Uint8ArrayConstructor | Uint16ArrayConstructor; size: number }> = {
    '<f4': { ctor: Float32Array, size: 4 }, '<f8': { ctor: Float64Array, size: 8 }, '|u1': { ctor: Uint8Array, size: 1 }, '<u2': { ctor: Uint16Array, size: 2 },
  };
  const view = views[descr];
  if (view && endianness() === 'LE' && bytes.byteOffset % view.size === 0 && bytes.length >= n * view.size) {
    return { shape, data: new view.ctor(bytes.buffer, bytes.byteOffset, n), descr };
  }
  const data = new Float64Array(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sizes: Record<string, number> = { '|u1': 1, '<u1': 1, '|b1': 1, '<u2': 2, '<i2': 2, '<u4': 4, '<i4': 4, '<f4': 4, '<f8': 8 };
  const size = sizes[descr];
  if (!size) throw new Error(`${path}: unsupported dtype '${descr}' (expected one of ${Object.keys(sizes).join(', ')})`);
  if (bytes.length < n * size) throw new Error(`${path}: truncated (${bytes.length} data bytes, expected ${n * size} for shape (${shape.join(', ')}) ${descr})`);
  for (let i = 0; i < n; i++) {
    const p = i * size;
    switch (descr) {
      case '|u1': case '<u1': case '|b1': data[i] = dv.getUint8(p); break;
      case '<u2': data[i] = dv.getUint16(p, true); break;
      case '<i2': data[i] = dv.getInt16(p, true); break;
      case '<u4': data[i] = dv.getUint32(p, true); break;
      case '<i4': data[i] = dv.getInt32(p, true); break;
      case '<f4': data[i] = dv.getFloat32(p, true); break;
      default: data[i] = dv.getFloat64(p, true);
    }
  }
  return { shape, data, descr };
}
