// Multi-page TIFF stack writer fed slab by slab in z order: little-endian, uncompressed, one strip per
// page, BigTIFF automatically when the file would exceed 4 GiB, ImageJ description on page 0 (so
// ImageJ/Fiji and tifffile see a z-stack with its voxel size; OME-XML instead for `.ome.tif`). No timestamps: same input -> same bytes.
//
// Layout: header | IFD 0 (+ its values) | plane 0 | plane 1 | ... | plane N-1 | IFD 1 | ... | IFD N-1.
// The planes must be contiguous: ImageJ reads an `images=N` stack from the first strip offset on and
// ignores the other IFDs. Every offset is known up front, so slabs are written in place as they come.
import { renameSync, rmSync, writeSync } from 'node:fs';
import type { DType } from '../../../../engine/data/volume.js';
import { bytesPerVoxel } from '../../../../engine/data/volume.js';
import { AtomicFile } from '../../../../engine/data/atomic.js';
import type { VolumeWriter, WriterSpec } from '../writer.js';
import { bytesOf, checkSlab } from '../slab-check.js';
import { matchingFiles, patternFileName } from './file-pattern.js';
import { composeImageJDescription } from './imagej.js';
import { composeOmeXml, isOmeTiffPath } from './ome.js';

const SHORT = 3, LONG = 4, RATIONAL = 5, ASCII = 2, LONG8 = 16;
const SAMPLE_FORMAT: Record<DType, number> = { uint8: 1, uint16: 1, int32: 2, float32: 3, float64: 3 };
const CLASSIC_LIMIT = 2 ** 32 - 1;

interface Tag { code: number; type: number; values: number[] | Uint8Array }

/** vx µm as a rational p/q with q a power of ten (so 0.65 stays exact); returns [q, p] = pixels per µm. */
function pixelsPerMicron(vx: number): [number, number] {
  for (let k = 0; k <= 6; k++) {
    const q = 10 ** k, p = Math.round(vx * q);
    if (Math.abs(p / q - vx) <= 1e-12 * Math.max(1, vx) && p > 0 && p < 2 ** 32) return [q, p];
  }
  return [1_000_000, Math.max(1, Math.min(2 ** 32 - 1, Math.round(vx * 1_000_000)))];
}

class TiffLayout {
  readonly entrySize: number;
  readonly header: number;
  constructor(readonly big: boolean) {
    this.entrySize = big ? 20 : 12;
    this.header = big ? 16 : 8;
  }
  /** Bytes of value data a tag needs outside its IFD entry (0 when it fits inline). */
  outOfLine(t: Tag): number {
    const n = t.type === RATIONAL ? t.values.length * 4 : t.values.length * typeSize(t.type); // RATIONAL values are flattened [num, den] pairs
    return n <= (this.big ? 8 : 4) ? 0 : n;
  }
  ifdBytes(tags: Tag[]): number {
    return (this.big ? 8 : 2) + tags.length * this.entrySize + (this.big ? 8 : 4);
  }
}

