// Running one chunk through a fused chain of chunk kernels. Runs inside a worker thread (see
// chunk.worker.ts) but is plain code, so it is also callable in-process.
//
// A chain is a small DAG: each stage takes its `input` slab (and possibly further inputs) from the
// slab read from the source or from earlier stages of the same chunk (`links`), so a chain can carry
// a volume and the points found in it (e.g. background -> dog -> maxima -> shape, where shape floods
// the background image from the maxima's points). Each value carries the planes where it is exact
// (`trusted` / `decided`): a volume stage loses its declared overlap on each side that is not the
// stack's edge; a points stage may decide itself (DecidedPoints). When the last stage's points are
// not decided over the whole core, the parts of the core it names as undecided are recomputed on
// small windows around them (patches, each grown until decided), or, for kernels that name none, the
// chunk is run again on a larger read window; either way the joined result equals a single-chunk run
// whatever the overlap (which only sets the first window).
import { serialize } from 'node:v8';
import type { VolumeRef } from '../core/artefacts.js';
import { isDecidedPoints, type ChunkContext, type ChunkKernel, type ChunkOutputKind, type ChunkStreamValue } from '../core/node-type.js';
import type { Box, ChunkGeometry } from '../data/chunk.js';
import { concatPoints, filterPoints, type Points } from '../data/points.js';
import { allocate, sliceZ, type Range, type Volume } from '../data/volume.js';
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
  /** The node's declared x/y overlap (columns/rows), for chains cut into x/y tiles. */
  overlapXY?: number;
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
  /** Patch windows run around the parts of the core the first window left undecided (DecidedPoints.undecided). */
  patches?: number;
}

function isVolume(v: unknown): v is Volume {
  return !!v && typeof v === 'object' && 'data' in v && 'shape' in v && ArrayBuffer.isView((v as Volume).data);
}

/** Planes of `r` still exact after a stage that needs `overlap` planes of context (stack edges stay exact). */
function shrink(r: Range, overlap: number, depth: number): Range {
  return [r[0] === 0 ? 0 : r[0] + overlap, r[1] === depth ? depth : r[1] - overlap];
}

type XY = [Range, Range];
const meet = (a: Range, b: Range): Range => [Math.max(a[0], b[0]), Math.min(a[1], b[1])];

interface ChainResult {
  kind: ChunkOutputKind;
  value: ChunkStreamValue | { kind: 'reduce'; partial: unknown };
  /** The last stage's undecided boxes within the core, when it reports them (DecidedPoints.undecided). */
  undecided?: Box[];
}

/** Voxels [x, y, z] of `v` (origin-relative box given globally) copied out. */
export function sliceBox(v: Volume, b: Box): Volume {
  const [X, Y] = v.shape;
  const [ox, oy, oz] = v.origin;
  const [x0, x1] = [b[0][0] - ox, b[0][1] - ox], [y0, y1] = [b[1][0] - oy, b[1][1] - oy], [z0, z1] = [b[2][0] - oz, b[2][1] - oz];
  if (x0 === 0 && x1 === X && y0 === 0 && y1 === Y) return sliceZ(v, z0, z1);
  const W = x1 - x0, H = y1 - y0;
  const data = allocate(v.dtype, W * H * (z1 - z0));
  for (let z = z0; z < z1; z++) for (let y = y0; y < y1; y++) {
    const from = x0 + X * (y + Y * z);
    data.set(v.data.subarray(from, from + W), W * (y - y0 + H * (z - z0)));
  }
  return { ...v, data, shape: [W, H, z1 - z0], origin: [b[0][0], b[1][0], b[2][0]] };
}

