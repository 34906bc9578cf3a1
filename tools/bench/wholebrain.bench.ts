// Whole-brain-scale detection benchmark (issue 15): full-size light-sheet planes (2560 x 2160, a
// sCMOS frame; a brain is ~2000 of them), a seeded synthetic stack generated slab by slab straight to
// a TIFF on disk (never whole in memory), `detect` with the tutorial chain through the engine with
// the planner's z-slabs x x/y tiles. Runs P and 2P planes and prints, per run: Mvoxel/s per worker
// (from CPU time, which the load of a shared machine does not inflate, and from wall time), the
// chunk plan (tiles, re-read overlap, chunks whose window had to grow) and peak RSS; then the RSS
// ratio 2P / P (flat = the chunks, not the stack, set the memory) and the time extrapolated to 2000
// planes on N cores with the plan the engine makes there.
// Not part of the default `npm run bench`: run `npm run bench -- wholebrain`.
// Env: BENCH_WHOLEBRAIN_PLANES=P (default 8; BENCH_FULL=1 -> 256), BENCH_WORKERS (default: the cores),
// BENCH_WORKER_MEMORY=bytes per worker (default 1.5e9: chunks far smaller than the stack, so the chunks, not the stack, bound RSS).
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { planTiles, readShare } from '../../engine/data/chunk.js';
import type { Volume } from '../../engine/data/volume.js';
import { createVolumeWriter } from '../../nodes/io/lib/formats.js';
import { detectOverlap, detectOverlapXY, resolveDetectParams } from '../../nodes/detection/lib/params.js';
import { BENCH_PARAMS } from '../detection/bench.js';
import { syntheticNuclei } from '../detection/synthetic-nuclei.js';
import { benchDir, runWorkflowCliTimed, type BenchRow } from './util.js';

const X = 2560, Y = 2160;
const INPUT_BYTES = 2; // uint16
const WORKING_BYTES = 33; // the detect node's declared working bytes per voxel

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

/** The plan the engine makes for `planes` planes on `workers` workers with `memory` bytes each (as engine/scheduler/plan.ts). */
function enginePlan(planes: number, workers: number, memory: number) {
  const p = resolveDetectParams(BENCH_PARAMS);
  const overlap = detectOverlap(p), overlapXY = detectOverlapXY(p);
  const chunks = planTiles({ shape: [X, Y, planes], overlap, overlapXY, sizeMin: 1, sizeMax: Math.max(100, Math.ceil((2 * overlap) / 0.15)), maxReadVoxels: Math.floor(memory / (INPUT_BYTES + WORKING_BYTES)), workers });
  const g = chunks[0];
  const tiles = chunks.filter((c) => c.core[0] === g.core[0]).length;
  return { chunks, share: readShare(chunks, [X, Y, planes]), describe: `${chunks.length} chunks (${tiles} x/y tile(s) x ${chunks.length / tiles} slab(s), read box ${g.tile ? `${g.tile.read[0][1] - g.tile.read[0][0]}x${g.tile.read[1][1] - g.tile.read[1][0]}` : `${X}x${Y}`}x${g.read[1] - g.read[0]}), overlap ${overlap} planes / ${overlapXY} px` };
}

export async function wholebrainBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const P = Number(process.env.BENCH_WHOLEBRAIN_PLANES ?? (process.env.BENCH_FULL ? 256 : 8));
  const workers = Number(process.env.BENCH_WORKERS ?? cpus().length);
  const memory = Number(process.env.BENCH_WORKER_MEMORY ?? 1.5e9);
  const plane = X * Y;
  const rss: number[] = [];
  let readPerCpu = NaN;
  const load0 = loadavg()[0];
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
      const r = runWorkflowCliTimed(dir, wf, ['--workers', String(workers)]);
      const n = r.summary.nodes.find((x) => x.id === 'cells')!;
      const plan = enginePlan(planes, workers, memory);
      const voxels = plane * planes;
      if (planes === P) readPerCpu = (voxels * (1 + plan.share)) / r.cpuSeconds / 1e6;
      rss.push(r.peakRssMB);
      const note = `${n.seconds.toFixed(1)} s wall, ${r.cpuSeconds.toFixed(1)} s CPU (whole CLI), ${plan.describe}, re-read ${(100 * plan.share).toFixed(0)}%, ${n.chunks?.regrown ?? 0} chunk(s) regrown, ${n.chunks?.patched ?? 0} patched, peak RSS ${r.peakRssMB.toFixed(0)} MB, stack generated in ${gen.toFixed(0)} s`;
      rows.push({ section: 'wholebrain', case: `detect ${X}x${Y}x${planes} uint16 (TIFF), ${workers} workers: per worker, from CPU time`, value: voxels / 1e6 / r.cpuSeconds, unit: 'Mvoxel/s per worker', note });
      rows.push({ section: 'wholebrain', case: `detect ${X}x${Y}x${planes}, ${workers} workers: per worker, from wall time`, value: voxels / 1e6 / n.seconds / workers, unit: 'Mvoxel/s per worker', note: `load average ${loadavg()[0].toFixed(1)} (${load0.toFixed(1)} before the first run)${loadavg()[0] > cpus().length + 0.5 ? ': the machine is NOT idle, wall figures are inflated' : ''}` });
    } finally {
      cleanup();
    }
  }
  rows.push({ section: 'wholebrain', case: `peak RSS at ${2 * P} planes / at ${P} planes (flat = 1)`, value: rss[1] / rss[0], unit: 'x', note: `${rss[0].toFixed(0)} MB -> ${rss[1].toFixed(0)} MB; worker memory budget ${(memory / 1e9).toFixed(1)} GB x ${workers} workers` });
  for (const [cores, mem] of [[2, memory], [16, memory], [16, 8e9]] as const) {
    const plan = enginePlan(2000, cores, mem);
    const seconds = (2000 * plane * (1 + plan.share)) / (readPerCpu * 1e6 * cores);
    rows.push({ section: 'wholebrain', case: `extrapolated: 2000 planes of ${X}x${Y} on ${cores} cores, ${(mem / 1e9).toFixed(1)} GB per worker`, value: seconds / 60, unit: 'min', note: `${plan.describe}: ${(100 * plan.share).toFixed(0)}% re-read; ${readPerCpu.toFixed(2)} Mvoxel read/s per core (measured)` });
  }
  return rows;
}
