// NRRD (teem) volumes: attached or detached data, raw or gzip encoding, spacings kept.
// gzip data cannot be read by region, so it is inflated once per process and kept by the source.
import { closeSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { gunzipSync, createGzip } from 'node:zlib';
import { type DType, type TypedArray } from '../../../../engine/data/volume.js';
import { slabVolume } from '../../../../engine/data/slab-pool.js';
import { AtomicFile } from '../../../../engine/data/atomic.js';
import { ELEMENT_TO_DTYPE, elementBytes, swapBytes, viewElements, type ElementType } from '../element-types.js';
import type { VolumeWriter, WriterSpec } from '../writer.js';
import { ContiguousReads, readRows } from '../raw-region.js';
import { boxShape, type Box } from '../region.js';
import { bytesOf, checkSlab } from '../slab-check.js';
import type { VolumeSource } from '../source.js';
import { checkInputFile, maxInflatedBytes } from '../input-file.js';

const TYPE_NAMES: Array<[ElementType, string[]]> = [
  ['int8', ['signed char', 'int8', 'int8_t']],
  ['uint8', ['uchar', 'unsigned char', 'uint8', 'uint8_t']],
  ['int16', ['short', 'short int', 'signed short', 'signed short int', 'int16', 'int16_t']],
  ['uint16', ['ushort', 'unsigned short', 'unsigned short int', 'uint16', 'uint16_t']],
  ['int32', ['int', 'signed int', 'int32', 'int32_t']],
  ['uint32', ['uint', 'unsigned int', 'uint32', 'uint32_t']],
  ['float32', ['float']],
  ['float64', ['double']],
];
const DTYPE_TO_NRRD: Record<DType, string> = { uint8: 'uint8', uint16: 'uint16', int32: 'int32', float32: 'float', float64: 'double' };

function elementOf(type: string, path: string): ElementType {
  const t = type.trim().toLowerCase();
  for (const [el, names] of TYPE_NAMES) if (names.includes(t)) return el;
  throw new Error(`${path}: NRRD type '${type}' is not supported; expected 8/16/32-bit integers, float or double`);
}

export async function openNrrd(path: string): Promise<VolumeSource> {
  checkInputFile(path);
  const fd = openSync(path, 'r');
  const prefix = Buffer.alloc(Math.min(statSync(path).size, 64 * 1024));
  let text: string;
  try { text = prefix.subarray(0, readSync(fd, prefix)).toString('latin1'); } finally { closeSync(fd); }
  if (!text.startsWith('NRRD000')) throw new Error(`${path}: not a NRRD file (no NRRD000x magic)`);
  const end = text.search(/\r?\n\r?\n/);
  const detachedHeader = end < 0;
  const headerText = detachedHeader ? text : text.slice(0, end);
  const headerBytes = detachedHeader ? 0 : Buffer.byteLength(text.slice(0, end) + (text.slice(end).startsWith('\r\n\r\n') ? '\r\n\r\n' : '\n\n'), 'latin1');
  const f = new Map<string, string>();
  for (const line of headerText.split(/\r?\n/).slice(1)) {
    if (line.startsWith('#')) continue;
    const m = /^([^:]+):=?\s*(.*)$/.exec(line);
    if (m) f.set(m[1].trim().toLowerCase(), m[2].trim());
  }
  const need = (k: string) => { const v = f.get(k); if (v === undefined) throw new Error(`${path}: NRRD header has no '${k}' field`); return v; };
  const element = elementOf(need('type'), path);
  const dim = Number(need('dimension'));
  const sizes = need('sizes').split(/\s+/).map(Number);
  if (!(dim === 2 || dim === 3) || sizes.length !== dim || sizes.some((s) => !(Number.isSafeInteger(s) && s > 0))) {
    throw new Error(`${path}: dimension=${dim} sizes='${f.get('sizes')}'; expected a 2D or 3D scalar image`);
  }
  const encoding = need('encoding').toLowerCase();
  if (!['raw', 'gzip', 'gz'].includes(encoding)) throw new Error(`${path}: NRRD encoding '${encoding}' is not supported; expected raw or gzip`);
  const littleEndian = (f.get('endian') ?? 'little').toLowerCase() !== 'big';
  const shape: [number, number, number] = [sizes[0], sizes[1], dim === 3 ? sizes[2] : 1];
  const dataFile = f.get('data file') ?? f.get('datafile');
  const dataPath = dataFile ? (isAbsolute(dataFile) ? dataFile : join(dirname(path), dataFile)) : path;
  if (!dataFile && detachedHeader) throw new Error(`${path}: NRRD header is not followed by a blank line and names no data file`);
  const skip = Number(f.get('byte skip') ?? 0);
  if (!(Number.isSafeInteger(skip) && skip >= 0)) throw new Error(`${path}: 'byte skip: ${f.get('byte skip')}' is not supported`);
  const dataOffset = (dataFile ? 0 : headerBytes) + skip;
  const bpe = elementBytes(element);
  const dataBytes = shape[0] * shape[1] * shape[2] * bpe;
  const voxelSize = spacingsOf(f, dim);
  // the sizes must agree with the data at open (not in the next node), and bound every allocation
  if (dataFile) checkInputFile(dataPath, 'NRRD data file');
  const fileBytes = statSync(dataPath).size - dataOffset;
  if (encoding === 'raw' && dataBytes > fileBytes) {
    throw new Error(`${dataPath}: file is truncated or the header's sizes are wrong: sizes ${sizes.join(' ')} of ${need('type')} need ${dataBytes} data bytes from offset ${dataOffset}, the file has ${Math.max(0, fileBytes)}`);
  }
  if (encoding !== 'raw' && dataBytes > maxInflatedBytes(Math.max(0, fileBytes))) {
    throw new Error(`${dataPath}: the header's sizes ${sizes.join(' ')} need ${dataBytes} bytes, more than ${Math.max(0, fileBytes)} bytes of gzip data can hold`);
  }
  let inflated: Uint8Array | undefined;
  const dtype = ELEMENT_TO_DTYPE[element];
  return {
    format: 'nrrd', shape, dtype, voxelSize,
    files: dataFile ? [path, dataPath] : [path],
    async readBox(box, vs, shared, into) {
      // raw and gzip both write every voxel of the box, so a reused buffer is safe
      const alignWith = encoding === 'raw' ? dataOffset + ((box.z[0] * shape[1] + box.y[0]) * shape[0] + box.x[0]) * bpe : undefined;
      const v = slabVolume(dtype, boxShape(box), { voxelSize: vs, shared, into, alignWith, origin: [box.x[0], box.y[0], box.z[0]] });
      if (encoding === 'raw') {
        const size = statSync(dataPath).size;
        if (dataOffset + dataBytes > size) throw new Error(`${dataPath}: file is truncated: needs ${dataBytes} data bytes from offset ${dataOffset}, the file has ${size}`);
        const rfd = openSync(dataPath, 'r');
        const reads = new ContiguousReads(v.data); // whole planes: one pread for the slab
        try {
          for (let z = box.z[0]; z < box.z[1]; z++) {
            readRows({ fd: rfd, where: `${dataPath} plane ${z}`, offset: dataOffset + z * shape[0] * shape[1] * bpe, width: shape[0], element, littleEndian },
              box.y[0], box.y[1], box.x[0], box.x[1], v.data, (z - box.z[0]) * v.shape[0] * v.shape[1], reads);
          }
          reads.flush();
        } finally { closeSync(rfd); }
        return v;
      }
      if (!inflated) {
        let raw: Uint8Array;
        try { raw = gunzipSync(readFileSync(dataPath).subarray(dataOffset), { maxOutputLength: Math.max(1, dataBytes + 64 * 1024) }); } catch (e) { throw new Error(`${dataPath}: cannot decompress gzip NRRD data (${(e as Error).message})`); }
        if (raw.length < dataBytes) throw new Error(`${dataPath}: gzip data holds ${raw.length} bytes, expected ${dataBytes}`);
        if (!littleEndian) swapBytes(raw, bpe);
        inflated = raw;
      }
      copyBox(viewElements(element, inflated.subarray(0, dataBytes)), shape, box, v.data);
      return v;
    },
  };
}

function spacingsOf(f: Map<string, string>, dim: number): [number | null, number | null, number | null] {
  const out: [number | null, number | null, number | null] = [null, null, null];
  const sp = f.get('spacings');
  if (sp) sp.split(/\s+/).slice(0, dim).forEach((s, i) => { const v = Number(s); if (v > 0) out[i] = v; });
  const dirs = f.get('space directions');
  if (dirs) {
    const vecs = dirs.match(/\([^)]*\)/g) ?? [];
    vecs.slice(0, dim).forEach((vec, i) => {
      const n = Math.hypot(...vec.slice(1, -1).split(',').map(Number));
      if (n > 0) out[i] = n;
    });
  }
  return out;
}