function typeSize(type: number): number {
  return type === SHORT ? 2 : type === LONG ? 4 : type === RATIONAL ? 8 : type === LONG8 ? 8 : 1;
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;

function pageTags(spec: WriterSpec, big: boolean, description: string | undefined, dataOffset: number): Tag[] {
  const [w, h] = spec.shape;
  const planeBytes = w * h * bytesPerVoxel(spec.dtype);
  const tags: Tag[] = [
    { code: 254, type: LONG, values: [0] },
    { code: 256, type: LONG, values: [w] },
    { code: 257, type: LONG, values: [h] },
    { code: 258, type: SHORT, values: [8 * bytesPerVoxel(spec.dtype)] },
    { code: 259, type: SHORT, values: [1] },
    { code: 262, type: SHORT, values: [1] },
  ];
  if (description !== undefined) tags.push({ code: 270, type: ASCII, values: Buffer.from(description + '\0', 'latin1') });
  tags.push(
    { code: 273, type: big ? LONG8 : LONG, values: [dataOffset] },
    { code: 277, type: SHORT, values: [1] },
    { code: 278, type: LONG, values: [h] },
    { code: 279, type: big ? LONG8 : LONG, values: [planeBytes] },
  );
  if (spec.voxelSize) {
    tags.push({ code: 282, type: RATIONAL, values: pixelsPerMicron(spec.voxelSize[0]) });
    tags.push({ code: 283, type: RATIONAL, values: pixelsPerMicron(spec.voxelSize[1]) });
    tags.push({ code: 296, type: SHORT, values: [1] }); // no unit: ImageJ's "unit=micron" gives it
  }
  tags.push({ code: 339, type: SHORT, values: [SAMPLE_FORMAT[spec.dtype]] });
  return tags;
}

/** Size of one page's IFD block (IFD + out-of-line values, padded to 16 bytes). */
function pageSize(spec: WriterSpec, layout: TiffLayout, description: string | undefined): { meta: number } {
  const tags = pageTags(spec, layout.big, description, 0);
  return { meta: align16(layout.ifdBytes(tags) + tags.reduce((s, t) => s + layout.outOfLine(t), 0)) };
}

/** Encode one IFD (at file offset `at`) plus its out-of-line values into a buffer of `meta` bytes. */
function encodeIfd(tags: Tag[], layout: TiffLayout, at: number, next: number, meta: number): Buffer {
  const b = Buffer.alloc(meta);
  let o = 0;
  if (layout.big) { b.writeBigUInt64LE(BigInt(tags.length), 0); o = 8; } else { b.writeUInt16LE(tags.length, 0); o = 2; }
  let extra = layout.ifdBytes(tags);
  const put = (buf: Buffer, pos: number, t: Tag) => {
    if (t.values instanceof Uint8Array) { buf.set(t.values, pos); return; }
    t.values.forEach((v, i) => {
      const p = pos + i * typeSize(t.type);
      if (t.type === SHORT) buf.writeUInt16LE(v, p);
      else if (t.type === LONG) buf.writeUInt32LE(v, p);
      else if (t.type === LONG8) buf.writeBigUInt64LE(BigInt(v), p);
    });
  };
  for (const t of tags) {
    const count = t.type === RATIONAL ? t.values.length / 2 : t.values.length;
    b.writeUInt16LE(t.code, o);
    b.writeUInt16LE(t.type, o + 2);
    if (layout.big) b.writeBigUInt64LE(BigInt(count), o + 4); else b.writeUInt32LE(count, o + 4);
    const valuePos = o + (layout.big ? 12 : 8);
    const target = layout.outOfLine(t) ? extra : valuePos;
    if (layout.outOfLine(t)) {
      if (layout.big) b.writeBigUInt64LE(BigInt(at + extra), valuePos); else b.writeUInt32LE(at + extra, valuePos);
      extra += layout.outOfLine(t);
    }
    if (t.type === RATIONAL) {
      // values hold [numerator, denominator] pairs
      const v = t.values as number[];
      for (let i = 0; i < v.length; i++) b.writeUInt32LE(v[i], target + 4 * i);
    } else put(b, target, t);
    o += layout.entrySize;
  }
  if (layout.big) b.writeBigUInt64LE(BigInt(next), o); else b.writeUInt32LE(next, o);
  return b;
}

export interface TiffWriterOptions {
  /** Force BigTIFF (default: only when the file would exceed 4 GiB). */
  bigTiff?: boolean;
}

export function createTiffStackWriter(dest: string, spec: WriterSpec, opts: TiffWriterOptions = {}): VolumeWriter {
  const [w, h, depth] = spec.shape;
  if (!(depth >= 1 && w >= 1 && h >= 1)) throw new Error(`${dest}: cannot write a TIFF stack of shape [${spec.shape}]`);
  const channels = spec.channels ?? 1;
  if (!(Number.isInteger(channels) && channels >= 1 && depth % channels === 0)) throw new Error(`${dest}: ${depth} planes cannot hold ${channels} interleaved channels`);
  const description = isOmeTiffPath(dest)
    ? composeOmeXml({ sizeX: w, sizeY: h, sizeZ: depth / channels, sizeC: channels, dtype: spec.dtype, voxelSize: spec.voxelSize })
    : composeImageJDescription(depth, spec.voxelSize, channels);
  const planeBytes = w * h * bytesPerVoxel(spec.dtype);
  const layoutFor = (layout: TiffLayout) => {
    const meta0 = pageSize(spec, layout, description).meta, metaRest = pageSize(spec, layout, undefined).meta;
    const dataStart = layout.header + meta0;
    const restStart = align16(dataStart + depth * planeBytes);
    const ifdAt = (z: number) => (z === 0 ? layout.header : restStart + (z - 1) * metaRest);
    const total = depth > 1 ? ifdAt(depth - 1) + metaRest : dataStart + planeBytes;
    return { layout, meta: (z: number) => (z === 0 ? meta0 : metaRest), dataAt: (z: number) => dataStart + z * planeBytes, ifdAt, total };
  };
  let plan = layoutFor(new TiffLayout(opts.bigTiff ?? false));
  if (!plan.layout.big && plan.total > CLASSIC_LIMIT) plan = layoutFor(new TiffLayout(true));
  const layout = plan.layout;

  const file = new AtomicFile(dest);
  let written = 0;
  let failed = false;
  const write = (buf: Uint8Array, pos: number) => {
    let done = 0;
    while (done < buf.length) done += writeSync(file.fd, buf, done, buf.length - done, pos + done);
  };
  try {
    const hdr = Buffer.alloc(layout.header);
    hdr.write('II', 0, 'latin1');
    if (layout.big) { hdr.writeUInt16LE(43, 2); hdr.writeUInt16LE(8, 4); hdr.writeBigUInt64LE(BigInt(layout.header), 8); }
    else { hdr.writeUInt16LE(42, 2); hdr.writeUInt32LE(layout.header, 4); }
    write(hdr, 0);
  } catch (e) { file.abort(); throw e; }

  return {
    async writeSlab(v) {
      if (failed) throw new Error(`${dest}: writer already failed or was aborted`);
      try {
        checkSlab(v, spec, written, dest);
        const nz = v.shape[2];
        // large sequential writes: the slab's planes are contiguous in the file (one write), and so
        // are the IFDs of pages 1.. (one more write); page 0's IFD sits before the data
        if (written === 0) {
          write(encodeIfd(pageTags(spec, layout.big, description, plan.dataAt(0)), layout, plan.ifdAt(0), depth > 1 ? plan.ifdAt(1) : 0, plan.meta(0)), plan.ifdAt(0));
        }
        const z1 = Math.max(written, 1), z2 = written + nz;
        if (z2 > z1) {
          const ifds = Buffer.alloc((z2 - z1) * plan.meta(1));
          for (let z = z1; z < z2; z++) {
            const tags = pageTags(spec, layout.big, undefined, plan.dataAt(z));
            ifds.set(encodeIfd(tags, layout, plan.ifdAt(z), z + 1 < depth ? plan.ifdAt(z + 1) : 0, plan.meta(z)), plan.ifdAt(z) - plan.ifdAt(z1));
          }
          write(ifds, plan.ifdAt(z1));
        }
        write(bytesOf(v.data.subarray(0, nz * w * h)), plan.dataAt(written));
        written += nz;
      } catch (e) {
        failed = true;
        file.abort();
        throw e;
      }
    },
    async commit() {
      if (failed) throw new Error(`${dest}: writer already failed or was aborted`);
      if (written !== depth) {
        failed = true;
        file.abort();
        throw new Error(`${dest}: only ${written} of ${depth} planes were written; nothing was saved`);
      }
      file.commit();
      return [dest];
    },
    async abort() {
      if (!failed) { failed = true; file.abort(); }
    },
  };
}

/** One single-page TIFF per plane, named by a pattern such as `out/Z\d{4}.tif`; all renamed on commit. */
export function createTiffPlanesWriter(pattern: string, spec: WriterSpec): VolumeWriter {
  const depth = spec.shape[2];
  const names = Array.from({ length: depth }, (_, z) => patternFileName(pattern, z));
  const planeSpec: WriterSpec = { ...spec, shape: [spec.shape[0], spec.shape[1], 1], channels: undefined };
  const staged: string[] = [];
  let written = 0;
  let failed = false;
  const abortAll = async () => {
    failed = true;
    for (const s of staged) rmSync(s, { force: true });
  };
  return {
    async writeSlab(v) {
      if (failed) throw new Error(`${pattern}: writer already failed or was aborted`);
      try {
        checkSlab(v, spec, written, pattern);
        const plane = spec.shape[0] * spec.shape[1];
        for (let k = 0; k < v.shape[2]; k++) {
          const z = written + k;
          // stage under a temp name; the real names appear only on commit
          const stagedName = `${names[z]}.staged-${process.pid}`;
          const wr = createTiffStackWriter(stagedName, planeSpec);
          await wr.writeSlab({ ...v, data: v.data.subarray(k * plane, (k + 1) * plane), shape: planeSpec.shape, origin: [0, 0, 0] });
          await wr.commit();
          staged.push(stagedName);
        }
        written += v.shape[2];
      } catch (e) {
        await abortAll();
        throw e;
      }
    },
    async commit() {
      if (failed) throw new Error(`${pattern}: writer already failed or was aborted`);
      if (written !== depth) {
        await abortAll();
        throw new Error(`${pattern}: only ${written} of ${depth} planes were written; nothing was saved`);
      }
      staged.forEach((s, z) => renameSync(s, names[z]));
      // planes left over from an earlier, deeper volume under the same pattern would join this one
      // when the pattern is read back, so they go
      for (const old of matchingFiles(pattern)) if (!names.includes(old)) rmSync(old, { force: true });
      return names;
    },
    abort: abortAll,
  };
}
