// IO benchmark (issues 3, 15): read throughput of every volume format against `cat` on the same,
// page-cached files, and write throughput against `dd` writing the same number of bytes into the same
// folder, for a 1024x1024x128 uint16 stack in 16-plane slabs.
//
// Honest by construction: both sides measured in the same run, alternating which goes first, the
// page cache warmed for both (cat reads the very files we read), medians of BENCH_IO_RUNS runs
// (default 7) with the spread printed. cat and dd are timed from outside by a small Python wrapper
// (wall from spawn to exit, CPU from wait4), so neither a shell nor the wrapper's start-up counts.
// Wall ratios are what the issue targets; on a loaded machine they scatter (both sides wait for a
// core), so the ratio of CPU seconds (user + system, this process vs the child) is printed too: it
// is what the wall ratio would be on an idle machine, both being single-threaded copies.
// Reads go through the path chunk tasks use: engine readRegion into this thread's slab pool, the
// source opened once (as each worker does; the open is reported apart).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createVolumeWriter, openVolume, volumeFiles } from '../../nodes/io/lib/formats.js';
import { clearVolumeCache, readVolumeRegion } from '../../nodes/io/lib/read-region.js';
import { readRegion } from '../../engine/data/read.js';
import { threadSlabPool } from '../../engine/data/slab-pool.js';
import type { VolumeRef } from '../../engine/core/artefacts.js';
import type { Volume } from '../../engine/data/volume.js';
import { benchDir, CLI, timeCommand, writeNoiseStack, type BenchRow } from './util.js';

const emptyFolder = (d: string) => { mkdirSync(d, { recursive: true }); for (const f of readdirSync(d)) rmSync(join(d, f), { recursive: true, force: true }); };

const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const spread = (a: number[]) => `runs ${Math.min(...a).toFixed(2)}–${Math.max(...a).toFixed(2)}`;

/** Wall and CPU (user + system) seconds. */
interface Took { wall: number; cpu: number }

// Times one child process from outside: wall from spawn to exit (the Python interpreter's own start-up
// is not included), CPU from wait4's rusage (microseconds, unlike GNU time's 10 ms).
const TIME_CHILD = [
  'import os, sys, time',
  'out = os.open("/dev/null", os.O_WRONLY)',
  't = time.perf_counter()',
  'pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], dict(os.environ), file_actions=[(os.POSIX_SPAWN_DUP2, out, 1)])',
  '_, status, ru = os.wait4(pid, 0)',
  'print(time.perf_counter() - t, ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(status))',
].join('\n');

/** Run a command (stdout to /dev/null): its wall and CPU seconds. */
function command(cmd: string, args: string[]): Took {
  const r = spawnSync('/usr/bin/python3', ['-c', TIME_CHILD, cmd, ...args], { encoding: 'utf8' });
  const [wall, cpu, code] = (r.stdout ?? '').trim().split(' ').map(Number);
  if (r.status !== 0 || code !== 0 || !(wall >= 0)) throw new Error(`${cmd} ${args.slice(0, 4).join(' ')} failed: ${r.stderr}`);
  return { wall, cpu };
}

/** Wall and CPU seconds of this process running `fn`. */
async function ours(fn: () => Promise<void>): Promise<Took> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

/** cat over the files `passes` times in one process. */
const catFiles = (files: string[], passes = 1): Took => command('cat', Array.from({ length: passes }, () => files).flat());
const ddWrite = (of: string, count: number): Took => command('dd', ['if=/dev/zero', `of=${of}`, 'bs=16M', `count=${count}`, 'status=none']);

/** Every slab of the volume, each into a pooled buffer as a chunk task reads it. */
async function readSlabs(ref: VolumeRef, planes: number): Promise<void> {
  const Z = ref.shape[2];
  for (let z = 0; z < Z; z += planes) {
    const lease = threadSlabPool.lease();
    await readRegion(ref, { z: [z, Math.min(Z, z + planes)] }, { into: lease });
    lease.release();
  }
}

/** The same slabs, each into a freshly allocated array (the path before the slab pool). */
async function readSlabsFresh(ref: VolumeRef, planes: number): Promise<void> {
  const Z = ref.shape[2];
  for (let z = 0; z < Z; z += planes) await readVolumeRegion(ref.args, { z: [z, Math.min(Z, z + planes)] });
}

