// MetaImage (.mhd header + .raw data), the format elastix/transformix read and write.
// Read: ElementType MET_(U)CHAR/(U)SHORT/(U)INT/FLOAT/DOUBLE, ElementSpacing, DimSize, byte order,
// ElementDataFile (a file next to the header, or LOCAL = data follows the header), HeaderSize (-1 =
// data at the end of the file). Write: ClearMap's tag order, little-endian, uncompressed, streamed.
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { slabVolume } from '../../../../engine/data/slab-pool.js';
import { AtomicFile } from '../../../../engine/data/atomic.js';
import { ELEMENT_TO_DTYPE, elementBytes, type ElementType } from '../element-types.js';
import type { VolumeWriter, WriterSpec } from '../writer.js';
import { ContiguousReads, readRows } from '../raw-region.js';
import { boxShape } from '../region.js';
import { bytesOf, checkSlab } from '../slab-check.js';
import type { VolumeSource } from '../source.js';
import { checkInputFile } from '../input-file.js';
import { mhdHeader } from '../../../../engine/data/raw-volume.js';

const MET_TO_ELEMENT: Record<string, ElementType> = {
  MET_UCHAR: 'uint8', MET_CHAR: 'int8', MET_USHORT: 'uint16', MET_SHORT: 'int16',
  MET_UINT: 'uint32', MET_INT: 'int32', MET_FLOAT: 'float32', MET_DOUBLE: 'float64',
};

export interface MhdHeader {
  fields: Map<string, string>;
  /** Byte length of the header text up to and including the ElementDataFile line (for LOCAL data). */
  headerBytes: number;
}

export function parseMhdHeader(text: string, path: string): MhdHeader {
  const fields = new Map<string, string>();
  let offset = 0;
  let headerBytes = -1;
  for (const line of text.split('\n')) {
    offset += Buffer.byteLength(line, 'latin1') + 1;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    fields.set(key, line.slice(eq + 1).trim());
    if (key === 'elementdatafile') { headerBytes = offset; break; } // the data description ends the header
  }
  if (headerBytes < 0) throw new Error(`${path}: not a MetaImage header (no ElementDataFile line)`);
  return { fields, headerBytes };
}

const isTrue = (v: string | undefined) => v !== undefined && /^(true|1)$/i.test(v);

