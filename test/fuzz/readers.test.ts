// Fuzz: a few hundred seeded byte-flip / truncation / header-number mutations of small TIFF, BigTIFF,
// deflate TIFF, NRRD (raw, gzip), MHD (header, data), NPY and CSV files, opened and fully read
// in a worker thread (20 s limit per file): zero hangs, zero crashes, and every refusal is an error
// message naming the file. A few refused files also go through `clearmap info` / `clearmap run`.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createVolumeWriter } from '../../nodes/io/lib/formats.js';
import { writePointsFile } from '../../nodes/io/lib/points/points-files.js';
import { encodeNpy } from '../../nodes/io/lib/points/npy.js';
import { makePoints } from '../../engine/data/points.js';
import { CLI, ROOT, tempDir, writeWorkflow } from '../engine/helpers.js';
import { PYTHON, python, testVolume } from '../nodes/io/helpers.js';
import type { FuzzReply, FuzzRequest } from './fuzz-worker.js';
import { seededRandom } from '../../engine/data/random.js';

const PER_FILE_MS = 20_000;
const SEED = 20261130;

/** the project's seeded PRNG, so every CI run tries the same mutants */
const rng = seededRandom;

const NASTY = ['0', '-1', '1e308', '99999999999', 'NaN', 'abc', '3.5', '', '4294967296', '-0'];

function mutate(src: Buffer, r: () => number, textHeader: boolean): Buffer {
  const b = Buffer.from(src);
  const int = (n: number) => Math.floor(r() * n);
  switch (int(textHeader ? 5 : 4)) {
    case 0: { // flip a few bytes anywhere
      for (let k = 1 + int(8); k > 0; k--) b[int(b.length)] = int(256);
      return b;
    }
    case 1: { // flip bytes in the header area, where lengths and offsets live
      const head = Math.min(b.length, 512);
      for (let k = 1 + int(4); k > 0; k--) b[int(head)] = int(256);
      return b;
    }
    case 2: return b.subarray(0, int(b.length)); // truncate
    case 3: { // overwrite a 4- or 8-byte field with an extreme value
      const at = int(Math.max(1, Math.min(b.length, 512) - 8));
      const v = [0, 0xffffffff, 0x7fffffff, 8, b.length, b.length + 1][int(6)];
      b.writeUInt32LE(v >>> 0, at);
      return b;
    }
    default: { // text header: replace a number with a nasty one
      const text = b.toString('latin1');
      const nums = [...text.slice(0, 600).matchAll(/-?\d+(\.\d+)?/g)];
      if (!nums.length) return b.subarray(0, int(b.length));
      const m = nums[int(nums.length)];
      const out = text.slice(0, m.index) + NASTY[int(NASTY.length)] + text.slice(m.index! + m[0].length);
      return Buffer.from(out, 'latin1');
    }
  }
}

interface Mutant { path: string; stem: string; kind: 'volume' | 'points'; format: string }

async function makeMutants(dir: string): Promise<{ mutants: Mutant[]; skipped: string[] }> {
  const r = rng(SEED);
  const v = testVolume('uint16', [16, 12, 3]);
  const seed = async (name: string, opts: Parameters<typeof createVolumeWriter>[2] = {}) => {
    const w = createVolumeWriter(join(dir, name), { shape: v.shape, dtype: v.dtype, voxelSize: v.voxelSize }, opts);
    await w.writeSlab(v);
    return w.commit();
  };
  await seed('seed.tif');
  await seed('seed-big.tif', { bigTiff: true });
  await seed('seed.nrrd');
  await seed('seed-gz.nrrd', { encoding: 'gzip' });
  await seed('seed.mhd');
  const skipped: string[] = [];
  if (existsSync(PYTHON)) {
    python(['-c', `import numpy, tifffile; tifffile.imwrite(${JSON.stringify(join(dir, 'seed-zlib.tif'))}, (numpy.arange(3*12*16) % 251).astype('uint16').reshape(3, 12, 16), compression='zlib', photometric='minisblack')`]);
  } else skipped.push('deflate TIFF (no /usr/bin/python3 with tifffile)');
  const pts = makePoints(Float64Array.from({ length: 30 }, (_, i) => (i * 7) % 13), { raw: Float64Array.from({ length: 10 }, (_, i) => i * 3.5) });
  writeFileSync(join(dir, 'seed.npy'), encodeNpy(pts.coords, 10, 3));
  writePointsFile(join(dir, 'seed.csv'), pts);

  const mutants: Mutant[] = [];
  const plan: Array<[string, string, number, 'volume' | 'points', boolean]> = [
    ['seed.tif', 'tif', 55, 'volume', false],
    ['seed-big.tif', 'tif', 45, 'volume', false],
    ['seed-zlib.tif', 'tif', 30, 'volume', false],
    ['seed.nrrd', 'nrrd', 30, 'volume', true],
    ['seed-gz.nrrd', 'nrrd', 25, 'volume', true],
    ['seed.npy', 'npy', 40, 'points', false],
    ['seed.csv', 'csv', 35, 'points', true],
  ];
  for (const [src, ext, n, kind, text] of plan) {
    if (!existsSync(join(dir, src))) continue;
    const bytes = readFileSync(join(dir, src));
    for (let i = 0; i < n; i++) {
      const stem = `${src.replace(/\.\w+$/, '')}-m${i}`;
      const path = join(dir, `${stem}.${ext}`);
      writeFileSync(path, mutate(bytes, r, text));
      mutants.push({ path, stem, kind, format: src });
    }
  }
  // MHD: mutate the header (text) or the data file of a pair
  const header = readFileSync(join(dir, 'seed.mhd'), 'latin1');
  const raw = readFileSync(join(dir, 'seed.raw'));
  for (let i = 0; i < 40; i++) {
    const stem = `seed-mhd-m${i}`;
    const h = Buffer.from(header.replace(/ElementDataFile = .*/, `ElementDataFile = ${stem}.raw`), 'latin1');
    const mutateHeader = i % 3 !== 2;
    writeFileSync(join(dir, `${stem}.mhd`), mutateHeader ? mutate(h, r, true) : h);
    writeFileSync(join(dir, `${stem}.raw`), mutateHeader ? raw : mutate(raw, r, false));
    mutants.push({ path: join(dir, `${stem}.mhd`), stem, kind: 'volume', format: 'seed.mhd' });
  }
  return { mutants, skipped };
}

