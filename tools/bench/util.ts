// Shared benchmark helpers: temp dirs, synthetic stacks, running the real CLI and reading its summary.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunSummary } from '../../engine/core/events.js';
import { createVolumeWriter } from '../../nodes/io/lib/formats.js';
import type { DType, Volume } from '../../engine/data/volume.js';

export const ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
export const CLI = join(ROOT, 'bin', 'clearmap.js');

export interface BenchRow {
  section: string;
  case: string;
  value: number;
  unit: string;
  note?: string;
}

export function benchDir(name: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(process.env.BENCH_TMP ?? tmpdir(), `cm-bench-${name}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Write a seeded noisy uint16 stack plane-slab by slab (never whole in memory). */
export async function writeNoiseStack(path: string, shape: [number, number, number], seed = 1, dtype: DType = 'uint16', bigTiff = false): Promise<void> {
  const w = createVolumeWriter(path, { shape, dtype, voxelSize: [1, 1, 1] }, { bigTiff });
  const [X, Y, Z] = shape;
  let s = seed >>> 0 || 1;
  const slab = 16;
  for (let z0 = 0; z0 < Z; z0 += slab) {
    const nz = Math.min(slab, Z - z0);
    const data = new Uint16Array(X * Y * nz);
    for (let i = 0; i < data.length; i++) {
      s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
      data[i] = 100 + (s & 1023);
    }
    const v: Volume = { data, shape: [X, Y, nz], dtype: 'uint16', voxelSize: [1, 1, 1], origin: [0, 0, z0] };
    await w.writeSlab(v);
  }
  await w.commit();
}

export function runWorkflowCli(dir: string, wf: unknown, args: string[] = []): RunSummary {
  return runWorkflowCliTimed(dir, wf, args).summary;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Start rss-sampler.js on this process's descendants; stop() gives their summed peak RSS in MB (NaN if it failed). */
function sampleTreeRss(dir: string): { stop(): number } {
  const out = join(dir, `rss-${Math.random().toString(36).slice(2, 8)}`);
  const child = spawn(process.execPath, [fileURLToPath(new URL('./rss-sampler.js', import.meta.url)), String(process.pid), out], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !existsSync(`${out}.ready`); i++) sleep(50);
  return {
    stop() {
      child.kill('SIGTERM');
      for (let i = 0; i < 200 && !existsSync(out); i++) sleep(50);
      return existsSync(out) ? Number(readFileSync(out, 'utf8')) / 2 ** 20 : NaN;
    },
  };
}

/**
 * Run a workflow through the CLI; also the CPU seconds (user + system, all threads and worker
 * processes, via GNU time) and the peak RSS summed over the CLI and its worker processes.
 */
export function runWorkflowCliTimed(dir: string, wf: unknown, args: string[] = []): { summary: RunSummary; cpuSeconds: number; peakRssMB: number } {
  const file = join(dir, `wf-${Math.random().toString(36).slice(2, 8)}.json`);
  writeFileSync(file, JSON.stringify(wf));
  const summaryFile = `${file}.summary.json`;
  const rss = sampleTreeRss(dir);
  const r = spawnSync('/usr/bin/time', ['-f', '__CPU__%U %S %M', process.execPath, CLI, 'run', file, '--cache', join(dir, 'cache'), '--out', join(dir, 'out'), '--summary', summaryFile, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const tree = rss.stop();
  if (r.status !== 0) throw new Error(`benchmark workflow failed (exit ${r.status}):\n${r.stderr}`);
  const m = /__CPU__([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  // the largest single process (GNU time) is a floor when sampling missed a short peak
  const single = m ? Number(m[3]) / 1024 : NaN;
  return { summary: JSON.parse(readFileSync(summaryFile, 'utf8')) as RunSummary, cpuSeconds: m ? Number(m[1]) + Number(m[2]) : NaN, peakRssMB: Math.max(Number.isNaN(tree) ? 0 : tree, single) };
}

/** Wall time and peak RSS of a command, via GNU time. */
export function timeCommand(cmd: string, args: string[], opts: { cwd?: string } = {}): { seconds: number; peakRssMB: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '__RSS_KB__%M', cmd, ...args], { encoding: 'utf8', cwd: opts.cwd, maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  const m = /__RSS_KB__(\d+)/.exec(r.stderr);
  return { seconds, peakRssMB: m ? Number(m[1]) / 1024 : NaN, stdout: r.stdout };
}
