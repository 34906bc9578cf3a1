// Who owns a temp file or directory in a cache that several processes — on one host or on several
// hosts over a shared filesystem — use at once. A temp name carries its owner (host + pid + a random
// token); the owner keeps its mtime fresh (heartbeat) while alive. Another process may remove it only
// when it is provably dead: same host and the pid is gone, or no heartbeat for `staleSeconds()`.
import { hostname } from 'node:os';
import { statSync, utimesSync } from 'node:fs';

/** Heartbeat period; a temp is stale after staleSeconds() without one (at least 4 periods). */
const HEARTBEAT_MS = 30_000;
// generous: a run whose event loop is busy for a long stretch must not look dead to another host
const DEFAULT_STALE_SECONDS = 3600;

/** Host name as it appears in temp names (no separators or path characters). */
export const HOST = hostname().replace(/[^A-Za-z0-9.]/g, '_') || 'host';

/** A fresh owner tag `<host>~<pid>~<random>` for one temp file or dir. */
export function ownerTag(): string {
  return `${HOST}~${process.pid}~${Math.random().toString(36).slice(2, 10)}`;
}

export interface Owner { host: string; pid: number }

/** The owner encoded in a name ending in `…<sep><host>~<pid>~<random>`, if any. */
export function ownerOf(name: string): Owner | undefined {
  const m = /([A-Za-z0-9._]+)~(\d+)~[a-z0-9]+$/.exec(name);
  return m ? { host: m[1], pid: Number(m[2]) } : undefined;
}

export function staleSeconds(): number {
  const v = Number(process.env.CLEARMAP_CACHE_STALE_SECONDS);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_STALE_SECONDS;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when the temp at `path` (named with an owner tag) may be removed: its owner is a dead process
 * of this host, or nobody has touched it for staleSeconds() (owner on another host, or frozen).
 * Unparseable names are judged by age alone.
 */
export function isStale(path: string, name: string, now = Date.now()): boolean {
  if (heartbeats.has(path)) return false;
  const o = ownerOf(name);
  if (o && o.host === HOST) return !pidAlive(o.pid) || ageSeconds(path, now) > staleSeconds();
  return ageSeconds(path, now) > staleSeconds();
}

function ageSeconds(path: string, now: number): number {
  try {
    return (now - statSync(path).mtimeMs) / 1000;
  } catch {
    return 0; // vanished: nothing to sweep
  }
}

// ---- heartbeat ----------------------------------------------------------------------------------------
const heartbeats = new Set<string>();
let timer: NodeJS.Timeout | undefined;

/** Keep `path`'s mtime fresh until release(); the timer never keeps the process alive. */
export function hold(path: string): void {
  heartbeats.add(path);
  timer ??= setInterval(beat, HEARTBEAT_MS).unref();
}

export function release(path: string): void {
  heartbeats.delete(path);
  if (heartbeats.size === 0 && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}

function beat(): void {
  const now = new Date();
  for (const p of heartbeats) {
    try {
      utimesSync(p, now, now);
    } catch { /* renamed into place or removed: nothing to keep alive */ }
  }
}
