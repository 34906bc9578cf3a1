// Imaris .ims (HDF5) volumes, read only, through h5wasm: one resolution level / timepoint / channel
// (`DataSet/ResolutionLevel L/TimePoint T/Channel C/Data`, stored (z, y, x), possibly padded beyond the
// true size that the ImageSizeX/Y/Z attributes give). Regions are hyperslab reads, so only the HDF5
// chunks that overlap a region are read and inflated. Opened files stay open, cached per process.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { Dataset, File as H5File, Group } from 'h5wasm';
import { emptyVolume, type TypedArray } from '../../../../engine/data/volume.js';
import { ELEMENT_TO_DTYPE, type ElementType } from '../element-types.js';
import { boxShape } from '../region.js';
import type { MaybeVoxelSize, VolumeSource } from '../source.js';

export interface ImsSelection { level?: number; timepoint?: number; channel?: number }

type H5 = typeof import('h5wasm/node').default;
let h5: Promise<H5> | undefined;
async function loadH5(): Promise<H5> {
  h5 ??= import('h5wasm/node').then(async (m) => { await m.default.ready; return m.default; });
  return h5;
}

// open HDF5 files, one per path, re-opened when the file's size or mtime changes
const files = new Map<string, { file: H5File; stamp: string }>();

const HDF5_MAGIC = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

function checkHdf5(path: string): string {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch { throw new Error(`${path}: no such file`); }
  try {
    const st = statSync(path);
    // the superblock sits at 0 or after a user block of 512, 1024, 2048, ... bytes
    const head = Buffer.alloc(8);
    for (let off = 0; off + 8 <= st.size && off <= 1 << 20; off = off === 0 ? 512 : off * 2) {
      if (readSync(fd, head, 0, 8, off) === 8 && head.equals(HDF5_MAGIC)) return `${st.size}:${st.mtimeMs}`;
    }
    throw new Error(`${path}: not an HDF5/Imaris file (no HDF5 signature)`);
  } finally { closeSync(fd); }
}

async function openH5(path: string): Promise<H5File> {
  const stamp = checkHdf5(path);
  const hit = files.get(path);
  if (hit && hit.stamp === stamp) return hit.file;
  if (hit) { try { hit.file.close(); } catch { /* already closed */ } files.delete(path); }
  const lib = await loadH5();
  let file: H5File;
  try { file = new lib.File(path, 'r'); } catch (e) { throw new Error(`${path}: cannot open as HDF5 (${(e as Error).message})`); }
  files.set(path, { file, stamp });
  return file;
}

/** Close every cached HDF5 file (tests; before rewriting an .ims in place). */
export function closeImsFiles(): void {
  for (const { file } of files.values()) { try { file.close(); } catch { /* ignore */ } }
  files.clear();
}

/** An Imaris attribute as text: they are stored as arrays of single characters (|S1), sometimes as strings or numbers. */
function attrText(g: Group | Dataset, name: string): string | undefined {
  const a = g.attrs[name];
  if (!a) return undefined;
  const v = a.value as unknown;
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.map((c) => (c instanceof Uint8Array ? Buffer.from(c).toString('latin1') : String(c))).join('');
  if (v instanceof Uint8Array) return Buffer.from(v).toString('latin1');
  if (ArrayBuffer.isView(v)) return String((v as unknown as ArrayLike<number>)[0]);
  return undefined;
}

