// Run the detect kernel on a whole stack (single thread, no chunking) and write the cells as CSV:
//   node dist/tools/detection/detect-cli.js <tiff file | directory> <out.csv> [--params json-or-file] [--chunk N --overlap M]
// With --chunk, the stack is processed in z-slabs of N core planes (overlap M, default: the node's
// declared overlap) and joined by core z, as the engine does. Prints the wall time as JSON.
import { readFileSync, writeFileSync } from 'node:fs';
import { planChunks } from '../../engine/data/chunk.js';
import { concatPoints, filterPoints, pointCount, type Points } from '../../engine/data/points.js';
import { sliceZ, type Volume } from '../../engine/data/volume.js';
import { detectCells, detectKernel } from '../../nodes/detection/detect/kernel.js';
import { covers, growWindow } from '../../engine/scheduler/chunk-task.js';
import { detectOverlap, resolveDetectParams } from '../../nodes/detection/lib/params.js';
import { readTiffStack } from './tiff-stack.js';

export async function detectChunked(volume: Volume, params: Record<string, unknown>, chunk: number, overlap?: number): Promise<Points> {
  const depth = volume.shape[2];
  const ov = overlap ?? detectOverlap(resolveDetectParams(params));
  const parts: Points[] = [];
  for (const g of planChunks(depth, { overlap: ov, sizeMin: 1, sizeMax: chunk, workers: 1 })) {
    // as the engine's chunk task: grow the window until the points are decided over the core
    let read = g.read;
    let r = await detectKernel(sliceZ(volume, read[0], read[1]), { ...g, read }, params);
    while (!covers(r.decided, g.core, depth)) {
      read = growWindow(read, r.decided, g);
      r = await detectKernel(sliceZ(volume, read[0], read[1]), { ...g, read }, params);
    }
    const pts = r.points;
    parts.push(filterPoints(pts, (i) => pts.coords[3 * i + 2] >= g.core[0] && pts.coords[3 * i + 2] < g.core[1]));
  }
  return concatPoints(parts);
}

export function pointsToCsv(p: Points): string {
  const names = Object.keys(p.properties);
  const lines = [['x', 'y', 'z', ...names].join(',')];
  for (let i = 0; i < pointCount(p); i++) {
    lines.push([p.coords[3 * i], p.coords[3 * i + 1], p.coords[3 * i + 2], ...names.map((n) => p.properties[n][i])].join(','));
  }
  return lines.join('\n') + '\n';
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name: string) => { const i = args.indexOf(name); if (i < 0) return undefined; const v = args[i + 1]; args.splice(i, 2); return v; };
  const paramsArg = opt('--params'), chunkArg = opt('--chunk'), overlapArg = opt('--overlap');
  const [source, out] = args;
  if (!source || !out) { console.error('usage: detect-cli <tiff|dir> <out.csv> [--params json|file] [--chunk N] [--overlap M]'); process.exit(2); }
  const params = paramsArg ? JSON.parse(paramsArg.trim().startsWith('{') ? paramsArg : readFileSync(paramsArg, 'utf8')) : {};
  const vol = await readTiffStack(source);
  const t0 = performance.now();
  const pts = chunkArg
    ? await detectChunked(vol, params, Number(chunkArg), overlapArg === undefined ? undefined : Number(overlapArg))
    : await detectCells(vol, { index: 0, count: 1, read: [0, vol.shape[2]], core: [0, vol.shape[2]], depth: vol.shape[2] }, params);
  const s = (performance.now() - t0) / 1000;
  writeFileSync(out, pointsToCsv(pts));
  const n = vol.shape[0] * vol.shape[1] * vol.shape[2];
  console.log(JSON.stringify({ cells: pointCount(pts), seconds: +s.toFixed(3), mvoxelPerSecond: +(n / s / 1e6).toFixed(3), shape: vol.shape }));
}

if (import.meta.url === `file://${process.argv[1]}`) main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
