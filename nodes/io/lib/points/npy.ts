// Points as .npy (N x k or N float arrays, ClearMap's cells.npy / *_intensities.npy) on top of the
// engine's .npy codec (engine/data/npy.ts): values come back as float64 rows, whatever the file's
// dtype and order.
import { decodeNpy as decodeNpyFile, encodeNpy as encodeNpyFile } from '../../../../engine/data/npy.js';
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
  const shape = cols === undefined ? [rows] : [rows, cols];
  if (values.length !== rows * (cols ?? 1)) throw new Error(`npy: ${values.length} values for shape (${shape.join(', ')})`);
  return encodeNpyFile(dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values), shape);
}

export function decodeNpy(buf: Buffer, path: string): NpyArray {
  const a = decodeNpyFile(buf, path);
  const shape = a.shape;
  if (shape.length < 1 || shape.length > 2) throw new Error(`${path}: .npy array has shape (${shape}); expected (N,) or (N, k)`);
  const n = a.data.length;
  const data = new Float64Array(n);
  const [rows, cols] = [shape[0], shape[1] ?? 1];
  for (let i = 0; i < n; i++) {
    // Fortran order stores columns contiguously
    const dest = a.fortranOrder && shape.length === 2 ? (i % rows) * cols + Math.floor(i / rows) : i;
    data[dest] = a.data[i];
  }
  return { shape, data };
}

export function readNpy(path: string): NpyArray {
  checkInputFile(path);
  return decodeNpy(readFileSync(path), path);
}
