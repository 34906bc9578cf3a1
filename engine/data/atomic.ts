// Atomic output files: everything is written to `<dest>.tmp-<host>~<pid>~<random>` (owner-tagged, so
// a later run can tell a dead run's leftover from a live one's, see engine/cache/owner.ts) and renamed into place on commit,
// so a crash or an error never leaves a half-written result under the real name.
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { hold, ownerTag, release } from '../cache/owner.js';

export class AtomicFile {
  readonly temp: string;
  fd: number;
  private open = true;

  constructor(readonly dest: string) {
    mkdirSync(dirname(dest), { recursive: true });
    this.temp = `${dest}.tmp-${ownerTag()}`;
    this.fd = openSync(this.temp, 'w');
    hold(this.temp); // heartbeat: a run on another host sharing --out sees this temp is alive
  }

  /** Close the temp file (if still open) and rename it onto the destination. */
  commit(): void {
    this.close();
    release(this.temp);
    renameSync(this.temp, this.dest);
  }

  abort(): void {
    this.close();
    release(this.temp);
    rmSync(this.temp, { force: true });
  }

  private close(): void {
    if (this.open) { closeSync(this.fd); this.open = false; }
  }
}

/**
 * Write several small files that form one result (e.g. points + `_intensities` companion): all are
 * staged under temp names first and renamed only when every one was written, so a full disk leaves
 * the previous set (or nothing), never a new file beside a stale companion.
 */
export function writeFilesAtomic(files: Array<{ dest: string; data: string | Uint8Array }>): void {
  // a destination that cannot take a file would fail a rename half-way: refuse before writing anything
  for (const f of files) {
    if (existsSync(f.dest) && !statSync(f.dest).isFile()) throw new Error(`${f.dest}: exists and is not a regular file (a directory?); nothing was written`);
  }
  const staged: AtomicFile[] = [];
  try {
    for (const f of files) {
      const a = new AtomicFile(f.dest);
      staged.push(a);
      const bytes = typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : f.data;
      let done = 0;
      while (done < bytes.length) done += writeSync(a.fd, bytes, done, bytes.length - done);
    }
  } catch (e) {
    for (const a of staged) a.abort();
    throw e;
  }
  for (const a of staged) a.commit();
}

/** Write a small file atomically in one go. */
export function writeFileAtomic(dest: string, data: string | Uint8Array): void {
  const f = new AtomicFile(dest);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let done = 0;
    while (done < bytes.length) done += writeSync(f.fd, bytes, done, bytes.length - done);
    f.commit();
  } catch (e) {
    f.abort();
    throw e;
  }
}
