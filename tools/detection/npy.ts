// Minimal .npy (NumPy format 1.0) reading/writing for volumes, to exchange stacks and stage images
// with tools/detection/reference.py. Volumes are written Fortran-ordered with shape (X, Y, Z), which is
// exactly the [x, y, z] x-fastest layout of Volume.
import { readFileSync, writeFileSync } from 'node:fs';
import { makeVolume, type TypedArray, type Volume } from '../../engine/data/volume.js';

const DESCR: Record<string, string> = { uint8: '|u1', uint16: '<u2', int32: '<i4', float32: '<f4', float64: '<f8' };

export function writeNpy(path: string, v: Volume): void {
  const header = `{'descr': '${DESCR[v.dtype]}', 'fortran_order': True, 'shape': (${v.shape.join(', ')}), }`;
  const total = 10 + header.length + 1;
  const padded = header + ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1'); pre[6] = 1; pre[7] = 0; pre.writeUInt16LE(padded.length, 8);
  const data = Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength);
  writeFileSync(path, Buffer.concat([pre, Buffer.from(padded, 'latin1'), data]));
}

export function readNpy(path: string): Volume {
  const buf = readFileSync(path);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const dtype = Object.entries(DESCR).find(([, d]) => d === descr || d.replace('<', '|') === descr)?.[0];
  if (!dtype || shape.length !== 3) throw new Error(`${path}: unsupported npy (descr ${descr}, shape [${shape}])`);
  const bytes = buf.subarray(start + hlen);
  const aligned = new Uint8Array(bytes.length); aligned.set(bytes);
  const Ctor = { uint8: Uint8Array, uint16: Uint16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[dtype as 'uint8'];
  let data = new Ctor(aligned.buffer, 0, shape[0] * shape[1] * shape[2]) as TypedArray;
  if (!fortran) { // C order (x, y, z): z fastest -> transpose to x fastest
    const [X, Y, Z] = shape;
    const t = new Ctor(data.length) as TypedArray;
    for (let x = 0; x < X; x++) for (let y = 0; y < Y; y++) for (let z = 0; z < Z; z++) t[x + X * (y + Y * z)] = data[z + Z * (y + Y * x)];
    data = t;
  }
  return makeVolume(data, shape as [number, number, number]);
}
