// The shared folder of a chunk-wise node's chunk files, <cache>/chunks/<key>/. Concurrent runs of the
// same node (one host or several over a shared filesystem) all write there: chunk files are published
// first-wins (chunk-file.ts), a run finished by another is reused, and each run registers itself in
// `.users/` (a heartbeat file) so the folder is removed only when the node is committed and no live
// run still uses it. A run that finds chunks gone can only have lost to a run that committed the node:
// it loads that entry instead (run.ts).
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chunkFileComplete, readChunkPayload } from '../scheduler/chunk-file.js';
import { hold, isStale, ownerTag, release } from './owner.js';

const USERS = '.users';

export class ChunkDir {
  readonly dir: string;
  private marker?: string;

  constructor(readonly chunksDir: string, readonly key: string, private readonly committed: () => boolean) {
    this.dir = join(chunksDir, key);
  }

  /** Create the folder, register this run as a user and sweep temps left by dead runs. */
  open(): this {
    mkdirSync(join(this.dir, USERS), { recursive: true });
    this.marker = join(this.dir, USERS, ownerTag());
    writeFileSync(this.marker, '');
    hold(this.marker);
    for (const name of this.names()) {
      if (/\.tmp-/.test(name) && isStale(join(this.dir, name), name)) rmSync(join(this.dir, name), { force: true });
    }
    return this;
  }

  file(name: string): string {
    return join(this.dir, name);
  }

  /** True when another run has committed the node meanwhile (no need to compute more chunks). */
  superseded(): boolean {
    return this.committed();
  }

  /** A complete chunk file (written by this run, an interrupted one or a concurrent one). */
  complete(name: string): boolean {
    return chunkFileComplete(this.file(name));
  }

  /** Chunk file names present (no temps). */
  chunkFiles(): string[] {
    return this.names().filter((n) => n.endsWith('.chunk'));
  }

  verifyFile(name: string): boolean {
    return readChunkPayload(this.file(name)) !== undefined;
  }

  /** Unregister; once the node is committed, the last live user removes the folder. */
  close(): void {
    if (this.marker) {
      release(this.marker);
      rmSync(this.marker, { force: true });
      this.marker = undefined;
    }
    if (this.committed()) this.removeIfUnused();
  }

  /** Remove the folder when no live run uses it (renamed away first, so nobody sees it half-deleted). */
  removeIfUnused(): void {
    let users: string[];
    try {
      users = readdirSync(join(this.dir, USERS));
    } catch {
      users = [];
    }
    if (users.some((u) => !isStale(join(this.dir, USERS, u), u))) return;
    const trash = join(this.chunksDir, `${this.key}.trash-${ownerTag()}`);
    try {
      renameSync(this.dir, trash);
    } catch {
      return;
    }
    rmSync(trash, { recursive: true, force: true });
  }

  private names(): string[] {
    try {
      return readdirSync(this.dir);
    } catch {
      return [];
    }
  }
}