/** Feed mutants to a worker one by one; a file without an answer in PER_FILE_MS is a hang. */
async function readAll(mutants: Mutant[]): Promise<{ replies: Map<number, FuzzReply>; hangs: string[]; crashes: string[] }> {
  const replies = new Map<number, FuzzReply>();
  const hangs: string[] = [], crashes: string[] = [];
  let next = 0;
  while (next < mutants.length) {
    const worker = new Worker(new URL('./fuzz-worker.js', import.meta.url), { workerData: {}, resourceLimits: { maxOldGenerationSizeMb: 1024 } }); // workerData: geotiff's worker shim reads workerData.mod
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const send = () => {
        if (next >= mutants.length) { clearTimeout(timer); void worker.terminate(); resolve(); return; }
        const m = mutants[next];
        worker.postMessage({ id: next, path: m.path, kind: m.kind } satisfies FuzzRequest);
        clearTimeout(timer);
        timer = setTimeout(() => { hangs.push(m.path); next++; void worker.terminate(); resolve(); }, PER_FILE_MS);
      };
      worker.on('message', (msg: FuzzReply | 'ready') => {
        if (msg === 'ready') { send(); return; }
        replies.set(msg.id, msg);
        next++;
        send();
      });
      worker.on('error', (e) => { clearTimeout(timer); crashes.push(`${mutants[next]?.path}: ${e.message}`); next++; resolve(); });
      worker.on('exit', (code) => { clearTimeout(timer); if (next < mutants.length && !replies.has(next) && code !== 1) { crashes.push(`${mutants[next].path}: worker exited with ${code}`); next++; } resolve(); });
    });
  }
  return { replies, hangs, crashes };
}

function runCliAsync(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.stdout.resume();
    child.on('close', (code, signal) => resolve({ code, signal, stderr: err }));
  });
}

test('fuzzed TIFF, BigTIFF, NRRD, MHD, NPY and CSV files: no hang, no crash, every refusal names the file', async (t) => {
  t.timeout(10 * 60_000);
  const dir = tempDir('cm-fuzz-');
  const { mutants, skipped } = await makeMutants(dir);
  if (skipped.length) {
    if (process.env.CI === 'true') t.fail(`CI: missing ${skipped.join(', ')}`);
    else t.log(`skipped seeds: ${skipped.join(', ')}`);
  }
  t.true(mutants.length >= 250, `${mutants.length} mutants`);
  const { replies, hangs, crashes } = await readAll(mutants);
  t.deepEqual(hangs, [], 'files that took longer than 20 s');
  t.deepEqual(crashes, [], 'worker crashes');
  const unclear: string[] = [];
  let refused = 0;
  const perFormat = new Map<string, [number, number]>();
  mutants.forEach((m, i) => {
    const reply = replies.get(i);
    if (!reply) return;
    const c = perFormat.get(m.format) ?? [0, 0];
    if (reply.ok) c[0]++; else { c[1]++; refused++; }
    perFormat.set(m.format, c);
    if (!reply.ok && !reply.message!.includes(m.stem)) unclear.push(`${m.path}: ${reply.errorName}: ${reply.message}`);
  });
  t.log(`${mutants.length} mutants, ${refused} refused; per seed (read, refused): ${[...perFormat].map(([k, [a, b]]) => `${k} ${a}/${b}`).join(', ')}`);
  t.deepEqual(unclear, [], 'refusals whose message does not name the file');

  // a few refused files through the real CLI: exit 1 with a one-line message naming the file, no stack trace
  const refusedOf = (format: string) => mutants.find((m, i) => m.format === format && replies.get(i)?.ok === false);
  const checks: Array<Promise<void>> = [];
  for (const format of ['seed.tif', 'seed-big.tif', 'seed.nrrd']) {
    const m = refusedOf(format);
    if (!m) continue;
    checks.push(runCliAsync(['info', m.path]).then((r) => {
      t.is(r.signal, null, `${m.path}: killed by ${r.signal}`);
      t.is(r.code, 1, `${m.path}: ${r.stderr}`);
      t.true(r.stderr.includes(m.stem), r.stderr);
      t.notRegex(r.stderr, /^\s+at /m, `stack trace for ${m.path}`);
    }));
  }
  const mhd = refusedOf('seed.mhd');
  if (mhd) {
    const wf = writeWorkflow(dir, { version: 1, nodes: [
      { id: 'raw', type: 'read-volume', params: { path: mhd.path } },
      { id: 'stats', type: 'statistics', inputs: { input: 'raw.volume' } },
    ] }, 'fuzz-wf.json');
    checks.push(runCliAsync(['run', wf, '--cache', join(dir, 'cache'), '--out', join(dir, 'out'), '--workers', '1']).then((r) => {
      t.is(r.signal, null);
      t.is(r.code, 1, r.stderr);
      t.true(r.stderr.includes(mhd.stem), r.stderr);
      t.notRegex(r.stderr, /^\s+at /m);
    }));
  }
  await Promise.all(checks);
});