function attrNumber(g: Group | Dataset, name: string): number | undefined {
  const t = attrText(g, name)?.replace(/\0/g, '').trim();
  if (t === undefined || t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

function indexedChildren(g: Group, prefix: string): number[] {
  const re = new RegExp(`^${prefix} (\\d+)$`);
  return g.keys().map((k) => re.exec(k)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
}

function elementOf(ds: Dataset, where: string): ElementType {
  const m = ds.metadata;
  const key = `${m.type}:${m.size}:${m.signed ? 's' : 'u'}`;
  const map: Record<string, ElementType> = {
    '0:1:u': 'uint8', '0:1:s': 'int8', '0:2:u': 'uint16', '0:2:s': 'int16', '0:4:u': 'uint32', '0:4:s': 'int32',
    '1:4:s': 'float32', '1:8:s': 'float64', '1:4:u': 'float32', '1:8:u': 'float64',
  };
  const el = map[key];
  if (!el) throw new Error(`${where}: HDF5 data type ${ds.dtype} (class ${m.type}, ${m.size} bytes) is not supported; expected 8/16/32-bit integers or floats`);
  return el;
}

export async function openIms(path: string, sel: ImsSelection = {}): Promise<VolumeSource> {
  const file = await openH5(path);
  const level = sel.level ?? 0, timepoint = sel.timepoint ?? 0, channel = sel.channel ?? 0;
  const root = file.get('DataSet');
  if (!root || typeof (root as Group).keys !== 'function') {
    throw new Error(`${path}: not an Imaris file (no 'DataSet' group)`);
  }
  const ds0 = root as Group;
  const pick = (g: Group, prefix: string, i: number, what: string, where: string): Group => {
    const have = indexedChildren(g, prefix);
    const child = have.includes(i) ? g.get(`${prefix} ${i}`) : null;
    if (!child || typeof (child as Group).keys !== 'function') {
      throw new Error(`${path}: Imaris file has no ${what} ${i}${where}; ${what}s present: ${have.length ? have.join(', ') : 'none'}`);
    }
    return child as Group;
  };
  const lg = pick(ds0, 'ResolutionLevel', level, 'resolution level', '');
  const tg = pick(lg, 'TimePoint', timepoint, 'timepoint', ` at resolution level ${level}`);
  const cg = pick(tg, 'Channel', channel, 'channel', ` at resolution level ${level}, timepoint ${timepoint}`);
  const where = `${path}: DataSet/ResolutionLevel ${level}/TimePoint ${timepoint}/Channel ${channel}/Data`;
  const data = cg.get('Data');
  if (!data || typeof (data as Dataset).slice !== 'function') throw new Error(`${where} does not exist or is not a dataset`);
  const ds = data as Dataset;
  const stored = ds.shape ?? [];
  if (stored.length !== 3) throw new Error(`${where}: expected a 3D (z, y, x) dataset, found shape [${stored.join(', ')}]`);
  const element = elementOf(ds, where);

  // true size: the channel's ImageSize attributes (per level), else DataSetInfo/Image (level 0), else the dataset shape
  const info = file.get('DataSetInfo/Image') as Group | null;
  const infoOk = info && typeof info.keys === 'function';
  const sizeOf = (axis: 'X' | 'Y' | 'Z', storedSize: number): number => {
    const n = attrNumber(cg, `ImageSize${axis}`) ?? (level === 0 && infoOk ? attrNumber(info, `ImageSize${axis}`) : undefined) ?? storedSize;
    if (!(Number.isInteger(n) && n > 0 && n <= storedSize)) {
      throw new Error(`${where}: ImageSize${axis}=${n} does not fit the stored dataset (size ${storedSize} along ${axis.toLowerCase()})`);
    }
    return n;
  };
  const shape: [number, number, number] = [sizeOf('X', stored[2]), sizeOf('Y', stored[1]), sizeOf('Z', stored[0])];
  const voxelSize: MaybeVoxelSize = [null, null, null];
  if (infoOk) {
    ([0, 1, 2] as const).forEach((i) => {
      const lo = attrNumber(info, `ExtMin${i}`), hi = attrNumber(info, `ExtMax${i}`);
      if (lo !== undefined && hi !== undefined && hi !== lo) voxelSize[i] = Math.abs(hi - lo) / shape[i];
    });
  }
  const dtype = ELEMENT_TO_DTYPE[element];
  return {
    format: 'ims', shape, dtype, voxelSize, files: [path],
    async readBox(box, vs, shared) {
      const v = emptyVolume(dtype, boxShape(box), { voxelSize: vs, shared, origin: [box.x[0], box.y[0], box.z[0]] });
      let values: ArrayLike<number> | null;
      try {
        values = ds.slice([[box.z[0], box.z[1]], [box.y[0], box.y[1]], [box.x[0], box.x[1]]]) as ArrayLike<number> | null;
      } catch (e) {
        throw new Error(`${where}: cannot read z=[${box.z}) y=[${box.y}) x=[${box.x}) (${(e as Error).message})`);
      }
      if (!values || values.length !== v.data.length) {
        throw new Error(`${where}: reading z=[${box.z}) y=[${box.y}) x=[${box.x}) gave ${values?.length ?? 0} values, expected ${v.data.length}`);
      }
      if (ELEMENT_TO_DTYPE[element] === element) v.data.set(values as TypedArray);
      else for (let i = 0; i < values.length; i++) v.data[i] = values[i];
      return v;
    },
  };
}