/** Run the chain on one read window of geometry `geometry` (its read range and tile read are replaced by the window's). */
async function runStages(task: ChunkTask, geometry: ChunkGeometry, window: Box, slabBuffer: SlabLease): Promise<ChainResult> {
  const read = window[2];
  const tile = geometry.tile;
  const plane: [number, number] = [task.source.shape[0], task.source.shape[1]];
  const g: ChunkGeometry = { ...geometry, read, ...(tile ? { tile: { ...tile, read: [window[0], window[1]] } } : {}) };
  const patch = geometry !== task.geometry ? `patch z ${g.core.join('–')}${tile ? ` x ${tile.core[0].join('–')} y ${tile.core[1].join('–')}` : ''} of ` : '';
  const where = (s: StageSpec) => `${task.stages.length > 1 ? `stage '${s.nodeId}' (${s.nodeType}), ` : ''}${patch}chunk ${g.index + 1}/${g.count} (z ${read[0]}–${read[1]}${tile ? `, x ${window[0].join('–')}, y ${window[1].join('–')}` : ''})`;
  const slab: Volume = await readRegion(task.source, tile ? { x: window[0], y: window[1], z: read } : { z: read }, { into: slabBuffer });
  const values = new Map<string, ChunkStreamValue>([[SOURCE_LINK, { kind: 'volume', volume: slab, trusted: read, ...(tile ? { trustedXY: [window[0], window[1]] as XY } : {}) }]]);
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
    let trustedXY: XY | undefined = inputValue.trustedXY;
    for (const port of Object.keys(links)) {
      if (port === 'input') continue;
      const v = linked(port);
      stream[port] = v;
      if (v.kind === 'volume') {
        trusted = meet(trusted, v.trusted);
        if (trustedXY && v.trustedXY) trustedXY = [meet(trustedXY[0], v.trustedXY[0]), meet(trustedXY[1], v.trustedXY[1])];
      }
    }
    // a reduction must see each voxel exactly once: give it only the voxels this chunk owns
    const input = s.produces === 'reduce'
      ? (tile ? sliceBox(inputValue.volume, [tile.core[0], tile.core[1], g.core]) : sliceZ(inputValue.volume, g.core[0] - read[0], g.core[1] - read[0]))
      : inputValue.volume;
    const context: ChunkContext = { ...s.context, stream, trusted: inputValue.trusted, ...(inputValue.trustedXY ? { trustedXY: inputValue.trustedXY } : {}) };
    let result: unknown;
    try {
      result = await kernel(input, g, s.params, context);
    } catch (e) {
      throw new Error(`${where(s)}: ${(e as Error).message}`);
    }
    const after = shrink(trusted, s.overlap ?? 0, g.depth);
    const afterXY: XY | undefined = trustedXY && [shrink(trustedXY[0], s.overlapXY ?? 0, plane[0]), shrink(trustedXY[1], s.overlapXY ?? 0, plane[1])];
    if (s.produces === 'volume') {
      if (!isVolume(result) || result.shape[2] !== slab.shape[2] || (tile && (result.shape[0] !== slab.shape[0] || result.shape[1] !== slab.shape[1]))) throw new Error(`${where(s)}: kernel must return a volume of the same ${tile ? 'extent' : 'z extent'} as its input slab`);
      last = { kind: 'volume', value: { kind: 'volume', volume: { ...result, origin: inputValue.volume.origin }, trusted: after, ...(afterXY ? { trustedXY: afterXY } : {}) } };
    } else if (s.produces === 'points') {
      if (isDecidedPoints(result)) {
        const xy = result.decidedXY ?? afterXY;
        last = { kind: 'points', value: { kind: 'points', points: result.points, decided: result.decided, ...(xy ? { decidedXY: xy } : {}) }, ...(result.undecided ? { undecided: result.undecided } : {}) };
      } else last = { kind: 'points', value: { kind: 'points', points: result as Points, decided: after, ...(afterXY ? { decidedXY: afterXY } : {}) } };
    } else {
      last = { kind: 'reduce', value: { kind: 'reduce', partial: result } };
    }
    if (last.value.kind !== 'reduce') values.set(s.nodeId, last.value);
    previous = s.nodeId;
  }
  return last;
}

/** Whether points decided on [d0, d1) cover every point a chunk owning `core` keeps (of an axis of `size`). */
export function covers(decided: Range, core: Range, size: number): boolean {
  return decided[0] <= core[0] && (decided[1] >= core[1] || (core[1] === size && decided[1] >= size));
}

/** The next read window: each side whose points are not decided grows by at least 8 planes and doubles its context. */
export function growWindow(read: Range, decided: Range, g: ChunkGeometry): Range {
  return growRange(read, decided, g.core, g.depth);
}

/** growWindow along any axis: `core` of an axis of `size`. */
export function growRange(read: Range, decided: Range, core: Range, size: number): Range {
  const [c0, c1] = core;
  let [r0, r1] = read;
  let low = decided[0] > c0, high = !(decided[1] >= c1 || (c1 === size && decided[1] >= size));
  // a side already at the stack's edge cannot grow: what is undecided there comes from the other cut
  if (low && r0 === 0) { low = false; high = true; }
  if (high && r1 === size) { high = false; low = r0 > 0; }
  if (low) r0 = Math.max(0, c0 - Math.max(2 * (c0 - r0), c0 - r0 + 8));
  if (high) r1 = Math.min(size, c1 + Math.max(2 * (r1 - c1), r1 - c1 + 8));
  return [r0, r1];
}

export async function runChunkTask(task: ChunkTask): Promise<ChunkTaskResult> {
  // the source slab goes into this thread's reusable buffer, given back once the chunk file is written
  const slabBuffer = threadSlabPool.lease();
  try { return await runChunkTaskIn(task, slabBuffer); } finally { slabBuffer.release(); }
}

