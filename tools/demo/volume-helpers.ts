// Volume helpers shared by the demo phantoms (real-anatomy phantom.ts and small-phantom.ts).
import type { Shape3, Volume } from '../../engine/data/volume.js';
import { createVolumeWriter } from '../../nodes/io/lib/formats.js';

export function trilinear(vol: Float32Array, shape: Shape3, x: number, y: number, z: number, outside: number): number {
  const [X, Y, Z] = shape;
  if (x < 0 || y < 0 || z < 0 || x > X - 1 || y > Y - 1 || z > Z - 1) return outside;
  const x0 = Math.min(Math.floor(x), X - 2), y0 = Math.min(Math.floor(y), Y - 2), z0 = Math.min(Math.floor(z), Z - 2);
  const fx = x - x0, fy = y - y0, fz = z - z0;
  const i = x0 + X * (y0 + Y * z0), sy = X, sz = X * Y;
  const c00 = vol[i] * (1 - fx) + vol[i + 1] * fx, c10 = vol[i + sy] * (1 - fx) + vol[i + sy + 1] * fx;
  const c01 = vol[i + sz] * (1 - fx) + vol[i + sz + 1] * fx, c11 = vol[i + sz + sy] * (1 - fx) + vol[i + sz + sy + 1] * fx;
  return (c00 * (1 - fy) + c10 * fy) * (1 - fz) + (c01 * (1 - fy) + c11 * fy) * fz;
}

export function clamp16(v: number): number {
  return Math.max(0, Math.min(65535, Math.round(v)));
}

export function boxBlur3(src: Float32Array, shape: Shape3, passes: number): Float32Array {
  const [X, Y] = shape;
  let a = Float32Array.from(src), b = new Float32Array(src.length);
  const strides = [1, X, X * Y];
  for (let p = 0; p < passes; p++) {
    for (let axis = 0; axis < 3; axis++) {
      const st = strides[axis], n = shape[axis];
      for (let i = 0; i < a.length; i++) {
        const c = Math.floor(i / st) % n;
        const l = c > 0 ? a[i - st] : a[i], r = c < n - 1 ? a[i + st] : a[i];
        b[i] = (l + a[i] + r) / 3;
      }
      [a, b] = [b, a];
    }
  }
  return a;
}

export async function writeStack(path: string, data: Uint16Array, shape: Shape3, voxelUm: number): Promise<void> {
  const w = createVolumeWriter(path, { shape, dtype: 'uint16', voxelSize: [voxelUm, voxelUm, voxelUm] });
  const plane = shape[0] * shape[1];
  try {
    for (let z0 = 0; z0 < shape[2]; z0 += 32) {
      const z1 = Math.min(shape[2], z0 + 32);
      const v: Volume = { data: data.subarray(z0 * plane, z1 * plane), shape: [shape[0], shape[1], z1 - z0], dtype: 'uint16', voxelSize: [voxelUm, voxelUm, voxelUm], origin: [0, 0, z0] };
      await w.writeSlab(v);
    }
    await w.commit();
  } catch (e) {
    await w.abort();
    throw e;
  }
}
