// Params that name files a node reads are marked `format: 'path'` in its schema (a string, or a list
// whose items carry the mark). One rule for built-in nodes and plugins alike: the engine resolves them
// against the workflow folder before any node code sees them, and fingerprints the files for the
// cache key (engine/cache/keys.ts).
import { isAbsolute, resolve } from 'node:path';
import type { ParamsSchema } from '../core/node-type.js';

const isPath = (s: unknown): boolean => !!s && typeof s === 'object' && (s as { format?: unknown }).format === 'path';

/** Names of the params marked as paths, each with whether it is a list. */
export function pathParamNames(schema: ParamsSchema): { name: string; list: boolean }[] {
  const out: { name: string; list: boolean }[] = [];
  for (const [name, s] of Object.entries(schema.properties)) {
    if (isPath(s)) out.push({ name, list: false });
    else if (isPath(s.items)) out.push({ name, list: true });
  }
  return out;
}

/** The files named by path params: param name -> absolute paths (params already resolved or not). */
export function pathParamFiles(schema: ParamsSchema, params: Record<string, unknown>, baseDir: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const { name } of pathParamNames(schema)) {
    const v = params[name];
    const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    if (list.length) out[name] = list.map((p) => absolutePath(p, baseDir));
  }
  return out;
}

/** Params with every path param made absolute against the workflow folder (a new object). */
export function resolvePathParams(schema: ParamsSchema, params: Record<string, unknown>, baseDir: string): Record<string, unknown> {
  const out = { ...params };
  for (const { name } of pathParamNames(schema)) {
    const v = out[name];
    if (typeof v === 'string') out[name] = absolutePath(v, baseDir);
    else if (Array.isArray(v)) out[name] = v.map((x) => (typeof x === 'string' ? absolutePath(x, baseDir) : x));
  }
  return out;
}

export function absolutePath(p: string, baseDir: string): string {
  return isAbsolute(p) ? p : resolve(baseDir, p);
}
