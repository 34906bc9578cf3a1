// Running one chunk through a fused chain of chunk kernels. Runs inside a worker thread (see
// chunk.worker.ts) but is plain code, so it is also callable in-process.
//
// A chain is a small DAG: each stage takes its `input` slab (and possibly further inputs) from the
// slab read from the source or from earlier stages of the same chunk (`links`), so a chain can carry
// a volume and the points found in it (e.g. background -> dog -> maxima -> shape, where shape floods
// the background image from the maxima's points). Each value carries the planes where it is exact
// (`trusted` / `decided`): a volume stage loses its declared overlap on each side that is not the
// stack's edge; a points stage may decide itself (DecidedPoints). When the last stage's points are
// not decided over the whole core, the chunk is run again on a larger read window, so the joined
// result equals a single-chunk run whatever the overlap (which only sets the first window).
import { serialize } from 'node:v8';
import type { VolumeRef } from '../core/artefacts.js';
import { isDecidedPoints, type ChunkContext, type ChunkKernel, type ChunkOutputKind, type ChunkStreamValue } from '../core/node-type.js';
import type { ChunkGeometry } from '../data/chunk.js';
import { filterPoints, type Points } from '../data/points.js';
import { sliceZ, type Range, type Volume } from '../data/volume.js';
import { importExport, readRegion } from '../data/read.js';
import { writeChunkFile } from './chunk-file.js';
import { threadSlabPool, type SlabLease } from '../data/slab-pool.js';

/** Link to the slab read from the chain's source volume. */
export const SOURCE_LINK = '@source';

export interface StageSpec {
  nodeId: string;
  nodeType: string;
  module: string;
  export: string;
  params: Record<string, unknown>;
  produces: ChunkOutputKind;
  /** The node's non-stream inputs and the workflow folder (see ChunkContext). */
  context: ChunkContext;
  /** The node's declared overlap (planes), used to track where its volume output is exact. */
  overlap?: number;
  /**
   * Ports fed inside the chunk: port -> id of an earlier stage of this chain, or SOURCE_LINK (the slab
   * read from the source). Default: `input` from the previous stage (the source for the first).
   */
  links?: Record<string, string>;
}

export interface ChunkTask {
  source: VolumeRef;
  geometry: ChunkGeometry;
  stages: StageSpec[];
  chunkFile: string;
}

export interface ChunkTaskResult {
  bytes: number;
  seconds: number;
  /** Read windows tried before the result was decided over the whole core (1 = the planned one). */
  windows?: number;
}

function isVolume(v: unknown): v is Volume {
  return !!v && typeof v === 'object' && 'data' in v && 'shape' in v && ArrayBuffer.isView((v as Volume).data);
}

/** Planes of `r` still exact after a stage that needs `overlap` planes of context (stack edges stay exact). */
function shrink(r: Range, overlap: number, depth: number): Range {
  return [r[0] === 0 ? 0 : r[0] + overlap, r[1] === depth ? depth : r[1] - overlap];
}

interface ChainResult { kind: ChunkOutputKind; value: ChunkStreamValue | { kind: 'reduce'; partial: unknown } }

async function runStages(task: ChunkTask, read: Range, slabBuffer: SlabLease): Promise<ChainResult> {
  const g: ChunkGeometry = { ...task.geometry, read };
  const where = (s: StageSpec) => `${task.stages.length > 1 ? `stage '${s.nodeId}' (${s.nodeType}), ` : ''}chunk ${g.index + 1}/${g.count} (z ${read[0]}–${read[1]})`;
  const slab: Volume = await readRegion(task.source, { z: read }, { into: slabBuffer });
  const values = new Map<string, ChunkStreamValue>([[SOURCE_LINK, { kind: 'volume', volume: slab, trusted: read }]]);
  let previous = SOURCE_LINK;
  let last: ChainResult = { kind: 'volume', value: values.get(SOURCE_LINK)! };
  for (const s of task.stages) {
    const kernel = await importExport<ChunkKernel>(s.module, s.export, `kernel of node '${s.nodeId}'`);
    const links = s.links ?? { input: previous };
    const linked = (port: string): ChunkStreamValue => {
      const v = values.get(links[port]);
      if (!v) throw new Error(`${where(s)}: input '${port}' is linked to '${links[port]}', which is not an earlier stage of this chunk chain`);
      return v;
    };
    const inputValue = linked('input');
    if (inputValue.kind !== 'volume') throw new Error(`${where(s)}: input 'input' must be a volume, got points`);
    const stream: Record<string, ChunkStreamValue> = {};
    let trusted: Range = inputValue.trusted;
    for (const port of Object.keys(links)) {
      if (port === 'input') continue;
      const v = linked(port);
      stream[port] = v;
      if (v.kind === 'volume') trusted = [Math.max(trusted[0], v.trusted[0]), Math.min(trusted[1], v.trusted[1])];
    }
    // a reduction must see each plane exactly once: give it only the planes this chunk owns
    const input = s.produces === 'reduce' ? sliceZ(inputValue.volume, g.core[0] - read[0], g.core[1] - read[0]) : inputValue.volume;
    const context: ChunkContext = { ...s.context, stream, trusted: inputValue.trusted };
    let result: unknown;
    try {
      result = await kernel(input, g, s.params, context);
    } catch (e) {
      throw new Error(`${where(s)}: ${(e as Error).message}`);
    }
    const after = shrink(trusted, s.overlap ?? 0, g.depth);
    if (s.produces === 'volume') {
      if (!isVolume(result) || result.shape[2] !== slab.shape[2]) throw new Error(`${where(s)}: kernel must return a volume of the same z extent as its input slab`);
      last = { kind: 'volume', value: { kind: 'volume', volume: { ...result, origin: inputValue.volume.origin }, trusted: after } };
    } else if (s.produces === 'points') {
      last = { kind: 'points', value: isDecidedPoints(result) ? { kind: 'points', points: result.points, decided: result.decided } : { kind: 'points', points: result as Points, decided: after } };
    } else {
      last = { kind: 'reduce', value: { kind: 'reduce', partial: result } };
    }
    if (last.value.kind !== 'reduce') values.set(s.nodeId, last.value);
    previous = s.nodeId;
  }
  return last;
}

