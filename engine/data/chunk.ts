// Chunking of a stack into z-slabs, as ClearMap's StackProcessing does: each chunk reads
// [read0, read1) (its core plus `overlap` planes each side, clipped to the stack) and owns the
// planes [core0, core1). Cores partition the stack, so a result at plane z is taken from exactly one
// chunk; ClearMap's rule "keep points whose z lies between the overlap centres" is the same thing.
import type { Range } from './volume.js';

export interface ChunkGeometry {
  index: number;
  count: number;
  /** Planes read (global z, half-open). */
  read: Range;
  /** Planes this chunk owns (global z, half-open). */
  core: Range;
  /** Depth of the whole stack. */
  depth: number;
}

export interface ChunkingOptions {
  /** Planes of overlap each side of a chunk. */
  overlap: number;
  /** Smallest and largest core size, in planes. */
  sizeMin: number;
  sizeMax: number;
  /** Number of workers: chunk counts are rounded up to a multiple of this, as ClearMap optimises. */
  workers: number;
}

/**
 * Split `depth` planes into chunks with core sizes in [sizeMin, sizeMax] (the last may be smaller if
 * the stack is).
 *
 * Count: the fewest chunks memory allows (ceil(depth / sizeMax)), or that rounded up to a multiple of
 * the worker count (ClearMap's `optimizeChunkSize`) while cores stay >= sizeMin — whichever finishes
 * first when the chunks are handed out in order to the first free worker, with each chunk's cost
 * taken as the planes it reads (overlap included). So a stack is not split for a second worker when
 * the overlap would make both chunks read nearly everything, and no round ends with one chunk alone.
 *
 * Layout: a chunk at either end of the stack reads overlap on one side only, so its core is made up
 * to `overlap` planes larger (within sizeMax): every chunk then reads about the same number of planes
 * and workers finish together.
 */
export function planChunks(depth: number, o: ChunkingOptions): ChunkGeometry[] {
  if (!(depth > 0)) return [];
  const sizeMax = Math.max(1, Math.floor(o.sizeMax));
  const sizeMin = Math.max(1, Math.min(Math.floor(o.sizeMin), sizeMax));
  const overlap = Math.max(0, Math.floor(o.overlap));
  const w = Math.max(1, Math.floor(o.workers));
  const fewest = Math.min(depth, Math.ceil(depth / sizeMax));
  let best = layout(depth, fewest, overlap, sizeMax, sizeMin);
  const rounded = Math.min(depth, Math.ceil(fewest / w) * w);
  if (rounded !== fewest && Math.floor(depth / rounded) >= sizeMin) {
    const alt = layout(depth, rounded, overlap, sizeMax, sizeMin);
    // ties go to the multiple of the workers (no round with one chunk alone) unless it reads more
    const a = makespan(alt, w), b = makespan(best, w);
    if (a < b || (a === b && planesRead(alt) <= planesRead(best))) best = alt;
  }
  return best;
}

/** n chunks with balanced reads (end cores up to `overlap` larger), or an even split of the cores. */
function layout(depth: number, n: number, overlap: number, sizeMax: number, sizeMin: number): ChunkGeometry[] {
  const cores: number[] = [];
  if (n >= 2 && overlap > 0) {
    // interior core c, end cores c + e: n c + 2 e = depth, e <= overlap, c + e <= sizeMax, c >= sizeMin
    let e = Math.min(overlap, Math.floor((depth - n) / 2));
    let c = (depth - 2 * e) / n;
    if (c + e > sizeMax) { e = Math.max(0, Math.floor((n * sizeMax - depth) / (n - 2 || 1))); e = Math.min(e, overlap); c = (depth - 2 * e) / n; }
    if (e > 0 && c >= sizeMin && c + e <= sizeMax) {
      for (let i = 0; i <= n; i++) cores.push(i === 0 ? 0 : i === n ? depth : Math.round(e + i * c));
    }
  }
  if (cores.length === 0) for (let i = 0; i <= n; i++) cores.push(Math.floor((i * depth) / n)); // even split: sizes differ by at most one
  const chunks: ChunkGeometry[] = [];
  for (let i = 0; i < n; i++) {
    const c0 = cores[i], c1 = cores[i + 1];
    chunks.push({ index: i, count: n, core: [c0, c1], read: [Math.max(0, c0 - overlap), Math.min(depth, c1 + overlap)], depth });
  }
  return chunks;
}

/** Finishing time (in planes read) when chunks go in order to the first free of `workers`. */
function makespan(chunks: ChunkGeometry[], workers: number): number {
  const load = new Array<number>(workers).fill(0);
  for (const c of chunks) {
    let k = 0;
    for (let j = 1; j < workers; j++) if (load[j] < load[k]) k = j;
    load[k] += c.read[1] - c.read[0];
  }
  return Math.max(...load);
}

function planesRead(chunks: ChunkGeometry[]): number {
  return chunks.reduce((s, c) => s + c.read[1] - c.read[0], 0);
}

/** Planes read by all chunks together, relative to the stack depth, minus one (0 = no re-read). */
export function overlapShare(chunks: ChunkGeometry[]): number {
  if (chunks.length === 0) return 0;
  return planesRead(chunks) / chunks[0].depth - 1;
}