export async function ioBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const runs = Math.max(1, Number(process.env.BENCH_IO_RUNS ?? 7));
  const { dir, cleanup } = benchDir('io');
  const load0 = loadavg()[0];
  try {
    const [X, Y, Z] = [1024, 1024, 128];
    const planes = 16;
    const bytes = X * Y * Z * 2;
    const mb = bytes / 1e6;
    const targets: Array<{ name: string; path: string; bigTiff?: boolean }> = [
      { name: 'TIFF stack', path: join(dir, 'tiff', 'stack.tif') },
      { name: 'BigTIFF stack', path: join(dir, 'bigtiff', 'stack.tif'), bigTiff: true },
      { name: 'TIFF per-plane files', path: join(dir, 'planes', 'Z\\d{4}.tif') },
      { name: 'MHD/RAW', path: join(dir, 'mhd', 'stack.mhd') },
      { name: 'NRRD raw', path: join(dir, 'nrrd', 'stack.nrrd') },
    ];
    // the slabs are generated first, so only the writer is timed
    const slabs: Volume[] = [];
    let s = 7;
    for (let z0 = 0; z0 < Z; z0 += planes) {
      const data = new Uint16Array(X * Y * planes);
      for (let i = 0; i < data.length; i++) { s = (s * 1103515245 + 12345) >>> 0; data[i] = s >>> 20; }
      slabs.push({ data, shape: [X, Y, planes], dtype: 'uint16', voxelSize: [1, 1, 1], origin: [0, 0, z0] });
    }

    // --- writes: ours vs dd (bs=16M from /dev/zero, no fsync: our writers do not fsync either) into the
    // same folder; each writes a new file (old ones removed untimed, so neither pays for freeing pages)
    for (const t of targets) mkdirSync(dirname(t.path), { recursive: true });
    const write = new Map<string, { dd: Took[]; ours: Took[] }>(targets.map((t) => [t.name, { dd: [], ours: [] }]));
    for (let r = 0; r < runs; r++) {
      for (const t of targets) {
        const folder = dirname(t.path);
        const runDd = () => {
          emptyFolder(folder);
          const took = ddWrite(join(folder, 'dd.bin'), bytes / 2 ** 24);
          emptyFolder(folder);
          return took;
        };
        const runOurs = async () => {
          emptyFolder(folder);
          return ours(async () => {
            const w = createVolumeWriter(t.path, { shape: [X, Y, Z], dtype: 'uint16', voxelSize: [1, 1, 1] }, { bigTiff: !!t.bigTiff });
            for (const v of slabs) await w.writeSlab(v);
            await w.commit();
          });
        };
        const m = write.get(t.name)!;
        if (r % 2 === 0) { m.dd.push(runDd()); m.ours.push(await runOurs()); } else { m.ours.push(await runOurs()); m.dd.push(runDd()); }
      }
    }
    for (const t of targets) {
      const m = write.get(t.name)!;
      const wall = m.dd.map((d, i) => d.wall / m.ours[i].wall), cpu = m.dd.map((d, i) => d.cpu / m.ours[i].cpu);
      rows.push({
        section: 'io', case: `${t.name}: write ${X}x${Y}x${Z} uint16 in ${planes}-plane slabs, fraction of dd (target >= 0.5)`, value: median(wall), unit: 'x dd',
        note: `wall, median of ${runs}, ${spread(wall)}; per CPU second ${median(cpu).toFixed(2)} (${spread(cpu)}); ${(mb / median(m.ours.map((x) => x.wall))).toFixed(0)} MB/s, dd ${(mb / median(m.dd.map((x) => x.wall))).toFixed(0)} MB/s`,
      });
    }

    // --- reads: ours vs cat on the files just written, page cache warm for both
    const passes = 3; // each timing reads the volume this many times (cat: one process over the files 3x)
    for (const t of targets) {
      const files = await volumeFiles(t.path);
      clearVolumeCache();
      const open = await ours(async () => { const o = await openVolume(t.path); await readVolumeRegion(o.ref.args, { z: [0, 1] }); });
      const { ref } = await openVolume(t.path);
      catFiles(files); catFiles(files); // warm the page cache (and our code paths, above)
      const cat: Took[] = [], we: Took[] = [], fresh: number[] = [];
      for (let r = 0; r < runs; r++) {
        const runCat = () => catFiles(files, passes);
        const runOurs = () => ours(async () => { for (let p = 0; p < passes; p++) await readSlabs(ref, planes); });
        if (r % 2 === 0) { cat.push(runCat()); we.push(await runOurs()); } else { we.push(await runOurs()); cat.push(runCat()); }
        fresh.push(catFiles(files).wall / (await ours(() => readSlabsFresh(ref, planes))).wall);
      }
      const wall = cat.map((c, i) => c.wall / we[i].wall), cpu = cat.map((c, i) => c.cpu / we[i].cpu);
      rows.push({
        section: 'io', case: `${t.name}: read ${X}x${Y}x${Z} uint16 in ${planes}-plane slabs, fraction of cat (target >= 0.5)`, value: median(wall), unit: 'x cat',
        note: `wall, median of ${runs}, ${spread(wall)}; per CPU second ${median(cpu).toFixed(2)} (${spread(cpu)}); ${(passes * mb / median(we.map((x) => x.wall))).toFixed(0)} MB/s, cat ${(passes * mb / median(cat.map((x) => x.wall))).toFixed(0)} MB/s; a fresh array per slab instead of the pool: ${median(fresh).toFixed(2)} x cat; open + first plane ${(open.wall * 1000).toFixed(0)} ms`,
      });
    }

    // range reads of a > 2 GB BigTIFF only touch what they need: peak RSS of a whole process that
    // extracts a small box stays far below the file size
    rmSync(join(dir, 'bigtiff'), { recursive: true, force: true });
    const big = join(dir, 'big.tif');
    const bigShape: [number, number, number] = [1024, 1024, 1100];
    await writeNoiseStack(big, bigShape, 5, 'uint16', true);
    const bigBytes = bigShape[0] * bigShape[1] * bigShape[2] * 2;
    const r = timeCommand(process.execPath, [CLI, 'convert', big, join(dir, 'box.mhd'), '--x', '100:612', '--y', '200:712', '--z', '600:664']);
    rows.push({ section: 'io', case: `range read 512x512x64 from a ${(bigBytes / 2 ** 30).toFixed(2)} GiB BigTIFF (clearmap convert)`, value: r.peakRssMB, unit: 'MB peak RSS', note: `${r.seconds.toFixed(2)} s; file ${(bigBytes / 2 ** 20).toFixed(0)} MiB` });
  } finally {
    cleanup();
  }
  rows.push({ section: 'io', case: 'machine load while measuring (1-min load average, start / end)', value: load0, unit: 'load', note: `end ${loadavg()[0].toFixed(2)}; ${runs} runs; cat/dd timed by a wait4 wrapper (their exec included, no shell)` });
  return rows;
}
