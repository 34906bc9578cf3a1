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
  /**
   * x/y tile of the chunk, when the planner cut planes into tiles (chains whose nodes all declare
   * `overlapXY`); absent = the chunk spans whole planes.
   */
  tile?: TileGeometry;
}

/** Where a chunk lies in x and y: read and owned columns/rows (global, half-open) and the plane size. */
export interface TileGeometry {
  read: [Range, Range];
  core: [Range, Range];
  plane: [number, number];
}

/** A box of global voxels [x, y, z] (half-open ranges). */
export type Box = [Range, Range, Range];

/** The voxels a chunk reads, given the plane size of its source. */
export function readBox(g: ChunkGeometry, plane: [number, number]): Box {
  return g.tile ? [g.tile.read[0], g.tile.read[1], g.read] : [[0, plane[0]], [0, plane[1]], g.read];
}

/** The voxels a chunk owns, given the plane size of its source. */
export function coreBox(g: ChunkGeometry, plane: [number, number]): Box {
  return g.tile ? [g.tile.core[0], g.tile.core[1], g.core] : [[0, plane[0]], [0, plane[1]], g.core];
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

export interface TilingOptions {
  /** Stack shape [x, y, z]. */
  shape: [number, number, number];
  /** Planes of overlap each side in z, and columns/rows of overlap each side in x and y. */
  overlap: number;
  overlapXY: number;
  /** Smallest and largest core depth, in planes. */
  sizeMin: number;
  sizeMax: number;
  /** Largest read box (voxels) one chunk may have: the per-worker memory budget. */
  maxReadVoxels: number;
  workers: number;
  /** Largest tile core in x and y (forces tiles of at most this size); 0 = no tiles. */
  tileSizeMax?: number;
}

/** Fixed cost of one chunk task, in voxels of work (task start, kernel set-up, chunk file). */
const CHUNK_COST_VOXELS = 2e5;
/** A plan with x/y tiles must finish this much sooner than the best z-slab plan to be chosen. */
const TILE_GAIN = 0.95;
const MAX_TILES_PER_AXIS = 32;
const MIN_TILE_CORE = 8;

/**
 * Cut a stack into z-slabs x y-tiles x x-tiles when that finishes sooner than z-slabs alone: planes
 * too large for a slab deep enough to keep the z overlap small (a whole brain's 2160 x 2560 planes),
 * or a stack too shallow to split in z for the workers. Every candidate (tiles per axis, and the
 * slab count rounded up to make the chunk count a multiple of the workers) is scored by its
 * finishing time in voxels read (overlap included, plus a fixed cost per chunk) when chunks go in
 * order to the first free worker; reads must fit `maxReadVoxels`. Without tiles the result is
 * planChunks' (same geometries, no `tile`).
 */
export function planTiles(o: TilingOptions): ChunkGeometry[] {
  const [X, Y, Z] = o.shape;
  if (!(Z > 0)) return [];
  const w = Math.max(1, Math.floor(o.workers));
  const oz = Math.max(0, Math.floor(o.overlap)), oxy = Math.max(0, Math.floor(o.overlapXY));
  const zMax = Math.max(1, Math.floor(o.sizeMax)), zMin = Math.max(1, Math.min(Math.floor(o.sizeMin), zMax));
  // whole planes: as deep as memory allows (the plan a chain without tiles gets)
  const slabMax = Math.max(1, Math.min(zMax, Math.floor(o.maxReadVoxels / (X * Y)) - 2 * oz));
  const slabs = planChunks(Z, { overlap: oz, sizeMin: Math.min(zMin, slabMax), sizeMax: slabMax, workers: w });
  const cost = (g: ChunkGeometry) => boxVoxels(readBox(g, [X, Y])) + CHUNK_COST_VOXELS;
  const slabFits = Math.max(...slabs.map((g) => boxVoxels(readBox(g, [X, Y])))) <= o.maxReadVoxels;
  const zOnlyTime = slabFits ? finishing(slabs.map(cost), w) : Infinity;
  if (o.tileSizeMax === 0) return slabs;
  const forced = o.tileSizeMax !== undefined ? [Math.ceil(X / o.tileSizeMax), Math.ceil(Y / o.tileSizeMax)] : null;
  if (forced && forced[0] * forced[1] === 1) return slabs;
  let tiled: { time: number; tiles: number; nx: number; ny: number; nz: number } | null = null;
  for (let nx = forced ? forced[0] : 1; nx <= (forced ? forced[0] : Math.min(MAX_TILES_PER_AXIS, Math.floor(X / MIN_TILE_CORE))); nx++) {
    for (let ny = forced ? forced[1] : 1; ny <= (forced ? forced[1] : Math.min(MAX_TILES_PER_AXIS, Math.floor(Y / MIN_TILE_CORE))); ny++) {
      if (nx * ny === 1) continue;
      const xs = layout(X, nx, oxy, X, 1), ys = layout(Y, ny, oxy, Y, 1);
      const rx = Math.max(...xs.map((g) => g.read[1] - g.read[0])), ry = Math.max(...ys.map((g) => g.read[1] - g.read[0]));
      // fewest slabs whose read boxes fit the memory budget (reads are clipped to the stack)
      const zRead = Math.floor(o.maxReadVoxels / (rx * ry));
      const fits = (nz: number) => Math.max(...layout(Z, nz, oz, Z, 1).map((g) => g.read[1] - g.read[0])) <= zRead;
      let nz0: number;
      if (zRead >= Z) nz0 = 1;
      else if (Math.min(zMax, zRead - 2 * oz) < 1) continue;
      else {
        nz0 = Math.min(Z, Math.ceil(Z / Math.min(zMax, zRead - 2 * oz)));
        for (let k = 0; k < 4 && nz0 > 1 && Z / (nz0 - 1) <= zMax && fits(nz0 - 1); k++) nz0--;
      }
      const counts = [nz0];
      for (let nz = nz0 + 1; nz <= Math.min(Z, nz0 + w); nz++) if ((nx * ny * nz) % w === 0) { counts.push(nz); break; }
      for (const nz of counts) {
        const zs = layout(Z, nz, oz, Z, 1);
        if (Math.max(...zs.map((g) => g.read[1] - g.read[0])) * rx * ry > o.maxReadVoxels) continue;
        const costs: number[] = [];
        for (const gz of zs) for (const gy of ys) for (const gx of xs) costs.push((gx.read[1] - gx.read[0]) * (gy.read[1] - gy.read[0]) * (gz.read[1] - gz.read[0]) + CHUNK_COST_VOXELS);
        const time = finishing(costs, w);
        if (!tiled || time < tiled.time || (time === tiled.time && nx * ny < tiled.tiles)) tiled = { time, tiles: nx * ny, nx, ny, nz };
      }
    }
  }
  // z-slabs keep their place unless tiles are clearly faster (or slabs do not fit the memory)
  if (!tiled || (!forced && !(tiled.time < TILE_GAIN * zOnlyTime))) return slabs;
  return withTiles(layout(Z, tiled.nz, oz, Z, 1), [X, Y], [tiled.nx, tiled.ny], oxy);
}

/**
 * z-chunks crossed with nx x ny tiles of the planes (balanced reads, `overlapXY` columns/rows each
 * side): chunks in z-slab order, then y, then x.
 */
export function withTiles(slabs: ChunkGeometry[], plane: [number, number], tiles: [number, number], overlapXY: number): ChunkGeometry[] {
  const [X, Y] = plane;
  const xs = layout(X, Math.min(X, tiles[0]), overlapXY, X, 1), ys = layout(Y, Math.min(Y, tiles[1]), overlapXY, Y, 1);
  const n = xs.length * ys.length * slabs.length;
  const out: ChunkGeometry[] = [];
  for (const gz of slabs) for (const gy of ys) for (const gx of xs) {
    out.push({ index: out.length, count: n, core: gz.core, read: gz.read, depth: gz.depth, tile: { read: [gx.read, gy.read], core: [gx.core, gy.core], plane: [X, Y] } });
  }
  return out;
}

function boxVoxels(b: Box): number {
  return (b[0][1] - b[0][0]) * (b[1][1] - b[1][0]) * (b[2][1] - b[2][0]);
}

/** Finishing time when chunks of the given costs go in order to the first free of `workers`. */
function finishing(costs: number[], workers: number): number {
  if (costs.length > 4096) return Math.ceil(costs.length / workers) * Math.max(...costs); // near-equal costs: rounds
  const load = new Array<number>(workers).fill(0);
  for (const c of costs) {
    let k = 0;
    for (let j = 1; j < workers; j++) if (load[j] < load[k]) k = j;
    load[k] += c;
  }
  return Math.max(...load);
}

/** Voxels read by all chunks together, relative to the stack, minus one (0 = no re-read). */
export function readShare(chunks: ChunkGeometry[], shape: [number, number, number]): number {
  if (chunks.length === 0) return 0;
  const read = chunks.reduce((s, g) => s + boxVoxels(readBox(g, [shape[0], shape[1]])), 0);
  return read / (shape[0] * shape[1] * shape[2]) - 1;
}

/** Planes read by all chunks together, relative to the stack depth, minus one (0 = no re-read). */
export function overlapShare(chunks: ChunkGeometry[]): number {
  if (chunks.length === 0) return 0;
  return planesRead(chunks) / chunks[0].depth - 1;
}
