// Chunk task files for batch schedulers (SLURM): a list file names the per-unit part (source + fused
// stages, stored once per unit) and, per task, only its geometry, chunk file and identity. Array
// element i runs tasks [i * perElement, (i + 1) * perElement) with `clearmap task --list FILE --index i`.
// Files are v8-serialised (typed arrays in stage inputs survive) and written atomically.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { serialize, deserialize } from 'node:v8';
import type { VolumeRef } from '../core/artefacts.js';
import type { ChunkGeometry } from '../data/chunk.js';
import type { ChunkTask, StageSpec } from './chunk-task.js';

export interface UnitPart {
  source: VolumeRef;
  stages: StageSpec[];
}

export interface TaskEntry {
  id: string;
  node: string;
  /** Unit file name, relative to the list file's folder. */
  unit: string;
  geometry: ChunkGeometry;
  chunkFile: string;
}

export interface TaskList {
  version: 1;
  perElement: number;
  tasks: TaskEntry[];
}

/** What an array element reports (written at start, rewritten at the end). */
export interface ElementStatus {
  state: 'running' | 'done' | 'failed';
  host: string;
  pid: number;
  /** Task ids completed by this element. */
  done: string[];
  /** Seconds each computed task took. */
  seconds?: Record<string, number>;
  error?: string;
  /** The failing task, when one failed. */
  task?: string;
}

export function writeAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export function writeUnitPart(path: string, part: UnitPart): void {
  writeAtomic(path, serialize(part));
}

export function writeTaskList(path: string, list: TaskList): void {
  writeAtomic(path, serialize(list));
}

export function readTaskList(path: string): TaskList {
  const list = deserialize(readFileSync(path)) as TaskList;
  if (!list || list.version !== 1 || !Array.isArray(list.tasks) || !(list.perElement >= 1)) throw new Error(`${path} is not a ClearMap task list`);
  return list;
}

/** The chunk tasks of array element `index` of a list. */
export function elementTasks(listFile: string, index: number): { entries: TaskEntry[]; tasks: ChunkTask[] } {
  const list = readTaskList(listFile);
  const entries = list.tasks.slice(index * list.perElement, (index + 1) * list.perElement);
  if (!entries.length) throw new Error(`${listFile} has no element ${index} (${Math.ceil(list.tasks.length / list.perElement)} elements)`);
  const units = new Map<string, UnitPart>();
  const tasks = entries.map((e) => {
    let u = units.get(e.unit);
    if (!u) {
      const file = resolve(dirname(listFile), e.unit);
      if (dirname(file) !== resolve(dirname(listFile))) throw new Error(`${listFile}: unit file '${e.unit}' is not beside the list`);
      u = deserialize(readFileSync(file)) as UnitPart;
      units.set(e.unit, u);
    }
    return { source: u.source, stages: u.stages, geometry: e.geometry, chunkFile: e.chunkFile };
  });
  return { entries, tasks };
}

export const statusFile = (listFile: string, index: number) => `${listFile}.${index}.status.json`;
export const logDir = (listFile: string) => join(dirname(listFile), 'logs');