export async function openMhd(path: string): Promise<VolumeSource> {
  // the header is text at the start of the file; LOCAL files continue with binary data, so read a prefix
  checkInputFile(path);
  const fd = openSync(path, 'r');
  const prefix = Buffer.alloc(Math.min(statSync(path).size, 64 * 1024));
  let text: string;
  try { text = prefix.subarray(0, readSync(fd, prefix)).toString('latin1'); } finally { closeSync(fd); }
  const h = parseMhdHeader(text, path);
  const get = (k: string) => h.fields.get(k.toLowerCase());
  const need = (k: string) => {
    const v = get(k);
    if (v === undefined) throw new Error(`${path}: MetaImage header has no ${k}`);
    return v;
  };
  const ndims = Number(need('NDims'));
  const dims = need('DimSize').split(/\s+/).map(Number);
  if (!(ndims === 2 || ndims === 3) || dims.length !== ndims || dims.some((d) => !(Number.isSafeInteger(d) && d > 0))) {
    throw new Error(`${path}: NDims=${ndims} DimSize='${get('DimSize')}'; expected a 2D or 3D image with positive sizes`);
  }
  const met = need('ElementType');
  const element = MET_TO_ELEMENT[met];
  if (!element) throw new Error(`${path}: ElementType ${met} is not supported; expected one of ${Object.keys(MET_TO_ELEMENT).join(', ')}`);
  const channels = Number(get('ElementNumberOfChannels') ?? 1);
  if (channels !== 1) throw new Error(`${path}: ElementNumberOfChannels=${channels}; only single-channel images are supported`);
  if (isTrue(get('CompressedData'))) throw new Error(`${path}: CompressedData=True is not supported; write the image uncompressed`);
  const littleEndian = !isTrue(get('BinaryDataByteOrderMSB') ?? get('ElementByteOrderMSB'));
  const spacingText = get('ElementSpacing') ?? get('ElementSize');
  const spacing = spacingText ? spacingText.split(/\s+/).map(Number) : [];
  const shape: [number, number, number] = [dims[0], dims[1], ndims === 3 ? dims[2] : 1];
  const dataFile = need('ElementDataFile');
  if (/^LIST$/i.test(dataFile) || /%/.test(dataFile)) throw new Error(`${path}: ElementDataFile=${dataFile} (file lists) is not supported`);
  const local = /^LOCAL$/i.test(dataFile);
  const rawPath = local ? path : isAbsolute(dataFile) ? dataFile : join(dirname(path), dataFile);
  const bpe = elementBytes(element);
  const dataBytes = shape[0] * shape[1] * shape[2] * bpe;
  let size: number;
  try { size = statSync(rawPath).size; } catch { throw new Error(`${path}: data file ${rawPath} (ElementDataFile) does not exist`); }
  if (!local) checkInputFile(rawPath, 'MetaImage data file');
  const headerSize = Number(get('HeaderSize') ?? 0);
  if (!(Number.isSafeInteger(headerSize) && headerSize >= -1)) throw new Error(`${path}: HeaderSize=${get('HeaderSize')}; expected a byte count (or -1)`);
  const dataOffset = headerSize === -1 ? size - dataBytes : (local ? h.headerBytes : 0) + headerSize;
  if (dataOffset < 0 || dataOffset + dataBytes > size) {
    throw new Error(`${rawPath}: file is truncated: ${shape.join('x')} ${met} needs ${dataBytes} bytes from offset ${dataOffset}, the file has ${size}`);
  }
  const voxelSize = [0, 1, 2].map((i) => (spacing[i] > 0 ? spacing[i] : null)) as [number | null, number | null, number | null];
  return {
    format: 'mhd', shape, dtype: ELEMENT_TO_DTYPE[element], voxelSize,
    files: local ? [path] : [path, rawPath],
    async readBox(box, vs, shared, into) {
      // every voxel of the box is written, so a reused buffer is safe
      const alignWith = dataOffset + ((box.z[0] * shape[1] + box.y[0]) * shape[0] + box.x[0]) * bpe;
      const v = slabVolume(ELEMENT_TO_DTYPE[element], boxShape(box), { voxelSize: vs, shared, into, alignWith, origin: [box.x[0], box.y[0], box.z[0]] });
      const [nx, ny] = v.shape;
      const rfd = openSync(rawPath, 'r');
      const reads = new ContiguousReads(v.data); // whole planes: one pread for the slab
      try {
        for (let z = box.z[0]; z < box.z[1]; z++) {
          readRows({ fd: rfd, where: `${rawPath} plane ${z}`, offset: dataOffset + z * shape[0] * shape[1] * bpe, width: shape[0], element, littleEndian },
            box.y[0], box.y[1], box.x[0], box.x[1], v.data, (z - box.z[0]) * nx * ny, reads);
        }
        reads.flush();
      } finally { closeSync(rfd); }
      return v;
    },
  };
}

export function mhdHeaderText(spec: WriterSpec, rawName: string): string {
  return mhdHeader(rawName, spec.shape, spec.dtype, spec.voxelSize ?? [1, 1, 1]);
}

/** Streams slabs into `<name>.raw`, then writes `<name>.mhd`; both renamed into place on commit. */
export function createMhdWriter(headerPath: string, spec: WriterSpec): VolumeWriter {
  if (!/\.mhd$/i.test(headerPath)) throw new Error(`${headerPath}: a MetaImage header must end in .mhd`);
  const rawPath = headerPath.replace(/\.mhd$/i, '.raw');
  const raw = new AtomicFile(rawPath);
  let written = 0, pos = 0, failed = false;
  const fail = () => { failed = true; raw.abort(); };
  return {
    async writeSlab(v) {
      if (failed) throw new Error(`${headerPath}: writer already failed or was aborted`);
      try {
        checkSlab(v, spec, written, headerPath);
        const bytes = bytesOf(v.data);
        let done = 0;
        while (done < bytes.length) done += writeSync(raw.fd, bytes, done, bytes.length - done, pos + done);
        pos += bytes.length;
        written += v.shape[2];
      } catch (e) { fail(); throw e; }
    },
    async commit() {
      if (failed) throw new Error(`${headerPath}: writer already failed or was aborted`);
      if (written !== spec.shape[2]) { fail(); throw new Error(`${headerPath}: only ${written} of ${spec.shape[2]} planes were written; nothing was saved`); }
      const header = new AtomicFile(headerPath);
      try {
        writeSync(header.fd, mhdHeaderText(spec, basename(rawPath)));
        raw.commit();
        header.commit();
      } catch (e) { header.abort(); fail(); throw e; }
      return [headerPath, rawPath];
    },
    async abort() { if (!failed) fail(); },
  };
}
