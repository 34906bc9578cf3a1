// Content-addressed cache of node results, safe for any number of concurrent runs on one host or on
// several hosts sharing the folder. An entry is a directory <root>/nodes/<key>/ holding the node's
// files, a manifest (artefacts + size and sha256 of every file, the files it wrote outside the cache)
// and the manifest's own sha256 (manifest.sha256). Commit is lock-free: every run builds its entry in
// a temp directory named after its owner (host, pid, random) and renames it into place; the first
// rename wins, a later one finds the entry present, checks it and discards its own copy. Nothing a
// live run may be reading is ever removed: entries are removed only when proven corrupt, temps only
// when their owner is provably dead (see owner.ts).
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { Artefact } from '../core/artefacts.js';
import { hashFile, sha256 } from '../core/hash.js';
import type { Points } from '../data/points.js';
import { hold, isStale, ownerTag, release } from './owner.js';
import { ChunkDir } from './chunk-dir.js';

const ENTRY_TOKEN = '${entry}';
const MANIFEST = 'manifest.json';
/** sha256 of manifest.json's bytes: an edited manifest is caught like any edited file. */
const MANIFEST_HASH = 'manifest.sha256';
const MANIFEST_FORMAT = 2;

/** Size, content hash and modification time of a file in (or written by) an entry. */
export interface FileRecord {
  size: number;
  sha256: string;
  mtimeMs: number;
}

/** Descriptive fields stored with an entry (extensible: unknown fields are kept and ignored). */
export interface EntryInfo {
  nodeId?: string;
  workflow?: string;
  /** Seconds the node took when it was computed (shown for cached nodes). */
  computedSeconds?: number;
  /** What the key is the hash of (engine/cache/keys.ts KeyParts), for `cache why`. */
  keyParts?: unknown;
  /** input port -> id of the node that fed it, for `cache why` */
  inputNodes?: Record<string, string>;
  [field: string]: unknown;
}

export interface Manifest extends EntryInfo {
  format?: number;
  key: string;
  nodeType: string;
  nodeVersion: string;
  /** ISO time of the commit. */
  createdAt?: string;
  outputs: Record<string, unknown>;
  files: Record<string, FileRecord>;
  /** User-visible files written outside the cache; the entry is valid only while they are unchanged. */
  external: Record<string, FileRecord>;
}

export type LoadResult =
  | { status: 'hit'; outputs: Record<string, Artefact>; manifest: Manifest }
  | { status: 'miss'; reason?: string }
  | { status: 'corrupt'; reason: string };

export interface LoadOptions {
  /** Re-hash every file instead of trusting a matching size + mtime. */
  full?: boolean;
}

export interface EntryListing {
  key: string;
  nodeType: string;
  nodeId?: string;
  workflow?: string;
  bytes: number;
  createdMs: number;
  computedSeconds?: number;
}

