// The cache's own volume format: MHD header + contiguous little-endian RAW, readable by elastix,
// ITK, Fiji and numpy. A z-slab is one contiguous byte range, so reads are a single pread.
import { openSync, readSync, closeSync, writeFileSync, statSync } from 'node:fs';
import type { DType, Range, Shape3, Volume } from './volume.js';
import { bytesPerVoxel } from './volume.js';
import type { Region, SlabReadOptions, VolumeRef } from '../core/artefacts.js';
import { slabVolume } from './slab-pool.js';

const MET_TYPES: Record<DType, string> = {
  uint8: 'MET_UCHAR', uint16: 'MET_USHORT', int32: 'MET_INT', float32: 'MET_FLOAT', float64: 'MET_DOUBLE',
};

export interface RawArgs {
  path: string;
  shape: Shape3;
  dtype: DType;
  /** Bytes before the voxel data. */
  offset?: number;
  [k: string]: unknown;
}

export function mhdHeader(rawFileName: string, shape: Shape3, dtype: DType, voxelSize: [number, number, number]): string {
  return [
    'ObjectType = Image',
    'NDims = 3',
    'BinaryData = True',
    'BinaryDataByteOrderMSB = False',
    'CompressedData = False',
    'TransformMatrix = 1 0 0 0 1 0 0 0 1',
    'Offset = 0 0 0',
    `ElementSpacing = ${voxelSize.join(' ')}`,
    `DimSize = ${shape.join(' ')}`,
    `ElementType = ${MET_TYPES[dtype]}`,
    `ElementDataFile = ${rawFileName}`,
    '',
  ].join('\n');
}

export function writeMhdHeader(mhdPath: string, rawFileName: string, shape: Shape3, dtype: DType, voxelSize: [number, number, number]): void {
  writeFileSync(mhdPath, mhdHeader(rawFileName, shape, dtype, voxelSize));
}

export function rawVolumeRef(rawPath: string, shape: Shape3, dtype: DType, voxelSize: [number, number, number]): VolumeRef {
  return {
    kind: 'volume', shape, dtype, voxelSize,
    reader: { module: import.meta.url, export: 'readRawRegion' },
    args: { path: rawPath, shape, dtype, offset: 0, voxelSize },
    describe: rawPath,
  };
}

function clip(r: Range | undefined, n: number, axis: string, file: string): Range {
  const [a, b] = r ?? [0, n];
  if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b <= n && a <= b)) {
    throw new Error(`${file}: ${axis} range [${a}, ${b}) is outside the volume (size ${n})`);
  }
  return [a, b];
}

/**
 * VolumeRef reader for raw files: whole planes with one pread for the slab, else one pread per row.
 * `opts.into`: fill a reusable slab buffer (every voxel is written).
 */
export async function readRawRegion(argsIn: Record<string, unknown>, region: Region, opts?: SlabReadOptions): Promise<Volume> {
  const args = argsIn as RawArgs;
  const [X, Y, Z] = args.shape;
  const bpv = bytesPerVoxel(args.dtype);
  const x = clip(region.x, X, 'x', args.path), y = clip(region.y, Y, 'y', args.path), z = clip(region.z, Z, 'z', args.path);
  const nx = x[1] - x[0], ny = y[1] - y[0], nz = z[1] - z[0];
  const vs = (argsIn.voxelSize as [number, number, number]) ?? [1, 1, 1];
  const first = (args.offset ?? 0) + ((z[0] * Y + y[0]) * X + x[0]) * bpv; // file position of the first voxel
  const vol = slabVolume(args.dtype, [nx, ny, nz], { voxelSize: vs, origin: [x[0], y[0], z[0]], into: opts?.into, alignWith: first });
  const out = vol.data;
  const outBytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  const fd = openSync(args.path, 'r');
  try {
    const expected = (args.offset ?? 0) + X * Y * Z * bpv;
    const size = statSync(args.path).size;
    if (size < expected) throw new Error(`${args.path}: file is truncated (${size} bytes, expected ${expected} for [${args.shape}] ${args.dtype})`);
    const full = nx === X && ny === Y;
    for (let zz = z[0]; zz < z[1]; zz++) {
      if (full) {
        // whole planes: one read for the entire slab
        const len = nx * ny * nz * bpv;
        readExact(fd, outBytes, 0, len, (args.offset ?? 0) + zz * X * Y * bpv, args.path);
        break;
      }
      for (let yy = y[0]; yy < y[1]; yy++) {
        const src = (args.offset ?? 0) + ((zz * Y + yy) * X + x[0]) * bpv;
        const dst = (((zz - z[0]) * ny + (yy - y[0])) * nx) * bpv;
        readExact(fd, outBytes, dst, nx * bpv, src, args.path);
      }
    }
  } finally {
    closeSync(fd);
  }
  return vol;
}

function readExact(fd: number, buf: Uint8Array, off: number, len: number, pos: number, file: string): void {
  let done = 0;
  while (done < len) {
    const n = readSync(fd, buf, off + done, len - done, pos + done);
    if (n === 0) throw new Error(`${file}: unexpected end of file at byte ${pos + done}`);
    done += n;
  }
}
