// The ilastik-bridge plugin through real workflows, against the ilastik stand-in executable
// (test/fixtures/plugins/ilastik-standin: same headless CLI contract, deterministic "probabilities").
import test from 'ava';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runApi, tempDir, writeWorkflow, CLI, ROOT } from '../engine/helpers.js';
import { BLOB_PLUGIN, BLOBS, PYTHON, SHAPE, STANDIN_DIR, entryDir, match, pointsOf, toList } from './helpers.js';
import { checkPluginImports } from '../../tools/plugins/check-imports.js';
import { readNpy, writeNpy } from '../../app/api.js';

const PLUGIN = join(ROOT, 'plugins', 'ilastik-bridge');

/** A private copy of the stand-in (executable bit set) and a stand-in "project". */
function setup(project: Record<string, unknown> = { offset: 0, scale: 800 }) {
  const dir = tempDir('cm-ilastik-');
  const bin = join(dir, 'ilastik');
  mkdirSync(bin);
  const exe = join(bin, 'run_ilastik.sh');
  copyFileSync(join(STANDIN_DIR, 'run_ilastik.sh'), exe);
  copyFileSync(join(STANDIN_DIR, 'standin.mjs'), join(bin, 'standin.mjs'));
  chmodSync(exe, 0o755);
  const ilp = join(dir, 'cells.ilp');
  writeFileSync(ilp, JSON.stringify({ standin: project }));
  return { dir, bin, exe, ilp };
}

function workflow(ilp: string, extra: Record<string, unknown>, settings: Record<string, number>) {
  return {
    version: 1,
    plugins: [BLOB_PLUGIN, PLUGIN],
    settings,
    nodes: [
      { id: 'stack', type: 'test-blob-stack', params: { shape: SHAPE, blobs: BLOBS, seed: 5 } },
      { id: 'cells', type: 'ilastik-bridge.classify-cells', inputs: { input: 'stack.volume' }, params: { project: ilp, featureOverlap: 1, ...extra } },
    ],
  };
}

async function detect(ilp: string, extra: Record<string, unknown>, settings: Record<string, number>, workers = 2) {
  const dir = tempDir();
  const cache = join(dir, 'cache');
  const r = await runApi(writeWorkflow(dir, workflow(ilp, extra, settings)), { cache, workers });
  return { r, cache, dir };
}

test('detects the known blobs, identically for 1 chunk and for several chunks', async (t) => {
  const { exe, ilp } = setup();
  const one = await detect(ilp, { ilastik: exe }, { chunkSizeMax: 100 }, 1);
  t.true(one.r.summary.ok, JSON.stringify(one.r.summary.nodes));
  t.is(one.r.summary.nodes.find((n) => n.id === 'cells')!.chunks!.total, 1);
  const p1 = pointsOf(one.cache, 'ilastik-bridge.classify-cells', 'cells');
  const found = toList(p1);
  t.is(found.length, BLOBS.length, JSON.stringify(found));
  const m = match(found, BLOBS);
  t.true(m.worst < 0.5, `worst centre error ${m.worst.toFixed(3)} voxels`);
  t.log(`${found.length} cells, worst centre error ${m.worst.toFixed(3)} voxels`);
  t.deepEqual(m.unmatched, []);
  t.deepEqual(Object.keys(p1.properties), ['size', 'raw', 'probability']);
  t.true([...p1.properties.size].every((s) => s > 10 && s < 400), `sizes ${[...p1.properties.size]}`);
  t.true([...p1.properties.probability].every((p) => p > 0.5 && p <= 1));
  for (const [sizeMax, workers] of [[5, 2], [12, 1]]) {
    const many = await detect(ilp, { ilastik: exe }, { chunkSizeMax: sizeMax }, workers);
    t.true(many.r.summary.ok);
    const chunks = many.r.summary.nodes.find((n) => n.id === 'cells')!.chunks!.total;
    t.true(chunks > 2, `chunkSizeMax ${sizeMax} gives several chunks`);
    t.log(`chunkSizeMax ${sizeMax}, ${workers} worker(s): ${chunks} chunks, identical points`);
    const p = pointsOf(many.cache, 'ilastik-bridge.classify-cells', 'cells');
    t.deepEqual(p.coords, p1.coords, `chunkSizeMax ${sizeMax}`);
    t.deepEqual(p.properties, p1.properties, `chunkSizeMax ${sizeMax}`);
  }
});

