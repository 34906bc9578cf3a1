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
 * the stack is), preferring a chunk count that is a multiple of the worker count so no worker idles
 * at the end (ClearMap's `optimizeChunkSize`).
 */
export function planChunks(depth: number, o: ChunkingOptions): ChunkGeometry[] {
  if (!(depth > 0)) return [];
  const sizeMax = Math.max(1, Math.floor(o.sizeMax));
  const sizeMin = Math.max(1, Math.min(Math.floor(o.sizeMin), sizeMax));
  let n = Math.ceil(depth / sizeMax);
  const w = Math.max(1, o.workers);
  // round up to a multiple of the worker count while chunks stay >= sizeMin
  const rounded = Math.ceil(n / w) * w;
  if (Math.floor(depth / rounded) >= sizeMin) n = rounded;
  n = Math.min(n, depth);
  const chunks: ChunkGeometry[] = [];
  for (let i = 0; i < n; i++) {
    // even split: core sizes differ by at most one plane
    const c0 = Math.floor((i * depth) / n);
    const c1 = Math.floor(((i + 1) * depth) / n);
    chunks.push({
      index: i,
      count: n,
      core: [c0, c1],
      read: [Math.max(0, c0 - o.overlap), Math.min(depth, c1 + o.overlap)],
      depth,
    });
  }
  return chunks;
}