function copyBox(src: ArrayLike<number>, shape: [number, number, number], box: Box, dest: TypedArray): void {
  const nx = box.x[1] - box.x[0];
  let o = 0;
  for (let z = box.z[0]; z < box.z[1]; z++) {
    for (let y = box.y[0]; y < box.y[1]; y++) {
      const s = box.x[0] + shape[0] * (y + shape[1] * z);
      for (let i = 0; i < nx; i++) dest[o++] = src[s + i];
    }
  }
}

export function nrrdHeaderText(spec: WriterSpec, encoding: 'raw' | 'gzip'): string {
  const lines = ['NRRD0004', '# Complete NRRD file format specification at:', '# http://teem.sourceforge.net/nrrd/format.html',
    `type: ${DTYPE_TO_NRRD[spec.dtype]}`, 'dimension: 3', `sizes: ${spec.shape.join(' ')}`];
  if (spec.voxelSize) lines.push(`spacings: ${spec.voxelSize.join(' ')}`);
  lines.push(`encoding: ${encoding}`);
  if (spec.dtype !== 'uint8') lines.push('endian: little');
  return lines.join('\n') + '\n\n';
}

/** Attached-data NRRD, raw (default) or gzip (streamed through node:zlib), written atomically. */
export function createNrrdWriter(path: string, spec: WriterSpec, opts: { encoding?: 'raw' | 'gzip' } = {}): VolumeWriter {
  const encoding = opts.encoding ?? 'raw';
  const file = new AtomicFile(path);
  let pos = 0, written = 0, failed = false;
  const put = (bytes: Uint8Array) => {
    let done = 0;
    while (done < bytes.length) done += writeSync(file.fd, bytes, done, bytes.length - done, pos + done);
    pos += bytes.length;
  };
  // level fixed so the same input gives the same bytes; gzip header mtime is 0 in node:zlib
  const gzip = encoding === 'gzip' ? createGzip({ level: 6 }) : undefined;
  gzip?.on('data', (chunk: Buffer) => { if (!failed) put(chunk); });
  const fail = () => { failed = true; gzip?.destroy(); file.abort(); };
  try { put(Buffer.from(nrrdHeaderText(spec, encoding), 'latin1')); } catch (e) { fail(); throw e; }
  return {
    async writeSlab(v) {
      if (failed) throw new Error(`${path}: writer already failed or was aborted`);
      try {
        checkSlab(v, spec, written, path);
        if (gzip) {
          const bytes = Buffer.from(bytesOf(v.data)); // copy: the caller may reuse its buffer
          await new Promise<void>((res, rej) => gzip.write(bytes, (err) => (err ? rej(err) : res())));
        } else put(bytesOf(v.data));
        written += v.shape[2];
      } catch (e) { fail(); throw e; }
    },
    async commit() {
      if (failed) throw new Error(`${path}: writer already failed or was aborted`);
      if (written !== spec.shape[2]) { fail(); throw new Error(`${path}: only ${written} of ${spec.shape[2]} planes were written; nothing was saved`); }
      try {
        if (gzip) await new Promise<void>((res, rej) => { gzip.on('end', res); gzip.on('error', rej); gzip.end(); });
        file.commit();
      } catch (e) { fail(); throw e; }
      return [path];
    },
    async abort() { if (!failed) fail(); },
  };
}
