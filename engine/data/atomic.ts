// Atomic output files: everything is written to `<dest>.tmp-<pid>` and renamed into place on commit,
// so a crash or an error never leaves a half-written result under the real name.
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export class AtomicFile {
  readonly temp: string;
  fd: number;
  private open = true;

  constructor(readonly dest: string) {
    mkdirSync(dirname(dest), { recursive: true });
    this.temp = `${dest}.tmp-${process.pid}`;
    this.fd = openSync(this.temp, 'w');
  }

  /** Close the temp file (if still open) and rename it onto the destination. */
  commit(): void {
    this.close();
    renameSync(this.temp, this.dest);
  }

  abort(): void {
    this.close();
    rmSync(this.temp, { force: true });
  }

  private close(): void {
    if (this.open) { closeSync(this.fd); this.open = false; }
  }
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