export interface VerifyProblem { key: string; nodeType?: string; nodeId?: string; kind: 'corrupt' | 'stale' | 'chunk'; reason: string; repaired: boolean }

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

  /** The manifest of the committed entries whose key starts with `prefix` (sound manifests only; files not checked). */
  manifests(prefix: string): Manifest[] {
    const out: Manifest[] = [];
    for (const name of safeReaddir(this.nodesDir)) {
      if (!name.startsWith(prefix) || name.includes('.')) continue;
      const read = readManifest(join(this.nodesDir, name));
      if (read.status === 'ok') out.push(read.manifest);
    }
    return out;
  }

  /** True when a committed entry exists for key (not checked). */
  has(key: string): boolean {
    return existsSync(join(this.entryDir(key), MANIFEST));
  }

  /** A fresh temp directory for a node run, owned by this process; commit() renames it into place. */
  newWorkDir(key: string): string {
    const dir = join(this.nodesDir, `${key}.tmp-${ownerTag()}`);
    mkdirSync(dir, { recursive: true });
    hold(dir);
    return dir;
  }

  /**
   * A scratch directory for a node run (ctx.tempDir): `<cache>/tmp/<label>.tmp-<owner>`, kept alive
   * by the heartbeat; removeScratchDir() ends it, and sweepTemps() removes those of dead processes.
   */
  newScratchDir(label: string): string {
    const dir = join(this.root, 'tmp', `${label.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60) || 'scratch'}.tmp-${ownerTag()}`);
    mkdirSync(dir, { recursive: true });
    hold(dir);
    return dir;
  }

  removeScratchDir(dir: string): void {
    release(dir);
    rmSync(dir, { recursive: true, force: true });
  }

  /** The shared chunk folder of a chunk-wise node; open() registers this run as a user. */
  chunkDir(key: string): ChunkDir {
    return new ChunkDir(this.chunksDir, key, () => this.has(key));
  }

  async load(key: string, opts: LoadOptions = {}): Promise<LoadResult> {
    const dir = this.entryDir(key);
    const read = readManifest(dir);
    if (read.status === 'missing') return { status: 'miss' };
    if (read.status === 'bad') return this.discard(key, read.reason, read.raw);
    const m = read.manifest;
    for (const [rel, f] of Object.entries(m.files)) {
      const reason = await checkFile(join(dir, rel), f, opts.full);
      if (reason) return this.discard(key, `${rel}: ${reason}`, read.raw);
    }
    for (const [path, f] of Object.entries(m.external)) {
      // a result file the user deleted or edited: recompute (cheap: it is written from cached inputs)
      const reason = await checkFile(path, f, opts.full);
      if (reason) return { status: 'miss', reason: `${path}: ${reason}` };
    }
    try {
      return { status: 'hit', outputs: decodeOutputs(m.outputs, dir), manifest: m };
    } catch (e) {
      return this.discard(key, `cannot decode outputs: ${(e as Error).message}`, read.raw);
    }
  }

  /**
   * Remove a corrupt entry — only if it is still the one judged corrupt (another run may have replaced
   * it meanwhile). It is first renamed away, so a concurrent commit never finds half of it.
   */
  private discard(key: string, reason: string, judged: string | undefined): LoadResult {
    this.removeEntry(key, judged);
    return { status: 'corrupt', reason };
  }

  private removeEntry(key: string, judged: string | undefined): void {
    const dir = this.entryDir(key);
    const now = readManifest(dir);
    if (now.status !== 'missing' && now.raw !== judged) return;
    const trash = join(this.nodesDir, `${key}.trash-${ownerTag()}`);
    try {
      renameSync(dir, trash);
    } catch {
      return; // gone already (another run discarded it)
    }
    rmSync(trash, { recursive: true, force: true });
  }

  /**
   * Store a node's outputs: files already in workDir, points/tables serialised now, then an atomic
   * rename. If another run committed the same key first, its entry is used and ours is discarded
   * (the returned artefacts then point into the winner's entry).
   */
  async commit(key: string, workDir: string, nodeType: string, nodeVersion: string, outputs: Record<string, Artefact>, externalFiles: string[], info: EntryInfo = {}): Promise<Record<string, Artefact>> {
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
    for (const rel of listFiles(workDir)) files[rel] = await recordOf(join(workDir, rel));
    const external: Manifest['external'] = {};
    for (const p of externalFiles) external[p] = await recordOf(p);
    const manifest: Manifest = { format: MANIFEST_FORMAT, key, nodeType, nodeVersion, createdAt: new Date().toISOString(), ...info, outputs: encoded, files, external };
    const text = JSON.stringify(manifest, null, 1);
    writeFileSync(join(workDir, MANIFEST), text);
    writeFileSync(join(workDir, MANIFEST_HASH), sha256(text) + '\n');
    const dir = this.entryDir(key);
    try {
      for (let attempt = 0; ; attempt++) {
        if (tryRename(workDir, dir)) return decodeOutputs(encoded, dir);
        // lost the race (or an old entry is in the way): use the winner's entry if it is sound
        const winner = await this.load(key);
        if (winner.status === 'hit') {
          rmSync(workDir, { recursive: true, force: true });
          return winner.outputs;
        }
        // a stale entry (its result files changed) is replaced by ours; a corrupt one was removed by load()
        if (winner.status === 'miss' && existsSync(dir)) this.removeEntry(key, readManifest(dir).raw);
        if (attempt >= 3) throw new Error(`cannot commit cache entry ${dir}: another run keeps replacing it`);
      }
    } finally {
      release(workDir);
    }
  }

  abandon(workDir: string): void {
    release(workDir);
    rmSync(workDir, { recursive: true, force: true });
  }

  /**
   * Remove what dead runs left behind: their temp and trash directories, and the chunk folders of
   * nodes that have been committed since (no live run uses them). Temps of live runs — on this host
   * or on another one sharing the cache — are never touched.
   */
  sweepTemps(): void {
    for (const name of safeReaddir(join(this.root, 'tmp'))) {
      const p = join(this.root, 'tmp', name);
      if (/\.tmp-/.test(name) && isStale(p, name)) rmSync(p, { recursive: true, force: true });
    }
    for (const name of safeReaddir(this.nodesDir)) {
      if (!/\.(tmp|trash)-/.test(name)) continue;
      const p = join(this.nodesDir, name);
      if (isStale(p, name)) rmSync(p, { recursive: true, force: true });
    }
    for (const name of safeReaddir(this.chunksDir)) {
      const p = join(this.chunksDir, name);
      if (/\.(tmp|trash)-/.test(name)) {
        if (isStale(p, name)) rmSync(p, { recursive: true, force: true });
      } else if (this.has(name)) {
        new ChunkDir(this.chunksDir, name, () => true).removeIfUnused();
      }
    }
  }

  list(): EntryListing[] {
    const out: EntryListing[] = [];
    for (const name of safeReaddir(this.nodesDir)) {
      const read = readManifest(join(this.nodesDir, name));
      if (read.status !== 'ok') continue;
      const m = read.manifest;
      const createdMs = m.createdAt ? Date.parse(m.createdAt) : statSync(join(this.nodesDir, name, MANIFEST)).mtimeMs;
      out.push({
        key: name, nodeType: m.nodeType, nodeId: m.nodeId, workflow: m.workflow, createdMs, computedSeconds: m.computedSeconds,
        bytes: Object.values(m.files).reduce((s, f) => s + f.size, 0),
      });
    }
    return out;
  }

  /**
   * Re-hash every file of every entry (ignoring the size + mtime trust) and every chunk file. With
   * repair, corrupt entries and chunk files are removed (they are recomputed by the next run).
   * Entries whose result files in an output folder changed are reported as stale; the next run
   * rewrites those files.
   */
  async verify(opts: { repair?: boolean } = {}): Promise<{ entries: number; chunks: number; problems: VerifyProblem[] }> {
    const problems: VerifyProblem[] = [];
    let entries = 0;
    for (const name of safeReaddir(this.nodesDir)) {
      if (/\.(tmp|trash)-/.test(name)) continue;
      const dir = join(this.nodesDir, name);
      entries++;
      const read = readManifest(dir);
      if (read.status === 'missing' || read.status === 'bad') {
        const reason = read.status === 'bad' ? read.reason : 'no manifest';
        if (opts.repair) this.removeEntry(name, read.raw);
        problems.push({ key: name, kind: 'corrupt', reason, repaired: !!opts.repair });
        continue;
      }
      const m = read.manifest;
      let bad: string | undefined;
      for (const [rel, f] of Object.entries(m.files)) {
        const r = await checkFile(join(dir, rel), f, true);
        if (r) { bad = `${rel}: ${r}`; break; }
      }
      if (!bad) {
        try { decodeOutputs(m.outputs, dir); } catch (e) { bad = `cannot decode outputs: ${(e as Error).message}`; }
      }
      if (bad) {
        if (opts.repair) this.removeEntry(name, read.raw);
        problems.push({ key: name, nodeType: m.nodeType, nodeId: m.nodeId, kind: 'corrupt', reason: bad, repaired: !!opts.repair });
        continue;
      }
      for (const [path, f] of Object.entries(m.external)) {
        const r = await checkFile(path, f, true);
        if (r) { problems.push({ key: name, nodeType: m.nodeType, nodeId: m.nodeId, kind: 'stale', reason: `${path}: ${r} (rewritten by the next run)`, repaired: false }); break; }
      }
    }
    let chunks = 0;
    for (const name of safeReaddir(this.chunksDir)) {
      if (/\.(tmp|trash)-/.test(name)) continue;
      const cd = new ChunkDir(this.chunksDir, name, () => this.has(name));
      for (const f of cd.chunkFiles()) {
        chunks++;
        if (!cd.verifyFile(f)) {
          if (opts.repair) rmSync(join(cd.dir, f), { force: true });
          problems.push({ key: name, kind: 'chunk', reason: `chunk ${f}: incomplete or hash mismatch`, repaired: !!opts.repair });
        }
      }
    }
    return { entries, chunks, problems };
  }

  clean(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

type ReadManifest =
  | { status: 'missing'; raw?: undefined }
  | { status: 'bad'; reason: string; raw: string | undefined }
  | { status: 'ok'; manifest: Manifest; raw: string };

function readManifest(dir: string): ReadManifest {
  let raw: string;
  try {
    raw = readFileSync(join(dir, MANIFEST), 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? { status: 'missing' } : { status: 'bad', reason: `unreadable manifest: ${(e as Error).message}`, raw: undefined };
  }
  let recorded: string;
  try {
    recorded = readFileSync(join(dir, MANIFEST_HASH), 'utf8').trim();
  } catch {
    return { status: 'bad', reason: `${MANIFEST_HASH} missing (entry of an older version or tampered)`, raw };
  }
  if (recorded !== sha256(raw)) return { status: 'bad', reason: `${MANIFEST}: content hash mismatch`, raw };
  try {
    const manifest = JSON.parse(raw) as Manifest;
    if (!manifest || typeof manifest !== 'object' || !manifest.files || !manifest.external || !manifest.outputs) return { status: 'bad', reason: 'manifest lacks files/external/outputs', raw };
    return { status: 'ok', manifest, raw };
  } catch {
    return { status: 'bad', reason: 'unreadable manifest', raw };
  }
}

/** rename(2) of a directory: false when the destination already exists (another run won). */
function tryRename(from: string, to: string): boolean {
  try {
    renameSync(from, to);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') return false;
    throw e;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

async function recordOf(path: string): Promise<FileRecord> {
  const st = statSync(path);
  return { size: st.size, sha256: await hashFile(path), mtimeMs: st.mtimeMs };
}

/**
 * Why a file no longer matches its record, or undefined. A file with its recorded size and mtime is
 * trusted without re-reading (a rerun must not re-hash 20 GB of intermediates); any write changes the
 * mtime, and then the content hash decides. `full` re-hashes regardless (cache verify, run --verify).
 */
async function checkFile(path: string, f: FileRecord, full = false): Promise<string | undefined> {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 'missing';
  }
  if (!st.isFile()) return 'not a regular file';
  if (st.size !== f.size) return `size changed (${st.size} != ${f.size})`;
  if (!full && st.mtimeMs === f.mtimeMs) return undefined;
  if ((await hashFile(path)) !== f.sha256) return 'content hash mismatch';
  return undefined;
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else if (rel !== MANIFEST && rel !== MANIFEST_HASH) out.push(rel);
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
