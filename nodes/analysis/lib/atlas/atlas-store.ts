// Where atlases live and how one is named. An atlas is a BrainGlobe atlas folder:
//   metadata.json   {name, resolution [µm, numpy axis order], orientation "asr", shape, version, symmetric, ...}
//   annotation.tiff region ids (uint32), hemispheres.tiff (1 = left, 2 = right; absent when symmetric),
//   reference.tiff  the average template (may be absent: the in-box atlas has none),
//   structures.json [{id, acronym, name, structure_id_path, rgb_triplet}]
// Atlases are found by name in the atlas directory ($CLEARMAP_ATLAS_DIR, default ~/.clearmap/atlases;
// `clearmap atlas get` downloads there as <name>_v<version>/) and then in the repository's in-box
// folder atlases/ (the Allen CCFv3 2017 annotation at 50 µm), or given as a folder path.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOrientationCode } from './orientation-code.js';
import { serviceToken, type Service } from '../../../../engine/core/services.js';

export const ATLAS_DIR_ENV = 'CLEARMAP_ATLAS_DIR';

/** The local atlas directory: $CLEARMAP_ATLAS_DIR, else ~/.clearmap/atlases. */
export function atlasDirectory(): string {
  const env = process.env[ATLAS_DIR_ENV];
  return env && env.trim() !== '' ? resolve(env) : join(homedir(), '.clearmap', 'atlases');
}

/** The repository's atlases/ folder (shipped with the package), found from this module's location. */
export function inBoxAtlasDirectory(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'atlases'))) return join(dir, 'atlases');
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error('cannot find the in-box atlases/ folder next to package.json');
}

export interface AtlasMetadata {
  name: string;
  /** µm per voxel along numpy axes (pages, rows, columns). */
  resolution: [number, number, number];
  /** BrainGlobe orientation code of the stored arrays. */
  orientation: string;
  /** Array shape in numpy order (pages, rows, columns). */
  shape: [number, number, number];
  version: string;
  symmetric: boolean;
  citation?: string;
  atlas_link?: string;
  species?: string;
  [k: string]: unknown;
}

export interface AtlasFolder {
  dir: string;
  metadata: AtlasMetadata;
  annotation: string;
  structures: string;
  hemispheres?: string;
  reference?: string;
}

function triple(v: unknown): [number, number, number] | undefined {
  return Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0) ? [v[0], v[1], v[2]] : undefined;
}