const SCIPY_REFERENCE = `
import sys, json, numpy as np
from scipy import ndimage
raw, X, Y, Z, scale, max_extent = sys.argv[1], *map(int, sys.argv[2:5]), float(sys.argv[5]), int(sys.argv[6])
v = np.fromfile(raw, dtype='<u2').reshape(Z, Y, X).astype(np.float64)
k = np.ones((3, 3, 3))
mean = ndimage.convolve(v, k, mode='constant', cval=0) / ndimage.convolve(np.ones_like(v), k, mode='constant', cval=0)
p = np.clip(mean / scale, 0, 1)
p0 = p.astype(np.float32); p1 = (1 - p).astype(np.float32)
mask = p0 >= p1                                  # argmax over (cell, background), first maximum wins
labels, n = ndimage.label(mask)                  # 6-connectivity, scipy's default structure
out = []
for i, (zs, ys, xs) in enumerate(ndimage.find_objects(labels)):
    if zs.stop - zs.start > max_extent: continue
    cz, cy, cx = ndimage.center_of_mass(v, labels, i + 1)
    out.append([cx, cy, cz, int((labels == i + 1).sum())])
print(json.dumps(out))
`;

test('centres and sizes equal scipy.ndimage label + center_of_mass on the same probabilities', async (t) => {
  const { exe, ilp } = setup();
  const run = await detect(ilp, { ilastik: exe }, { chunkSizeMax: 9 });
  t.true(run.r.summary.ok);
  const p = pointsOf(run.cache, 'ilastik-bridge.classify-cells', 'cells');
  const raw = join(entryDir(run.cache, 'test-blob-stack'), 'stack.raw');
  const r = spawnSync(PYTHON, ['-c', SCIPY_REFERENCE, raw, ...SHAPE.map(String), '800', '10'], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  const ref = (JSON.parse(r.stdout) as number[][]).sort((a, b) => a[2] - b[2] || a[1] - b[1] || a[0] - b[0]);
  const ours = toList(p);
  t.is(ours.length, ref.length);
  ours.forEach((c, i) => {
    for (let k = 0; k < 3; k++) t.true(Math.abs(c[k] - ref[i][k]) < 1e-9, `point ${i} axis ${k}: ${c[k]} vs scipy ${ref[i][k]}`);
    t.is(p.properties.size[i], ref[i][3]);
  });
});

test('the slab reaches ilastik as a (z, y, x) .npy numpy reads back exactly (the public API codec the plugin uses)', async (t) => {
  const dir = tempDir();
  const data = Uint16Array.from({ length: 5 * 4 * 3 }, (_, i) => i * 1000 + 7);
  writeNpy(join(dir, 'a.npy'), data, [3, 4, 5]);
  t.deepEqual(Array.from(readNpy(join(dir, 'a.npy')).data), Array.from(data));
  const r = spawnSync(PYTHON, ['-c', 'import sys, numpy as np; a = np.load(sys.argv[1]); print(a.dtype, a.shape, int(a[2, 3, 4]), int(a[1, 0, 2]))', join(dir, 'a.npy')], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  // a[z, y, x] = data[x + X * (y + Y * z)]
  t.is(r.stdout.trim(), `uint16 (3, 4, 5) ${data[4 + 5 * (3 + 4 * 2)]} ${data[2 + 5 * (0 + 4 * 1)]}`);
});

test.serial('ILASTIK_PATH may name the ilastik folder (ClearMap\'s IlastikPath)', async (t) => {
  const { bin, ilp } = setup();
  const before = process.env.ILASTIK_PATH;
  process.env.ILASTIK_PATH = bin;
  try {
    const run = await detect(ilp, {}, { chunkSizeMax: 100 });
    t.true(run.r.summary.ok, JSON.stringify(run.r.summary.nodes));
    t.is(toList(pointsOf(run.cache, 'ilastik-bridge.classify-cells', 'cells')).length, BLOBS.length);
  } finally {
    if (before === undefined) delete process.env.ILASTIK_PATH; else process.env.ILASTIK_PATH = before;
  }
});

test.serial('missing ilastik: the node fails naming params.ilastik and ILASTIK_PATH', async (t) => {
  const { ilp, dir } = setup();
  const before = process.env.ILASTIK_PATH;
  delete process.env.ILASTIK_PATH;
  try {
    const unset = await detect(ilp, {}, { chunkSizeMax: 100 });
    t.false(unset.r.summary.ok);
    const e1 = unset.r.summary.nodes.find((n) => n.id === 'cells')!.error!;
    t.regex(e1, /^node 'cells' \(ilastik-bridge\.classify-cells\) failed: chunk \d+\/\d+ \(z \d+–\d+\): ilastik is not configured: set params\.ilastik or the environment variable ILASTIK_PATH/);
    const wrong = await detect(ilp, { ilastik: join(dir, 'nowhere', 'run_ilastik.sh') }, { chunkSizeMax: 100 });
    const e2 = wrong.r.summary.nodes.find((n) => n.id === 'cells')!.error!;
    t.regex(e2, /ilastik not found: '.*nowhere\/run_ilastik\.sh' \(from params\.ilastik\) does not exist/);
  } finally {
    if (before !== undefined) process.env.ILASTIK_PATH = before;
  }
});

test('a failing ilastik run fails the node quoting its exit code and stderr; a missing project names params.project', async (t) => {
  const { exe, ilp, dir } = setup({ fail: 'Project file cells.ilp has no trained classifier' });
  const run = await detect(ilp, { ilastik: exe }, { chunkSizeMax: 100 });
  t.false(run.r.summary.ok);
  const e = run.r.summary.nodes.find((n) => n.id === 'cells')!.error!;
  t.regex(e, /ilastik '.*run_ilastik\.sh' \(params\.ilastik \/ ILASTIK_PATH\) failed with exit code 3; stderr: "ERROR: Project file cells\.ilp has no trained classifier"/);
  const missing = await detect(join(dir, 'missing.ilp'), { ilastik: exe }, { chunkSizeMax: 100 });
  t.regex(missing.r.summary.nodes.find((n) => n.id === 'cells')!.error!, /params\.project: ilastik project '.*missing\.ilp' does not exist/);
  // a launcher that is not executable
  const notExe = join(dir, 'plain.sh');
  writeFileSync(notExe, '#!/bin/sh\nexit 0\n');
  chmodSync(notExe, 0o644);
  const denied = await detect(ilp, { ilastik: notExe }, { chunkSizeMax: 100 });
  t.regex(denied.r.summary.nodes.find((n) => n.id === 'cells')!.error!, /cannot start ilastik '.*plain\.sh' \(params\.ilastik \/ ILASTIK_PATH\): permission denied/);
});

test('ilastik gets an argument array (no shell): paths with spaces and $ arrive intact, as the headless CLI expects', async (t) => {
  const { exe, dir } = setup();
  const odd = join(dir, 'my project $HOME');
  mkdirSync(odd);
  const ilp = join(odd, 'cells v2.ilp');
  const log = join(dir, 'args.json');
  writeFileSync(ilp, JSON.stringify({ standin: { offset: 0, scale: 800, argsLog: log } }));
  const run = await detect(ilp, { ilastik: exe, extraArgs: ['--export_dtype=float32'], threads: 1 }, { chunkSizeMax: 100 }, 1);
  t.true(run.r.summary.ok, JSON.stringify(run.r.summary.nodes));
  const args = JSON.parse(readFileSync(log, 'utf8')) as string[];
  t.is(args.length, 9);
  t.deepEqual(args.slice(0, 5), ['--headless', `--project=${ilp}`, '--readonly', '--export_source=Probabilities', '--output_format=numpy']);
  t.regex(args[5], /^--output_filename_format=.*clearmap-ilastik-[^/]+\/probabilities\.npy$/);
  t.deepEqual(args.slice(6, 8), ['--input_axes=zyx', '--export_dtype=float32']);
  t.regex(args[8], /clearmap-ilastik-[^/]+\/input\.npy$/);
  t.false(existsSync(args[8]), 'the exchange files are removed');
  const noRo = await detect(ilp, { ilastik: exe, readonly: false }, { chunkSizeMax: 100 }, 1);
  t.true(noRo.r.summary.ok);
  t.false((JSON.parse(readFileSync(log, 'utf8')) as string[]).includes('--readonly'));
});

test('threshold: 0.5 equals the argmax of the two classes; a higher threshold keeps the cells with fewer voxels', async (t) => {
  const { exe, ilp } = setup();
  const cells = async (extra: Record<string, unknown>) => {
    const run = await detect(ilp, { ilastik: exe, ...extra }, { chunkSizeMax: 100 }, 1);
    t.true(run.r.summary.ok, JSON.stringify(run.r.summary.nodes));
    return pointsOf(run.cache, 'ilastik-bridge.classify-cells', 'cells');
  };
  const [argmax, half, high] = [await cells({}), await cells({ threshold: 0.5 }), await cells({ threshold: 0.8, cellClass: 0 })];
  t.deepEqual(half, argmax);
  t.is(toList(high).length, BLOBS.length);
  t.true(match(toList(high), BLOBS).worst < 0.5);
  high.properties.size.forEach((n, i) => t.true(n < argmax.properties.size[i], `cell ${i}: ${n} voxels at 0.8 vs ${argmax.properties.size[i]}`));
  // the background channel (1) as "cells" gives one huge component, dropped as longer than maxCellExtent
  t.is(toList(await cells({ cellClass: 1 })).length, 0);
});

test('classify-pixels: the class probability stack, byte-identical for 1 and several chunks', async (t) => {
  const { exe, ilp } = setup();
  const run = async (chunkSizeMax: number, workers: number) => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    const r = await runApi(writeWorkflow(dir, {
      version: 1, plugins: [BLOB_PLUGIN, PLUGIN], settings: { chunkSizeMax },
      nodes: [
        { id: 'stack', type: 'test-blob-stack', params: { shape: SHAPE, blobs: BLOBS, seed: 5 } },
        { id: 'prob', type: 'ilastik-bridge.classify-pixels', inputs: { input: 'stack.volume' }, params: { project: ilp, ilastik: exe, featureOverlap: 1 } },
      ],
    }), { cache, workers });
    t.true(r.summary.ok, JSON.stringify(r.summary.nodes));
    return { chunks: r.summary.nodes.find((n) => n.id === 'prob')!.chunks!.total, cache };
  };
  const one = await run(100, 1);
  const many = await run(6, 2);
  t.is(one.chunks, 1);
  t.true(many.chunks > 2);
  const bytes = (cache: string) => readFileSync(join(entryDir(cache, 'ilastik-bridge.classify-pixels'), 'volume.raw'));
  const a = bytes(one.cache);
  t.true(a.equals(bytes(many.cache)));
  // spot check against the stand-in's formula: clip(3x3x3 mean / 800, 0, 1) at each blob's nearest voxel
  const [X, Y] = SHAPE;
  const prob = new Float32Array(a.buffer, a.byteOffset, a.byteLength / 4);
  const raw = readFileSync(join(entryDir(one.cache, 'test-blob-stack'), 'stack.raw'));
  const v = new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
  for (const [bx, by, bz] of BLOBS) {
    const [x, y, z] = [Math.round(bx), Math.round(by), Math.round(bz)];
    let s = 0;
    for (let k = z - 1; k <= z + 1; k++) for (let j = y - 1; j <= y + 1; j++) for (let i = x - 1; i <= x + 1; i++) s += v[i + X * (j + Y * k)];
    t.is(prob[x + X * (y + Y * z)], Math.fround(Math.min(1, s / 27 / 800)));
  }
});

test('CLI: clearmap run with --set ilastik=…; without ilastik it exits 1 naming ILASTIK_PATH', (t) => {
  const { exe, ilp } = setup();
  const dir = tempDir();
  const file = writeWorkflow(dir, workflow(ilp, {}, { chunkSizeMax: 100 }));
  const env = { ...process.env };
  delete env.ILASTIK_PATH;
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, 'run', file, '--cache', join(dir, 'cache'), '--workers', '1', ...args], { cwd: ROOT, env, encoding: 'utf8' });
  const missing = cli();
  t.is(missing.status, 1);
  t.regex(missing.stderr, /error: node 'cells' \(ilastik-bridge\.classify-cells\) failed: .*set params\.ilastik or the environment variable ILASTIK_PATH/);
  const ok = cli('--set', `cells.ilastik=${exe}`, '--summary', join(dir, 'summary.json'));
  t.is(ok.status, 0, ok.stderr);
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  t.like(summary.nodes.find((n: { id: string }) => n.id === 'cells'), { status: 'computed', chunks: { total: 1 } });
  t.is(toList(pointsOf(join(dir, 'cache'), 'ilastik-bridge.classify-cells', 'cells')).length, BLOBS.length);
});

test('the ilastik-bridge plugin imports only the public API', (t) => {
  t.deepEqual(checkPluginImports(PLUGIN), []);
});

test('a relative project resolves against the workflow folder, and a retrained project recomputes the node', async (t) => {
  const { dir, exe, ilp } = setup();
  const file = writeWorkflow(dir, workflow('cells.ilp', { ilastik: exe }, { chunkSizeMax: 100 }));
  const cache = join(dir, 'cache');
  const status = (r: Awaited<ReturnType<typeof runApi>>) => r.summary.nodes.find((n) => n.id === 'cells')!.status;
  const first = await runApi(file, { cache, workers: 1 });
  t.is(status(first), 'computed', JSON.stringify(first.summary.nodes));
  t.is(status(await runApi(file, { cache, workers: 1 })), 'cached');
  writeFileSync(ilp, JSON.stringify({ standin: { offset: 0, scale: 700 } })); // "retrained"
  t.is(status(await runApi(file, { cache, workers: 1 })), 'computed', 'a changed .ilp is not a cache hit');
});
