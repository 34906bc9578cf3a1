// What a worker (`clearmap worker`, `clearmap task`) agrees to run. Tasks arrive from a queue or a
// file that others can write, so a worker imports only modules inside its own install and the plugin
// roots it was started with, and writes chunk files only under its cache (and --out) folders.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PoolTask } from '../core/node-type.js';
import type { ChunkTask } from './chunk-task.js';

export interface TaskPolicy {
  /** Folders whose modules may be imported (the install root first). */
  moduleRoots: string[];
  /** Folders under which task outputs may be written (the cache, --out). */
  writeRoots: string[];
}

export class TaskRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskRefused';
  }
}

/** This install's package root (dist/engine/scheduler/ -> three levels up). */
export function installRoot(): string {
  return real(resolve(fileURLToPath(new URL('../../../', import.meta.url))));
}

export function taskPolicy(o: { pluginRoots?: string[]; writeRoots: string[] }): TaskPolicy {
  return { moduleRoots: [installRoot(), ...(o.pluginRoots ?? []).map((p) => real(resolve(p)))], writeRoots: o.writeRoots.map((p) => real(resolve(p))) };
}

function real(p: string): string {
  // the deepest existing ancestor's real path + the rest, so symlinks cannot smuggle a path out
  let head = p;
  const tail: string[] = [];
  while (!existsSync(head) && dirname(head) !== head) {
    tail.unshift(head.slice(dirname(head).length + (dirname(head).endsWith(sep) ? 0 : 1)));
    head = dirname(head);
  }
  return resolve(realpathSync(head), ...tail);
}

function inside(p: string, roots: string[]): boolean {
  return roots.some((r) => {
    const rel = relative(r, p);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  });
}

/** Every `module` named anywhere in a task (kernels, readers of volume refs in stage inputs, ...). */
function modulesIn(v: unknown, out: string[] = [], seen = new Set<unknown>()): string[] {
  if (!v || typeof v !== 'object' || seen.has(v) || ArrayBuffer.isView(v)) return out;
  seen.add(v);
  if (Array.isArray(v)) for (const x of v) modulesIn(x, out, seen);
  else {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'module' && typeof x === 'string') out.push(x);
      else modulesIn(x, out, seen);
    }
  }
  return out;
}

function checkModule(m: string, policy: TaskPolicy, what: string): void {
  let path: string;
  try {
    path = m.startsWith('file:') ? fileURLToPath(m) : isAbsolute(m) ? m : '';
  } catch {
    path = '';
  }
  if (!path) throw new TaskRefused(`${what}: module '${m}' is not a file inside this install; refused`);
  const p = real(path);
  if (!inside(p, policy.moduleRoots)) {
    throw new TaskRefused(`${what}: module ${p} is outside this install (${policy.moduleRoots[0]}) and the allowed plugin roots${policy.moduleRoots.length > 1 ? ` (${policy.moduleRoots.slice(1).join(', ')})` : ''}; refused`);
  }
}

export function checkChunkTask(task: ChunkTask, policy: TaskPolicy, what = 'chunk task'): void {
  for (const m of modulesIn(task)) checkModule(m, policy, what);
  const out = real(resolve(task.chunkFile));
  if (!inside(out, policy.writeRoots) || !out.endsWith('.chunk')) {
    throw new TaskRefused(`${what}: chunk file ${out} is not under the worker's cache (${policy.writeRoots.join(', ')}); refused`);
  }
}

export function checkPoolTask(task: PoolTask, policy: TaskPolicy, what = 'pool task'): void {
  for (const m of [task.module, ...modulesIn(task.args)]) checkModule(m, policy, what);
}
