// Shared helpers for the plugin tests: the synthetic blob stack, running workflows, reading results.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize } from 'node:v8';
import { CacheStore } from '../../engine/cache/store.js';
import type { Points } from '../../engine/data/points.js';
import { ROOT } from '../engine/helpers.js';

export const BLOB_PLUGIN = join(ROOT, 'test', 'fixtures', 'plugins', 'blob-stack');
export const STANDIN_DIR = join(ROOT, 'test', 'fixtures', 'plugins', 'ilastik-standin');
export const PYTHON = '/usr/bin/python3';

export type P3 = [number, number, number];

/** Blobs well inside the stack, at least 8 voxels apart, at fractional positions, spread over z. */
export const BLOBS: P3[] = [
  [8.3, 9.1, 4.6], [30.2, 12.4, 6.1], [20.5, 30.7, 9.4], [40.1, 35.2, 11.8],
  [11.7, 36.6, 14.2], [33.4, 22.9, 17.5], [6.6, 20.2, 20.3], [24.8, 8.5, 22.9],
  [39.3, 9.8, 25.6], [17.2, 21.4, 27.7], [28.9, 38.1, 30.4], [9.5, 10.4, 31.1],
];
export const SHAPE: P3 = [48, 44, 36];

/** The points output of the (single) node of type `type` in a cache. */
export function pointsOf(cache: string, type: string, port: string): Points {
  const entries = new CacheStore(cache).list().filter((e) => e.nodeType === type);
  if (entries.length !== 1) throw new Error(`expected one cache entry of ${type}, found ${entries.length}`);
  return deserialize(readFileSync(join(cache, 'nodes', entries[0].key, `${port}.points.v8`))) as Points;
}

/** The cache entry folder of the (single) node of type `type`. */
export function entryDir(cache: string, type: string): string {
  const entries = new CacheStore(cache).list().filter((e) => e.nodeType === type);
  if (entries.length !== 1) throw new Error(`expected one cache entry of ${type}, found ${entries.length}`);
  return join(cache, 'nodes', entries[0].key);
}

/** The manifest outputs of the (single) node of type `type` in a cache. */
export function manifestOutputs(cache: string, type: string): Record<string, { kind: string; value?: unknown; path?: string }> {
  const entries = new CacheStore(cache).list().filter((e) => e.nodeType === type);
  if (entries.length !== 1) throw new Error(`expected one cache entry of ${type}, found ${entries.length}`);
  return JSON.parse(readFileSync(join(cache, 'nodes', entries[0].key, 'manifest.json'), 'utf8')).outputs;
}

export function toList(p: Points): P3[] {
  const out: P3[] = [];
  for (let i = 0; i < p.coords.length; i += 3) out.push([p.coords[i], p.coords[i + 1], p.coords[i + 2]]);
  return out;
}

/** For each expected position, the distance to the nearest detected point; plus detections matched by nothing. */
export function match(found: P3[], expected: P3[]): { worst: number; unmatched: P3[] } {
  let worst = 0;
  const used = new Set<number>();
  for (const e of expected) {
    let best = Infinity, bi = -1;
    found.forEach((f, i) => { const d = Math.hypot(f[0] - e[0], f[1] - e[1], f[2] - e[2]); if (d < best) { best = d; bi = i; } });
    worst = Math.max(worst, best);
    used.add(bi);
  }
  return { worst, unmatched: found.filter((_, i) => !used.has(i)) };
}