/** Read and check a BrainGlobe atlas folder (errors name the folder and the missing part). */
export function readAtlasFolder(dir: string): AtlasFolder {
  const where = `atlas folder ${dir}`;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${where}: no such folder`);
  const metaPath = join(dir, 'metadata.json');
  if (!existsSync(metaPath)) throw new Error(`${where}: no metadata.json (a BrainGlobe atlas folder has metadata.json, annotation.tiff, structures.json)`);
  let raw: Record<string, unknown>;
  try { raw = JSON.parse(readFileSync(metaPath, 'utf8')); } catch (e) { throw new Error(`${metaPath}: not valid JSON (${(e as Error).message})`); }
  const resolution = triple(raw.resolution);
  const shape = Array.isArray(raw.shape) && raw.shape.length === 3 && raw.shape.every((s) => Number.isInteger(s) && s > 0) ? raw.shape as [number, number, number] : undefined;
  if (!resolution) throw new Error(`${metaPath}: 'resolution' must be three positive numbers (µm), got ${JSON.stringify(raw.resolution)}`);
  if (!shape) throw new Error(`${metaPath}: 'shape' must be three positive integers, got ${JSON.stringify(raw.shape)}`);
  const orientation = parseOrientationCode(raw.orientation ?? 'asr', `${metaPath}: 'orientation'`);
  const metadata: AtlasMetadata = {
    ...raw, name: String(raw.name ?? ''), resolution, shape, orientation,
    version: raw.version === undefined ? '' : String(raw.version), symmetric: raw.symmetric === true,
  };
  const file = (name: string) => (existsSync(join(dir, name)) ? join(dir, name) : undefined);
  const annotation = file('annotation.tiff') ?? file('annotation.tif');
  const structures = file('structures.json') ?? file('structures.csv');
  if (!annotation) throw new Error(`${where}: no annotation.tiff`);
  if (!structures) throw new Error(`${where}: no structures.json`);
  return { dir, metadata, annotation, structures, hemispheres: file('hemispheres.tiff') ?? file('hemispheres.tif'), reference: file('reference.tiff') ?? file('reference.tif') };
}

export interface AtlasListing {
  /** The name to use (BrainGlobe's, e.g. allen_mouse_50um). */
  name: string;
  version: string;
  dir: string;
  /** 'atlas-dir' | 'in-box' for the built-in registry; a plugin's registry says where it found it. */
  where: string;
  hasReference: boolean;
}

/** Split a folder name `<name>_v<version>` (BrainGlobe's naming) into its name and version. */
export function splitVersionedName(folder: string): { name: string; version: string } {
  const m = /^(.*)_v(\d+(?:\.\d+)*)$/.exec(folder);
  return m ? { name: m[1], version: m[2] } : { name: folder, version: '' };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number), pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

function listIn(root: string, where: AtlasListing['where']): AtlasListing[] {
  if (!existsSync(root)) return [];
  const out: AtlasListing[] = [];
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    const dir = join(root, e.name);
    if (!existsSync(join(dir, 'metadata.json'))) continue;
    const { name, version } = splitVersionedName(e.name);
    let v = version;
    try { v = v || String(JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')).version ?? ''); } catch { /* listed; `info` reports the problem */ }
    out.push({ name, version: v, dir, where, hasReference: existsSync(join(dir, 'reference.tiff')) });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || compareVersions(b.version, a.version));
}

/** Atlases available locally: the atlas directory's first, then the in-box ones. */
export function listAtlases(): AtlasListing[] {
  let inBox: AtlasListing[] = [];
  try { inBox = listIn(inBoxAtlasDirectory(), 'in-box'); } catch { /* an installed copy without atlases/ */ }
  return [...listIn(atlasDirectory(), 'atlas-dir'), ...inBox];
}

/** True when `spec` is meant as a folder path rather than an atlas name. */
export function looksLikePath(spec: string): boolean {
  return spec.includes('/') || spec.includes('\\') || spec.startsWith('.');
}

/**
 * Resolve an atlas given by name (the newest version in the atlas directory, else the in-box folder)
 * or by folder path (relative to `baseDir`). The error says how to get a missing atlas.
 */
export function findAtlas(spec: string, baseDir = process.cwd()): AtlasListing {
  if (looksLikePath(spec) || isAbsolute(spec)) {
    const dir = resolve(baseDir, spec);
    if (!existsSync(join(dir, 'metadata.json'))) throw new Error(`atlas '${spec}': ${dir} is not a BrainGlobe atlas folder (no metadata.json)`);
    const { name, version } = splitVersionedName(dir.split(/[\\/]/).pop()!);
    return { name, version, dir, where: 'atlas-dir', hasReference: existsSync(join(dir, 'reference.tiff')) };
  }
  // a name picks the newest version; a versioned folder name (allen_mouse_25um_v1.2) that version
  const all = listAtlases().filter((a) => a.name === spec || a.dir.split(/[\\/]/).pop() === spec);
  if (all.length) return all[0];
  throw new Error(`atlas '${spec}' is not installed. Get it with \`clearmap atlas get ${spec}\` (downloads into ${atlasDirectory()}), `
    + `or without internet download ${spec}_v<version>.tar.gz from BrainGlobe's atlas server (${DEFAULT_ATLAS_SERVER}) elsewhere and unpack it into ${atlasDirectory()}; `
    + `installed: ${listAtlases().map((a) => a.name).join(', ') || 'none'}`);
}

/**
 * Where atlas names (allen_mouse_50um, ...) are looked up: an engine service the 'atlas' node gets
 * from ctx.services. The built-in looks in the atlas directory, then in the in-box folder; a plugin
 * may bind another (e.g. a lab's shared atlas store, or its own atlases), and the bound id joins the
 * cache key of atlas nodes. Folder paths given as `atlas` are read as folders, not looked up.
 */
export interface AtlasRegistry extends Service {
  /** The BrainGlobe atlas folder of a name (or versioned folder name); throws saying how to get a missing one. */
  find(name: string): AtlasListing;
  /** Every atlas it can serve. */
  list(): AtlasListing[];
}

export const ATLAS_REGISTRY = serviceToken<AtlasRegistry>('atlas-registry');

/** The built-in atlas registry: $CLEARMAP_ATLAS_DIR (default ~/.clearmap/atlases), then the in-box atlases/. */
export const localAtlasRegistry: AtlasRegistry = { id: 'atlas-dir+in-box', find: (name) => findAtlas(name), list: listAtlases };

/** BrainGlobe's atlas server (the GIN repository brainglobe-atlasapi downloads from). */
export const DEFAULT_ATLAS_SERVER = 'https://gin.g-node.org/BrainGlobe/atlases/raw/master';