/** Run the chain on `window`, growing it per axis until the last stage's points are decided over `core`. */
async function runUntilDecided(task: ChunkTask, g: ChunkGeometry, core: Box, window: Box, slabBuffer: SlabLease, done?: ChainResult): Promise<{ res: ChainResult; windows: number }> {
  const sizes: [number, number, number] = [task.source.shape[0], task.source.shape[1], g.depth];
  let windows = 1;
  let res = done ?? await runStages(task, g, window, slabBuffer);
  while (res.value.kind === 'points' && !coversCore(res.value, core, sizes)) {
    const d = decidedBoxOf(res.value);
    const next = window.map((r, a) => (covers(d[a], core[a], sizes[a]) ? r : growRange(r, d[a], core[a], sizes[a]))) as Box;
    if (next.every((r, a) => r[0] === window[a][0] && r[1] === window[a][1])) {
      const last = task.stages[task.stages.length - 1];
      throw new Error(`stage '${last.nodeId}' (${last.nodeType}), chunk ${g.index + 1}/${g.count}: points decided only on z [${d[2].join(', ')})${g.tile ? `, x [${d[0].join(', ')}), y [${d[1].join(', ')})` : ''} although the window reaches the stack's edges (a kernel bug)`);
    }
    window = next;
    windows++;
    res = await runStages(task, g, window, slabBuffer);
  }
  return { res, windows };
}

const decidedBoxOf = (v: { decided: Range; decidedXY?: XY }): Box => [v.decidedXY?.[0] ?? [-Infinity, Infinity], v.decidedXY?.[1] ?? [-Infinity, Infinity], v.decided];
/** Whether points decided on v's box cover every point of `core` (a box of a stack of `sizes`). */
const coversCore = (v: { decided: Range; decidedXY?: XY }, core: Box, sizes: [number, number, number]) => decidedBoxOf(v).every((d, a) => covers(d, core[a], sizes[a]));

/** Whether coordinate c lies in r along an axis of `size` (the last range of an axis also keeps c === size, as the join rule). */
const inRange = (c: number, r: Range, size: number) => (c >= r[0] || r[0] <= 0) && (c < r[1] || (r[1] >= size && c <= size));

/**
 * Patch cores: the undecided boxes, merged where they meet, or where one window around their union
 * costs no more than the two windows around each (margin `m` per axis, clipped to the stack).
 */
export function patchCores(boxes: Box[], m: [number, number, number], sizes: [number, number, number]): Box[] {
  const grown = (b: Box) => b.map((r, a) => [Math.max(0, r[0] - m[a]), Math.min(sizes[a], r[1] + m[a])]) as Box;
  const volume = (b: Box) => b.reduce((v, r) => v * Math.max(0, r[1] - r[0]), 1);
  const meets = (a: Box, b: Box) => a.every((r, i) => r[0] < b[i][1] && b[i][0] < r[1]);
  const union = (a: Box, b: Box) => a.map((r, i) => [Math.min(r[0], b[i][0]), Math.max(r[1], b[i][1])]) as Box;
  const out = boxes.filter((b) => volume(b) > 0).map((b) => b.map((r) => [r[0], r[1]]) as Box);
  for (let merged = true; merged;) {
    merged = false;
    for (let i = 0; i < out.length && !merged; i++) for (let j = i + 1; j < out.length && !merged; j++) {
      const u = union(out[i], out[j]);
      if (meets(out[i], out[j]) || volume(grown(u)) <= volume(grown(out[i])) + volume(grown(out[j]))) {
        out[i] = u;
        out.splice(j, 1);
        merged = true;
      }
    }
  }
  // a canonical order, so the same plan computes the same patches in the same order
  return out.sort((a, b) => a[2][0] - b[2][0] || a[1][0] - b[1][0] || a[0][0] - b[0][0]);
}

/**
 * The first window of a patch around box `b`: the chain's overlap each side (x/y only when the chain
 * supports tiles), and, on each side where the chunk's first window `first` had a cut within twice
 * the overlap of b, as far as that window's growth would reach (twice the context it had, 8 more at
 * least): the first window left b undecided with that much context, so less would only be grown
 * again. A cut farther away is unlikely the cause; the patch grows there if it is.
 */
export function patchWindow(b: Box, first: Box, tileable: boolean, ctx: [number, number, number], sizes: [number, number, number]): Box {
  return b.map((r, a) => {
    if (!tileable && a !== 2) return [0, sizes[a]];
    let lo = Math.max(0, r[0] - ctx[a]), hi = Math.min(sizes[a], r[1] + ctx[a]);
    const had = [r[0] - first[a][0], first[a][1] - r[1]]; // context the first window gave b on each side
    const grown = (h: number) => Math.max(2 * h, h + 8);
    if (first[a][0] > 0 && had[0] <= 2 * ctx[a]) lo = Math.min(lo, Math.max(0, r[0] - grown(had[0])));
    if (first[a][1] < sizes[a] && had[1] <= 2 * ctx[a]) hi = Math.max(hi, Math.min(sizes[a], r[1] + grown(had[1])));
    return [lo, hi];
  }) as Box;
}

