// Shared helpers for the IO tests: temp dirs, Debian's python3 (numpy, tifffile), raw comparisons.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allocate, makeVolume, type DType, type Shape3, type Volume } from '../../../engine/data/volume.js';
import { CELLFINDER_PLANES } from '../../shared-data.js';

export const PYTHON = '/usr/bin/python3';
/** Repo root (tests run from dist/test/io). */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const TOOL = join(REPO, 'tools', 'io', 'tifffile_tool.py');
export const REAL_CH0 = join(CELLFINDER_PLANES, 'ch0');

export function tempDir(tag: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `clearmap-io-${tag}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function python(args: string[], input?: string): string {
  return execFileSync(PYTHON, args, { encoding: 'utf8', input, maxBuffer: 64 << 20 });
}

const CTORS: Record<string, { new (b: ArrayBuffer): ArrayLike<number> }> = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array,
};

/** Values of a little-endian raw dump of numpy dtype `dtype`. */
export function readRaw(path: string, dtype: string): ArrayLike<number> {
  const b = readFileSync(path);
  const ab = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  return new CTORS[dtype](ab);
}

/** Index of the first differing value, or -1. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return i;
  return -1;
}

/** The box [x0,x1)x[y0,y1)x[z0,z1) of a full volume's data, x fastest. */
export function cropValues(v: Volume, x: [number, number], y: [number, number], z: [number, number]): number[] {
  const out: number[] = [];
  const [X, Y] = v.shape;
  for (let k = z[0]; k < z[1]; k++) for (let j = y[0]; j < y[1]; j++) for (let i = x[0]; i < x[1]; i++) out.push(v.data[i + X * (j + Y * k)]);
  return out;
}

/** Deterministic test volume covering negative and fractional values where the dtype allows. */
export function testVolume(dtype: DType, shape: Shape3, voxelSize: [number, number, number] = [2, 2, 5]): Volume {
  const n = shape[0] * shape[1] * shape[2];
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) {
    const v = ((i * 2654435761) >>> 0) % 65521;
    data[i] = dtype === 'uint8' ? v & 255 : dtype === 'uint16' ? v : dtype === 'int32' ? (v - 30000) * 7919 : (v - 30000) / 7;
  }
  return makeVolume(data, shape, { voxelSize });
}

