// Whole-brain-scale detection benchmark (issue 15): full-size light-sheet planes (2560 x 2160, a
// sCMOS frame; a brain is ~2000 of them), a seeded synthetic stack generated slab by slab straight to
// a TIFF on disk (never whole in memory), `detect` with the tutorial chain through the engine.
// Prints Mvoxel/s per worker (per CPU second), the time extrapolated to 2000 planes on N cores with
// the chunk plan the engine would use there (re-read overlap included), and the peak RSS at P and 2P
// planes. Not part of the default `npm run bench`: run `npm run bench -- wholebrain`.
// Env: BENCH_WHOLEBRAIN_PLANES=P (default 8; BENCH_FULL=1 -> 256), BENCH_WORKER_MEMORY=bytes per worker (default 8e9).
import { join } from 'node:path';
import { planChunks, overlapShare } from '../../engine/data/chunk.js';
import type { Volume } from '../../engine/data/volume.js';
import { createVolumeWriter } from '../../nodes/io/lib/formats.js';
import { detectOverlap, resolveDetectParams } from '../../nodes/detection/lib/params.js';
import { BENCH_PARAMS } from '../detection/bench.js';
import { syntheticNuclei } from '../detection/synthetic-nuclei.js';
import { benchDir, runWorkflowCliTimed, type BenchRow } from './util.js';

const X = 2560, Y = 2160;
const WORKING_BYTES = 33 + 2; // the detect node's declared working bytes per voxel + the uint16 input

async function writeStack(path: string, planes: number): Promise<void> {
  const w = createVolumeWriter(path, { shape: [X, Y, planes], dtype: 'uint16', voxelSize: [1, 1, 1] });
  const slab = 4;
  for (let z0 = 0; z0 < planes; z0 += slab) {
    const nz = Math.min(slab, planes - z0);
    // each slab is its own seeded synthetic stack (nuclei density as the detection bench's)
    const s = syntheticNuclei({ shape: [X, Y, nz], cells: Math.round((X * Y * nz) / 6000), seed: 1000 + z0, gain: 2, readNoise: 20 });
    const v: Volume = { ...s.volume, origin: [0, 0, z0] };
    await w.writeSlab(v);
  }
  await w.commit();
}

export async function wholebrainBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const P = Number(process.env.BENCH_WHOLEBRAIN_PLANES ?? (process.env.BENCH_FULL ? 256 : 8));
  const memory = Number(process.env.BENCH_WORKER_MEMORY ?? 8e9);
  const overlap = detectOverlap(resolveDetectParams(BENCH_PARAMS));
  const plane = X * Y;
  const rss: number[] = [];
  let perCore = NaN;
  for (const planes of [P, 2 * P]) {
    const { dir, cleanup } = benchDir(`wholebrain-${planes}`);
    try {
      const tif = join(dir, 'stack.tif');
      const t0 = performance.now();
      await writeStack(tif, planes);
      const gen = (performance.now() - t0) / 1000;
      const wf = { version: 1, settings: { workerMemoryMax: memory }, nodes: [
        { id: 'raw', type: 'read-volume', params: { path: tif } },
        { id: 'cells', type: 'detect', inputs: { input: 'raw.volume' }, params: BENCH_PARAMS },
      ] };
      const r = runWorkflowCliTimed(dir, wf, ['--workers', '1']);
      const n = r.summary.nodes.find((x) => x.id === 'cells')!;
      // the plan the engine made (same inputs as engine/scheduler/run.ts: memory budget, overlap)
      const sizeMax = Math.max(1, Math.floor(memory / (plane * WORKING_BYTES)) - 2 * overlap);
      const chunks = planChunks(planes, { overlap, sizeMin: 1, sizeMax, workers: 1 });
      const readVoxels = plane * planes * (1 + overlapShare(chunks));
      if (planes === P) perCore = readVoxels / r.cpuSeconds / 1e6;
      rss.push(r.peakRssMB);
      rows.push({ section: 'wholebrain', case: `detect ${X}x${Y}x${planes} uint16 (TIFF, generated in ${gen.toFixed(0)} s), 1 worker`, value: (plane * planes) / 1e6 / r.cpuSeconds, unit: 'Mvoxel/s per worker (CPU)', note: `${n.seconds.toFixed(1)} s wall, ${r.cpuSeconds.toFixed(1)} s CPU, ${n.chunks?.total} chunk(s), re-read overlap ${(100 * overlapShare(chunks)).toFixed(0)}%, peak RSS ${r.peakRssMB.toFixed(0)} MB` });
    } finally {
      cleanup();
    }
  }
  rows.push({ section: 'wholebrain', case: `peak RSS at ${2 * P} planes / at ${P} planes (flat = 1 once a chunk is smaller than the stack)`, value: rss[1] / rss[0], unit: 'x', note: `${rss[0].toFixed(0)} MB -> ${rss[1].toFixed(0)} MB; worker memory budget ${(memory / 1e9).toFixed(1)} GB` });
  for (const cores of [2, 16]) {
    const sizeMax = Math.max(1, Math.floor(memory / (plane * WORKING_BYTES)) - 2 * overlap);
    const chunks = planChunks(2000, { overlap, sizeMin: 1, sizeMax, workers: cores });
    const share = overlapShare(chunks);
    const seconds = (2000 * plane * (1 + share)) / (perCore * 1e6 * cores);
    rows.push({ section: 'wholebrain', case: `extrapolated: 2000 planes of ${X}x${Y} on ${cores} cores (${(memory / 1e9).toFixed(0)} GB per worker)`, value: seconds / 60, unit: 'min', note: `${chunks.length} z-chunks of <= ${sizeMax} planes + ${overlap} overlap each side: ${(100 * share).toFixed(0)}% re-read; ${perCore.toFixed(2)} Mvoxel/s per core read` });
  }
  return rows;
}
