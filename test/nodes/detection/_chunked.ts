// Runs a detection chain chunk by chunk through the engine's own chunk task (engine/scheduler/chunk-task.ts),
// as the scheduler does, and joins the chunk files; used by the exactness-across-chunks tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize } from 'node:v8';
import type { ChunkContext, ChunkNodeType } from '../../../engine/core/node-type.js';
import { planChunks, withTiles, type ChunkGeometry } from '../../../engine/data/chunk.js';
import { concatPoints, pointCount, type Points } from '../../../engine/data/points.js';
import { rawVolumeRef } from '../../../engine/data/raw-volume.js';
import { makeVolume, type Volume } from '../../../engine/data/volume.js';
import { readChunkPayload } from '../../../engine/scheduler/chunk-file.js';
import { runChunkTask, type StageSpec } from '../../../engine/scheduler/chunk-task.js';

export interface ChainStage { id: string; type: ChunkNodeType; params: Record<string, unknown>; links?: Record<string, string>; inputs?: ChunkContext['inputs'] }

export function stageSpecs(stages: ChainStage[]): StageSpec[] {
  return stages.map((s) => ({
    nodeId: s.id, nodeType: s.type.type, module: s.type.kernel.module, export: s.type.kernel.export, params: s.params,
    produces: s.type.produces, context: { inputs: s.inputs ?? {}, baseDir: process.cwd() },
    overlap: s.type.overlap(s.params), ...(s.type.overlapXY ? { overlapXY: s.type.overlapXY(s.params) } : {}), ...(s.links ? { links: s.links } : {}),
  } as StageSpec));
}

/** x/y tiles of a chunked run: tiles per axis and the columns/rows of overlap each side (default: the chain's declared one). */
export interface Tiles { tiles: [number, number]; overlapXY?: number }

/** What the chunk tasks of a run did beyond their first window (summed over chunks). */
export interface ChunkStats { grown: number; patches: number }

/**
 * The chain's points for chunks of `chunk` planes (overlap: the chain's declared one unless given),
 * optionally cut into x/y tiles; `stats` (if given) gets the windows grown and patches run added.
 */
export async function runChunked(volume: Volume, stages: ChainStage[], chunk: number, overlap?: number, tiles?: Tiles, stats?: ChunkStats): Promise<Points> {
  const dir = mkdtempSync(join(tmpdir(), 'clearmap-chunked-'));
  try {
    const raw = join(dir, 'v.raw');
    const d = volume.data;
    writeFileSync(raw, new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    const source = rawVolumeRef(raw, volume.shape, volume.dtype, volume.voxelSize);
    const ov = overlap ?? stages.reduce((s, st) => s + st.type.overlap(st.params), 0);
    let geometries: ChunkGeometry[] = planChunks(volume.shape[2], { overlap: ov, sizeMin: 1, sizeMax: chunk, workers: 1 });
    if (tiles) {
      const oxy = tiles.overlapXY ?? stages.reduce((s, st) => s + (st.type.overlapXY?.(st.params) ?? 0), 0);
      geometries = withTiles(geometries, [volume.shape[0], volume.shape[1]], tiles.tiles, oxy);
    }
    const parts: Points[] = [];
    for (const g of geometries) {
      const file = join(dir, `${g.index}.chunk`);
      const r = await runChunkTask({ source, geometry: g, stages: stageSpecs(stages), chunkFile: file });
      if (stats) { stats.grown += (r.windows ?? 1) - 1; stats.patches += r.patches ?? 0; }
      const c = readChunkPayload(file)!;
      parts.push(deserialize(c.payload) as Points);
    }
    return concatPoints(parts);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Rows [z, y, x, ...columns] sorted, for order-free comparison. */
export function sortedRows(p: Points): number[][] {
  const names = Object.keys(p.properties);
  const rows: number[][] = [];
  for (let i = 0; i < pointCount(p); i++) rows.push([p.coords[3 * i + 2], p.coords[3 * i + 1], p.coords[3 * i], ...names.map((n) => p.properties[n][i])]);
  return rows.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]);
}

/** Rows of `b` not in `a` plus rows of `a` not in `b` (as JSON), for messages. */
export function rowDiff(a: number[][], b: number[][]): number {
  const sa = new Set(a.map((r) => JSON.stringify(r))), sb = new Set(b.map((r) => JSON.stringify(r)));
  let n = 0;
  for (const r of sa) if (!sb.has(r)) n++;
  for (const r of sb) if (!sa.has(r)) n++;
  return n;
}

/** A deterministic stack where no fixed overlap is enough (see the header comment). */
export function hardStack(): Volume {
  const [X, Y, Z] = [40, 40, 40];
  const d = new Uint16Array(X * Y * Z);
  let s = 7;
  const rnd = () => { s = (s * 1103515245 + 12345) >>> 0; return (s >>> 8) / (1 << 24); };
  for (let i = 0; i < d.length; i++) d[i] = Math.floor(10 * rnd());
  const put = (x: number, y: number, z: number, v: number) => {
    if (x < 0 || y < 0 || z < 0 || x >= X || y >= Y || z >= Z) return;
    const i = x + X * (y + Y * z);
    if (v > d[i]) d[i] = v;
  };
  // 1. an h-max ridge along z at value 95 from z 2 to 37 with summits 100 (z 6) and 120 (z 33): with
  //    h 10 the lower summit merges into a plateau that only the whole ridge decides
  for (let z = 2; z < 38; z++) for (let y = 6; y <= 8; y++) for (let x = 6; x <= 8; x++) put(x, y, z, 95);
  for (let z = 5; z <= 7; z++) put(7, 7, z, 100);
  for (let z = 32; z <= 34; z++) put(7, 7, z, 120);
  // 2. long cells (z semi-axis 14) with a single summit, two of them touching (watershed competition)
  const ellipsoid = (cx: number, cy: number, cz: number, r: number, rz: number, top: number) => {
    for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) {
      const q = ((x - cx) / r) ** 2 + ((y - cy) / r) ** 2 + ((z - cz) / rz) ** 2;
      if (q <= 1) put(x, y, z, Math.round(top * (1 - 0.6 * q)));
    }
  };
  ellipsoid(28, 10, 18, 4, 14, 200);
  ellipsoid(28, 17, 22, 4, 14, 180);
  // 3. flat-topped integer cells (plateaus of equal value spanning several planes)
  for (const [cx, cy, cz, top] of [[10, 28, 12, 90], [12, 30, 27, 90], [30, 30, 30, 70]]) {
    for (let z = cz - 5; z <= cz + 5; z++) for (let y = cy - 2; y <= cy + 2; y++) for (let x = cx - 2; x <= cx + 2; x++) put(x, y, z, top);
  }
  return makeVolume(d, [X, Y, Z]);
}

