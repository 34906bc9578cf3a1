// Content-addressed cache of node results. An entry is a directory <root>/nodes/<key>/ holding the
// node's files and a manifest (artefacts + size and sha256 of every file). It is built in a temp
// directory and renamed into place, so a crash never leaves a half-written entry; on load every file
// is checked against the manifest and a corrupt entry is thrown away and recomputed.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { Artefact } from '../core/artefacts.js';
import { hashFile } from '../core/hash.js';
import type { Points } from '../data/points.js';

const ENTRY_TOKEN = '${entry}';
const MANIFEST = 'manifest.json';

/** Size, content hash and modification time of a file in (or written by) an entry. */
export interface FileRecord {
  size: number;
  sha256: string;
  mtimeMs: number;
}

export interface Manifest {
  key: string;
  nodeType: string;
  nodeVersion: string;
  outputs: Record<string, unknown>;
  files: Record<string, FileRecord>;
  /** User-visible files written outside the cache; the entry is valid only while they are unchanged. */
  external: Record<string, FileRecord>;
}

export type LoadResult = { status: 'hit'; outputs: Record<string, Artefact> } | { status: 'miss' } | { status: 'corrupt'; reason: string };

export class CacheStore {
  readonly nodesDir: string;
  readonly chunksDir: string;

  constructor(readonly root: string) {
    this.nodesDir = join(root, 'nodes');
    this.chunksDir = join(root, 'chunks');
    mkdirSync(this.nodesDir, { recursive: true });
    mkdirSync(this.chunksDir, { recursive: true });
  }

  entryDir(key: string): string {
    return join(this.nodesDir, key);
  }

  /** A fresh temp directory for a node run; commit() renames it into place. */
  newWorkDir(key: string): string {
    const dir = join(this.nodesDir, `${key}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  async load(key: string): Promise<LoadResult> {
    const dir = this.entryDir(key);
    const mpath = join(dir, MANIFEST);
    if (!existsSync(mpath)) return { status: 'miss' };
    let m: Manifest;
    try {
      m = JSON.parse(readFileSync(mpath, 'utf8')) as Manifest;
    } catch {
      return this.discard(key, 'unreadable manifest');
    }
    for (const [rel, f] of Object.entries(m.files)) {
      const reason = await checkFile(join(dir, rel), f);
      if (reason) return this.discard(key, `${rel}: ${reason}`);
    }
    for (const [path, f] of Object.entries(m.external)) {
      // a result file the user deleted or edited: recompute (cheap: it is written from cached inputs)
      if (await checkFile(path, f)) return { status: 'miss' };
    }
    try {
      return { status: 'hit', outputs: decodeOutputs(m.outputs, dir) };
    } catch (e) {
      return this.discard(key, `cannot decode outputs: ${(e as Error).message}`);
    }
  }

  private discard(key: string, reason: string): LoadResult {
    rmSync(this.entryDir(key), { recursive: true, force: true });
    return { status: 'corrupt', reason };
  }

  /** Store a node's outputs: files already in workDir, points/tables serialised now, then atomic rename. */
  async commit(key: string, workDir: string, nodeType: string, nodeVersion: string, outputs: Record<string, Artefact>, externalFiles: string[]): Promise<Record<string, Artefact>> {
    const encoded: Record<string, unknown> = {};
    for (const [port, a] of Object.entries(outputs)) {
      if (a.kind === 'points') {
        const file = `${port}.points.v8`;
        writeFileSync(join(workDir, file), serialize({ coords: a.points.coords, properties: a.points.properties }));
        encoded[port] = { kind: 'points', file, voxelSize: a.voxelSize, ...(a.crop ? { crop: a.crop } : {}) };
      } else {
        encoded[port] = replacePaths(a, workDir, ENTRY_TOKEN);
      }
    }
    const files: Manifest['files'] = {};
    for (const rel of listFiles(workDir)) {
      const p = join(workDir, rel);
      files[rel] = await recordOf(p);
    }
    const external: Manifest['external'] = {};
    for (const p of externalFiles) external[p] = await recordOf(p);
    const manifest: Manifest = { key, nodeType, nodeVersion, outputs: encoded, files, external };
    writeFileSync(join(workDir, MANIFEST), JSON.stringify(manifest, null, 1));
    const dir = this.entryDir(key);
    rmSync(dir, { recursive: true, force: true });
    renameSync(workDir, dir);
    return decodeOutputs(encoded, dir);
  }

  abandon(workDir: string): void {
    rmSync(workDir, { recursive: true, force: true });
  }

  /** Remove temp directories left by killed runs (not those of live processes). */
  sweepTemps(): void {
    for (const name of readdirSync(this.nodesDir)) {
      const m = /\.tmp-(\d+)-/.exec(name);
      if (m && !isAlive(Number(m[1]))) rmSync(join(this.nodesDir, name), { recursive: true, force: true });
    }
  }

  list(): Array<{ key: string; nodeType: string; bytes: number }> {
    const out: Array<{ key: string; nodeType: string; bytes: number }> = [];
    for (const name of readdirSync(this.nodesDir)) {
      const mpath = join(this.nodesDir, name, MANIFEST);
      if (!existsSync(mpath)) continue;
      try {
        const m = JSON.parse(readFileSync(mpath, 'utf8')) as Manifest;
        out.push({ key: name, nodeType: m.nodeType, bytes: Object.values(m.files).reduce((s, f) => s + f.size, 0) });
      } catch { /* listed by clean */ }
    }
    return out;
  }

  clean(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

async function recordOf(path: string): Promise<FileRecord> {
  const st = statSync(path);
  return { size: st.size, sha256: await hashFile(path), mtimeMs: st.mtimeMs };
}

/**
 * Why a file no longer matches its record, or undefined. A file with its recorded size and mtime is
 * trusted without re-reading (a rerun must not re-hash 20 GB of intermediates); any write changes the
 * mtime, and then the content hash decides.
 */
async function checkFile(path: string, f: FileRecord): Promise<string | undefined> {
  if (!existsSync(path)) return 'missing';
  const st = statSync(path);
  if (st.size !== f.size) return `size changed (${st.size} != ${f.size})`;
  if (st.mtimeMs === f.mtimeMs) return undefined;
  if ((await hashFile(path)) !== f.sha256) return 'content hash mismatch';
  return undefined;
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else if (e.name !== MANIFEST) out.push(rel);
  }
  return out.sort();
}

/** Replace every string that starts with `from` by `to` (paths inside the entry become relocatable). */
function replacePaths<T>(v: T, from: string, to: string): T {
  if (typeof v === 'string') return (v.startsWith(from) ? to + v.slice(from.length) : v) as T;
  if (Array.isArray(v)) return v.map((x) => replacePaths(x, from, to)) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replacePaths(x, from, to)])) as T;
  return v;
}

function decodeOutputs(encoded: Record<string, unknown>, dir: string): Record<string, Artefact> {
  const out: Record<string, Artefact> = {};
  for (const [port, e] of Object.entries(encoded)) {
    const a = replacePaths(e, ENTRY_TOKEN, dir) as Artefact & { file?: string };
    if (a.kind === 'points') {
      const p = deserialize(readFileSync(join(dir, a.file!))) as Points;
      out[port] = { kind: 'points', points: p, voxelSize: a.voxelSize, ...(a.crop ? { crop: a.crop } : {}) };
    } else {
      out[port] = a;
    }
  }
  return out;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
