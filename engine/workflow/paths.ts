// Params that name files a node reads are marked `format: 'path'` in its schema (a string, or a list
// whose items carry the mark). One rule for built-in nodes and plugins alike: the engine resolves them
// against the workflow folder before any node code sees them, and fingerprints the files for the
// cache key (engine/cache/keys.ts).
//
// How a param's text becomes a path is an engine service (FILE_RESOLVER): the built-in resolves against
// the workflow folder; a plugin may bind another, e.g. one that maps a workstation's mount
// (/Volumes/lab) to the cluster's (/mnt/lab), so one workflow file runs on both.
import { isAbsolute, resolve } from 'node:path';
import type { ParamsSchema } from '../core/node-type.js';
import { serviceToken, type Service } from '../core/services.js';

/** Turns the text of a `format: 'path'` param into an absolute path (or pattern: globs are expanded by the node). */
export interface FileResolver extends Service {
  /**
   * The path `value` names, for a workflow in `baseDir`. Must return an absolute path (a relative
   * result is taken against `baseDir`) and give an already resolved path back unchanged.
   */
  resolve(value: string, baseDir: string): string;
}

export const FILE_RESOLVER = serviceToken<FileResolver>('file-resolver');

/** The built-in: relative paths are relative to the workflow file's folder. */
export const workflowFolderResolver: FileResolver = { id: 'workflow-folder', resolve: (value, baseDir) => absolutePath(value, baseDir) };

function resolveWith(resolver: FileResolver, value: string, baseDir: string): string {
  return absolutePath(resolver.resolve(value, baseDir), baseDir);
}

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
export function pathParamFiles(schema: ParamsSchema, params: Record<string, unknown>, baseDir: string, resolver: FileResolver = workflowFolderResolver): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const { name } of pathParamNames(schema)) {
    const v = params[name];
    const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    if (list.length) out[name] = list.map((p) => resolveWith(resolver, p, baseDir));
  }
  return out;
}

/** Params with every path param made absolute against the workflow folder (a new object). */
export function resolvePathParams(schema: ParamsSchema, params: Record<string, unknown>, baseDir: string, resolver: FileResolver = workflowFolderResolver): Record<string, unknown> {
  const out = { ...params };
  for (const { name } of pathParamNames(schema)) {
    const v = out[name];
    if (typeof v === 'string') out[name] = resolveWith(resolver, v, baseDir);
    else if (Array.isArray(v)) out[name] = v.map((x) => (typeof x === 'string' ? resolveWith(resolver, x, baseDir) : x));
  }
  return out;
}

export function absolutePath(p: string, baseDir: string): string {
  return isAbsolute(p) ? p : resolve(baseDir, p);
}
