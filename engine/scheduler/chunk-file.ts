// One chunk's result on disk: "CMCHUNK1" | u32 header length | header JSON | payload. Written to a temp
// name and renamed, with the payload's sha256 in the header, so a killed run leaves either a complete,
// verifiable chunk or nothing, and a resumed run can trust what it finds.
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

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
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    writeFileSync(tmp, Buffer.concat([MAGIC, len, h, payload]));
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

export function readChunkHeader(path: string): { header: ChunkHeader; payloadOffset: number } | undefined {
  if (!existsSync(path)) return undefined;
  const fd = openSync(path, 'r');
  try {
    const pre = Buffer.alloc(12);
    if (readSync(fd, pre, 0, 12, 0) !== 12 || !pre.subarray(0, 8).equals(MAGIC)) return undefined;
    const n = pre.readUInt32LE(8);
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
  const all = readFileSync(path);
  const payload = all.subarray(head.payloadOffset);
  if (payload.byteLength !== head.header.bytes) return undefined;
  if (createHash('sha256').update(payload).digest('hex') !== head.header.sha256) return undefined;
  return { header: head.header, payload };
}