async function runChunkTaskIn(task: ChunkTask, slabBuffer: SlabLease): Promise<ChunkTaskResult> {
  const t0 = performance.now();
  const g = task.geometry;
  const [X, Y] = task.source.shape;
  const tile = g.tile;
  // the read window and the owned box: x, y, z (whole planes unless the chunk is an x/y tile)
  const core: Box = tile ? [tile.core[0], tile.core[1], g.core] : [[0, X], [0, Y], g.core];
  const sizes: [number, number, number] = [X, Y, g.depth];
  const first: Box = tile ? [tile.read[0], tile.read[1], g.read] : [[0, X], [0, Y], g.read];
  let res: ChainResult, windows = 1, patches = 0;
  const initial = await runStages(task, g, first, slabBuffer);
  if (initial.value.kind === 'points' && initial.undecided && !coversCore(initial.value, core, sizes)) {
    // recompute only windows around the undecided parts of the core; the rest of the first window's points are exact
    const p1 = initial.value;
    const tileable = task.stages.every((s) => s.overlapXY !== undefined);
    const zCtx = task.stages.reduce((n, s) => n + (s.overlap ?? 0), 0), xyCtx = tileable ? task.stages.reduce((n, s) => n + (s.overlapXY ?? 0), 0) : 0;
    const clip = (b: Box) => b.map((r, a) => [Math.max(r[0], core[a][0]), Math.min(r[1], core[a][1])]) as Box;
    const boxes = patchCores(initial.undecided.map(clip).map((b) => (tileable ? b : ([[0, X], [0, Y], b[2]] as Box))), [xyCtx, xyCtx, zCtx], sizes);
    const inBox = (pts: Points, i: number, b: Box) => b.every((r, a) => inRange(pts.coords[3 * i + a], r, sizes[a]));
    const parts = [filterPoints(p1.points, (i) => !boxes.some((b) => inBox(p1.points, i, b)))];
    for (const b of boxes) {
      const pg: ChunkGeometry = { ...g, core: b[2], read: b[2], ...(tileable ? { tile: { plane: [X, Y], core: [b[0], b[1]], read: [b[0], b[1]] } } : {}) };
      const window = patchWindow(b, first, tileable, [xyCtx, xyCtx, zCtx], sizes);
      const p = await runUntilDecided(task, pg, b, window, slabBuffer);
      patches += p.windows;
      if (p.res.value.kind !== 'points') throw new Error(`chunk ${g.index + 1}/${g.count}: a patch of its chain returned ${p.res.value.kind}, not points`);
      const pts = p.res.value.points;
      parts.push(filterPoints(pts, (i) => inBox(pts, i, b)));
    }
    res = { kind: 'points', value: { kind: 'points', points: concatPoints(parts), decided: g.core } };
  } else {
    // kernels that give only a decided box: the whole window grows until it covers the core
    const r = await runUntilDecided(task, g, core, first, slabBuffer, initial);
    res = r.res;
    windows = r.windows;
  }
  let payload: Uint8Array;
  let header: { kind: ChunkOutputKind; dtype?: string; shape?: [number, number, number] };
  if (res.value.kind === 'volume') {
    const slab = res.value.volume;
    const owned = tile ? sliceBox(slab, core) : sliceZ(slab, g.core[0] - slab.origin[2], g.core[1] - slab.origin[2]);
    payload = new Uint8Array(owned.data.buffer, owned.data.byteOffset, owned.data.byteLength);
    header = { kind: 'volume', dtype: owned.dtype, shape: owned.shape };
  } else if (res.value.kind === 'points') {
    const p = res.value.points;
    // ClearMap's join rule: a chunk keeps the points whose z lies in the planes it owns; with x/y
    // tiles also x and y (a point beyond the plane's edge goes to the tile at that edge)
    const inXY = (i: number) => !tile || ((p.coords[3 * i] >= core[0][0] || core[0][0] === 0) && (p.coords[3 * i] < core[0][1] || core[0][1] === X)
      && (p.coords[3 * i + 1] >= core[1][0] || core[1][0] === 0) && (p.coords[3 * i + 1] < core[1][1] || core[1][1] === Y));
    const kept = filterPoints(p, (i) => p.coords[3 * i + 2] >= g.core[0] && (p.coords[3 * i + 2] < g.core[1] || (g.core[1] === g.depth && p.coords[3 * i + 2] <= g.depth)) && inXY(i));
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
  return { bytes: payload.byteLength, seconds: (performance.now() - t0) / 1000, windows, ...(patches ? { patches } : {}) };
}
