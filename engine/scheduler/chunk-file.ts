// One chunk's result on disk: "CMCHUNK1" | u32 header length | header JSON | payload. Written to a temp
// name and renamed, with the payload's sha256 in the header, so a killed run leaves either a complete,
// verifiable chunk or nothing, and a resumed run can trust what it finds. Several runs may write the
// same chunk at once (a shared cache): the first complete file wins (hard link, which fails when the
// name exists), the others drop their copy — a reader never sees a chunk file change under it.
import { closeSync, existsSync, fstatSync, linkSync, openSync, readFileSync, readSync, renameSync, rmSync, writevSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { ownerTag } from '../cache/owner.js';

const MAGIC = Buffer.from('CMCHUNK1');

export interface ChunkHeader {
  kind: 'volume' | 'points' | 'reduce';
  sha256: string;
  bytes: number;
  dtype?: string;
  shape?: [number, number, number];
}

export function writeChunkFile(path: string, header: Omit<ChunkHeader, 'sha256' | 'bytes'>, payload: Uint8Array): void {
  const full: ChunkHeader = { ...header, bytes: payload.byteLength, sha256: createHash('sha256').update(payload).digest('hex') };
  const h = Buffer.from(JSON.stringify(full));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(h.length);
  const tmp = `${path}.tmp-${ownerTag()}`;
  try {
    writeAll(tmp, [MAGIC, len, h, payload]);
    publishFirst(tmp, path);
  } catch (e) {
    // the folder is removed only after another run committed the node: this chunk is not needed
    // (the run then loads that entry), and recreating the folder would leave it behind
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(dirname(path))) throw new Error(`chunk folder ${dirname(path)} was removed: the node was committed by a concurrent run`);
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Write the parts in order with writev (no concatenated copy of a payload of a whole slab). */
function writeAll(file: string, parts: Uint8Array[]): void {
  const fd = openSync(file, 'w');
  try {
    let pos = 0;
    let rest = parts.filter((p) => p.byteLength > 0);
    while (rest.length) {
      let n = writevSync(fd, rest, pos);
      pos += n;
      // a short write: drop what went out and continue with the remainder
      while (rest.length && n >= rest[0].byteLength) { n -= rest[0].byteLength; rest = rest.slice(1); }
      if (rest.length && n > 0) rest = [rest[0].subarray(n), ...rest.slice(1)];
    }
  } finally {
    closeSync(fd);
  }
}

/** Give `tmp` the name `path` unless a complete chunk file already has it (first one wins). */
function publishFirst(tmp: string, path: string): void {
  try {
    linkSync(tmp, path);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (chunkFileComplete(path)) return;
      // a damaged file (e.g. written by an older version): replace it atomically
    } else if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') {
      throw e;
    }
  }
  // no hard links on this filesystem: rename (atomic replace; writers produce identical bytes)
  renameSync(tmp, path);
}

/** True when the file has a valid header and exactly the payload length it declares (not re-hashed). */
export function chunkFileComplete(path: string): boolean {
  const head = readChunkHeader(path);
  if (!head) return false;
  try {
    const fd = openSync(path, 'r');
    try {
      return fstatSync(fd).size === head.payloadOffset + head.header.bytes;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

export function readChunkHeader(path: string): { header: ChunkHeader; payloadOffset: number } | undefined {
  if (!existsSync(path)) return undefined;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined; // removed meanwhile
  }
  try {
    const pre = Buffer.alloc(12);
    if (readSync(fd, pre, 0, 12, 0) !== 12 || !pre.subarray(0, 8).equals(MAGIC)) return undefined;
    const n = pre.readUInt32LE(8);
    if (n > 1 << 20) return undefined; // headers are small JSON: a huge length is damage
    const h = Buffer.alloc(n);
    if (readSync(fd, h, 0, n, 12) !== n) return undefined;
    return { header: JSON.parse(h.toString('utf8')) as ChunkHeader, payloadOffset: 12 + n };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** The payload if the file is complete and its hash matches, else undefined. */
export function readChunkPayload(path: string): { header: ChunkHeader; payload: Buffer } | undefined {
  const head = readChunkHeader(path);
  if (!head) return undefined;
  let all: Buffer;
  try {
    all = readFileSync(path);
  } catch {
    return undefined;
  }
  const payload = all.subarray(head.payloadOffset);
  if (payload.byteLength !== head.header.bytes) return undefined;
  if (createHash('sha256').update(payload).digest('hex') !== head.header.sha256) return undefined;
  return { header: head.header, payload };
}
