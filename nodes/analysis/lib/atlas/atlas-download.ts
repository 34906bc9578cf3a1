// `clearmap atlas get`: download a BrainGlobe atlas (<server>/<name>_v<version>.tar.gz, the version
// from <server>/last_versions.conf as brainglobe-atlasapi does), resumably (HTTP Range onto a .part
// file kept between attempts and runs), verify it (complete length, gzip CRC and tar structure while
// unpacking, BrainGlobe layout, annotation shape = metadata shape) and only then move the folder into
// the atlas directory: a failed or corrupt download never leaves a half atlas there.
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { atlasDirectory, DEFAULT_ATLAS_SERVER, readAtlasFolder } from './atlas-store.js';
import { openVolume } from '../../../io/lib/formats.js';

export const ATLAS_SERVER_ENV = 'CLEARMAP_ATLAS_SERVER';

export function atlasServer(server?: string): string {
  return (server ?? process.env[ATLAS_SERVER_ENV] ?? DEFAULT_ATLAS_SERVER).replace(/\/+$/, '');
}

export interface GetAtlasOptions {
  server?: string;
  /** Skip the last_versions.conf lookup. */
  version?: string;
  /** Atlas directory (default: atlasDirectory()). */
  dir?: string;
  /** Attempts for a truncated or corrupt download (default 3). */
  attempts?: number;
  onProgress?(done: number, total: number | undefined): void;
  log?(message: string): void;
}

export class OfflineError extends Error {}

function offlineHelp(server: string, name: string, version: string | undefined, dir: string): string {
  const file = `${name}_v${version ?? '<version>'}.tar.gz`;
  return `Without internet: on a connected machine download ${server}/${file}`
    + (version ? '' : ` (the current <version> is listed in ${server}/last_versions.conf; 1.2 for allen_mouse_*)`)
    + `, then unpack it into ${dir} (mkdir -p ${dir} && tar -xzf ${file} -C ${dir}); it creates ${name}_v${version ?? '<version>'}/. `
    + `The atlas directory is $CLEARMAP_ATLAS_DIR (default ~/.clearmap/atlases).`;
}

async function request(url: string, headers: Record<string, string>, what: string, help: () => string): Promise<Response> {
  try {
    return await fetch(url, { headers, redirect: 'follow' });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new OfflineError(`cannot reach ${url} for ${what} (${cause?.code ?? cause?.message ?? (e as Error).message}). ${help()}`);
  }
}

/** BrainGlobe's version list: `[atlases]` then `name = major.minor` lines. */
export function parseVersionsConf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) { section = s[1].trim(); continue; }
    const kv = /^([^=]+)=(.*)$/.exec(line);
    if (kv && section === 'atlases') out.set(kv[1].trim(), kv[2].trim());
  }
  return out;
}

export async function remoteAtlasVersions(server?: string, dir = atlasDirectory(), name = '<name>'): Promise<Map<string, string>> {
  const base = atlasServer(server);
  const url = `${base}/last_versions.conf`;
  const res = await request(url, {}, 'the list of atlases', () => offlineHelp(base, name, undefined, dir));
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`);
  return parseVersionsConf(await res.text());
}

function sizeOf(path: string): number {
  try { return statSync(path).size; } catch { return 0; }
}

/** Download `url` onto `part`, resuming from its current size; returns when the file is complete. */
async function downloadResumable(url: string, part: string, opts: GetAtlasOptions, help: () => string): Promise<number> {
  const attempts = opts.attempts ?? 3;
  let lastError = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const have = sizeOf(part);
    const res = await request(url, have > 0 ? { Range: `bytes=${have}-` } : {}, 'the atlas', help);
    let start = 0, total: number | undefined;
    if (res.status === 206) {
      const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
      if (!m || Number(m[1]) !== have) { await res.body?.cancel(); truncateSync(part, 0); lastError = `the server answered the range request with '${res.headers.get('content-range')}'`; continue; }
      start = have; total = m[3] === '*' ? undefined : Number(m[3]);
      if (attempt > 1 || have > 0) opts.log?.(`resuming at ${(have / 1e6).toFixed(1)} MB`);
    } else if (res.status === 416) {
      // the .part is as long as (or longer than) the file: start over
      await res.body?.cancel(); rmSync(part, { force: true }); lastError = 'range not satisfiable'; continue;
    } else if (res.ok) {
      const len = res.headers.get('content-length');
      total = len === null ? undefined : Number(len);
    } else {
      await res.body?.cancel();
      if (res.status === 404) throw new Error(`${url}: not found on the atlas server (HTTP 404); check the name with \`clearmap atlas list --remote\``);
      lastError = `HTTP ${res.status} ${res.statusText}`;
      continue;
    }
    if (!res.body) { lastError = 'empty response'; continue; }
    let done = start;
    opts.onProgress?.(done, total);
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) { done += chunk.length; opts.onProgress?.(done, total); cb(null, chunk); },
    });
    try {
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), counter, createWriteStream(part, { flags: start > 0 ? 'a' : 'w' }));
    } catch (e) {
      lastError = `connection lost after ${(done / 1e6).toFixed(1)} MB (${(e as Error).message})`;
      opts.log?.(`${lastError}; retrying`);
      continue;
    }
    const got = sizeOf(part);
    if (total !== undefined && got < total) { lastError = `truncated: ${got} of ${total} bytes`; opts.log?.(`${lastError}; resuming`); continue; }
    if (total !== undefined && got > total) { rmSync(part, { force: true }); lastError = `got ${got} bytes, the server announced ${total}`; continue; }
    return got;
  }
  throw new Error(`download of ${url} failed after ${attempts} attempts: ${lastError}. The partial file ${part} is kept; run the command again to resume.`);
}

