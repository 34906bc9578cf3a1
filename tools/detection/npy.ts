// Volumes as .npy for tools/detection/reference.py, on the engine's .npy codec: written Fortran-ordered
// with shape (X, Y, Z), which is exactly the [x, y, z] x-fastest layout of Volume.
import { readNpy as readNpyFile, writeNpy as writeNpyFile } from '../../engine/data/npy.js';
import { makeVolume, type TypedArray, type Volume } from '../../engine/data/volume.js';

export function writeNpy(path: string, v: Volume): void {
  writeNpyFile(path, v.data, v.shape, { fortranOrder: true });
}

export function readNpy(path: string): Volume {
  const a = readNpyFile(path);
  const d = a.data;
  if (!(d instanceof Uint8Array || d instanceof Uint16Array || d instanceof Int32Array || d instanceof Float32Array || d instanceof Float64Array) || a.shape.length !== 3) {
    throw new Error(`${path}: unsupported npy (descr ${a.descr}, shape [${a.shape}])`);
  }
  const [X, Y, Z] = a.shape;
  const data: TypedArray = d.slice();
  // C order (x, y, z) stores z fastest: transpose to x fastest
  if (!a.fortranOrder) for (let x = 0; x < X; x++) for (let y = 0; y < Y; y++) for (let z = 0; z < Z; z++) data[x + X * (y + Y * z)] = d[z + Z * (y + Y * x)];
  return makeVolume(data, [X, Y, Z]);
}