/** Whether points decided on [d0, d1) cover every point a chunk owning `core` keeps. */
export function covers(decided: Range, core: Range, depth: number): boolean {
  return decided[0] <= core[0] && (decided[1] >= core[1] || (core[1] === depth && decided[1] >= depth));
}

/** The next read window: each side whose points are not decided grows by at least 8 planes and doubles its context. */
export function growWindow(read: Range, decided: Range, g: ChunkGeometry): Range {
  const [c0, c1] = g.core;
  let [r0, r1] = read;
  let low = decided[0] > c0, high = !(decided[1] >= c1 || (c1 === g.depth && decided[1] >= g.depth));
  // a side already at the stack's edge cannot grow: what is undecided there comes from the other cut
  if (low && r0 === 0) { low = false; high = true; }
  if (high && r1 === g.depth) { high = false; low = r0 > 0; }
  if (low) r0 = Math.max(0, c0 - Math.max(2 * (c0 - r0), c0 - r0 + 8));
  if (high) r1 = Math.min(g.depth, c1 + Math.max(2 * (r1 - c1), r1 - c1 + 8));
  return [r0, r1];
}

export async function runChunkTask(task: ChunkTask): Promise<ChunkTaskResult> {
  // the source slab goes into this thread's reusable buffer, given back once the chunk file is written
  const slabBuffer = threadSlabPool.lease();
  try { return await runChunkTaskIn(task, slabBuffer); } finally { slabBuffer.release(); }
}

async function runChunkTaskIn(task: ChunkTask, slabBuffer: SlabLease): Promise<ChunkTaskResult> {
  const t0 = performance.now();
  const g = task.geometry;
  let read: Range = g.read;
  let windows = 1;
  let res = await runStages(task, read, slabBuffer);
  while (res.value.kind === 'points' && !covers(res.value.decided, g.core, g.depth)) {
    const next = growWindow(read, res.value.decided, g);
    if (next[0] === read[0] && next[1] === read[1]) {
      const last = task.stages[task.stages.length - 1];
      throw new Error(`stage '${last.nodeId}' (${last.nodeType}), chunk ${g.index + 1}/${g.count}: points decided only on z [${res.value.decided.join(', ')}) although the window [${read.join(', ')}) reaches the stack's edges (a kernel bug)`);
    }
    read = next;
    windows++;
    res = await runStages(task, read, slabBuffer);
  }
  let payload: Uint8Array;
  let header: { kind: ChunkOutputKind; dtype?: string; shape?: [number, number, number] };
  if (res.value.kind === 'volume') {
    const slab = res.value.volume;
    const core = sliceZ(slab, g.core[0] - slab.origin[2], g.core[1] - slab.origin[2]);
    payload = new Uint8Array(core.data.buffer, core.data.byteOffset, core.data.byteLength);
    header = { kind: 'volume', dtype: core.dtype, shape: core.shape };
  } else if (res.value.kind === 'points') {
    const p = res.value.points;
    // ClearMap's join rule: a chunk keeps the points whose z lies in the planes it owns
    const kept = filterPoints(p, (i) => p.coords[3 * i + 2] >= g.core[0] && (p.coords[3 * i + 2] < g.core[1] || (g.core[1] === g.depth && p.coords[3 * i + 2] <= g.depth)));
    // a cropped source: kernels work in the crop's voxels, points leave in the full stack's (as ClearMap)
    const off = task.source.offset;
    if (off && (off[0] || off[1] || off[2])) for (let i = 0; i < kept.coords.length; i += 3) { kept.coords[i] += off[0]; kept.coords[i + 1] += off[1]; kept.coords[i + 2] += off[2]; }
    payload = serialize({ coords: kept.coords, properties: kept.properties });
    header = { kind: 'points' };
  } else {
    payload = serialize(res.value.partial);
    header = { kind: 'reduce' };
  }
  writeChunkFile(task.chunkFile, header, payload);
  return { bytes: payload.byteLength, seconds: (performance.now() - t0) / 1000, windows };
}