/** Find the folder holding metadata.json in an unpacked tarball (BrainGlobe: <name>_v<version>/). */
function atlasRoot(dir: string): string | undefined {
  if (existsSync(join(dir, 'metadata.json'))) return dir;
  const subs = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory());
  for (const s of subs) if (existsSync(join(dir, s.name, 'metadata.json'))) return join(dir, s.name);
  return undefined;
}

/** Check an unpacked atlas: BrainGlobe layout and annotation shape = metadata shape. */
export async function verifyAtlasFolder(dir: string): Promise<void> {
  const f = readAtlasFolder(dir);
  const ann = await openVolume(f.annotation);
  const want = [...f.metadata.shape].reverse();
  if (ann.shape.some((s, i) => s !== want[i])) throw new Error(`${f.annotation}: shape [x, y, z] = [${ann.shape}] but metadata.json says shape ${JSON.stringify(f.metadata.shape)} (numpy order)`);
  for (const other of [f.reference, f.hemispheres]) {
    if (!other) continue;
    const v = await openVolume(other);
    if (v.shape.some((s, i) => s !== ann.shape[i])) throw new Error(`${other}: shape [${v.shape}] differs from the annotation's [${ann.shape}]`);
  }
}

/**
 * Download, verify and install a BrainGlobe atlas into the atlas directory. Returns its folder.
 * Already installed (same name and version) = nothing to do.
 */
export async function getAtlas(name: string, opts: GetAtlasOptions = {}): Promise<{ dir: string; version: string; downloaded: boolean }> {
  const root = opts.dir ?? atlasDirectory();
  const server = atlasServer(opts.server);
  let version = opts.version;
  if (!version) {
    const versions = await remoteAtlasVersions(server, root, name);
    version = versions.get(name);
    if (!version) {
      const close = [...versions.keys()].filter((k) => k.split('_')[0] === name.split('_')[0]);
      throw new Error(`atlas '${name}' is not on the atlas server ${server}${close.length ? `; similar: ${close.join(', ')}` : ''} (all: \`clearmap atlas list --remote\`)`);
    }
  }
  const folder = `${name}_v${version}`;
  const dest = join(root, folder);
  if (existsSync(join(dest, 'metadata.json'))) { opts.log?.(`${folder} is already in ${root}`); return { dir: dest, version, downloaded: false }; }
  mkdirSync(join(root, '.downloads'), { recursive: true });
  const url = `${server}/${folder}.tar.gz`;
  const part = join(root, '.downloads', `${folder}.tar.gz.part`);
  const help = () => offlineHelp(server, name, version, root);
  const attempts = opts.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    await downloadResumable(url, part, opts, help);
    const tmp = join(root, `.unpack-${folder}-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    try {
      let entries = 0;
      // strict: any gzip / tar error (bad CRC, truncated stream, bad header) rejects
      await tar.x({ file: part, cwd: tmp, strict: true, onReadEntry: () => { entries++; } });
      const found = atlasRoot(tmp);
      if (!found) throw new Error(`the archive (${entries} entries) holds no metadata.json: not a BrainGlobe atlas`);
      await verifyAtlasFolder(found);
      rmSync(dest, { recursive: true, force: true });
      renameSync(found, dest);
      rmSync(tmp, { recursive: true, force: true });
      rmSync(part, { force: true });
      return { dir: dest, version, downloaded: true };
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      rmSync(part, { force: true }); // a corrupt file cannot be resumed
      const msg = `${url} is corrupt or incomplete (${(e as Error).message})`;
      if (attempt >= attempts) throw new Error(`${msg}; gave up after ${attempts} downloads. Nothing was installed in ${root}.`);
      opts.log?.(`${msg}; downloading again`);
    }
  }
}
