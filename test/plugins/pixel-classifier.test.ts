// The pixel-classifier plugin through real workflows: train on one synthetic stack from sparse labels,
// detect the cells of another stack with known blob positions, chunking-invariance, determinism, the
// Gaussian features against scipy, and the error messages.
import test from 'ava';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { loadWorkflow } from '../../app/engine.js';
import { runApi, tempDir, writeWorkflow, ROOT } from '../engine/helpers.js';
import { checkPluginImports } from '../../tools/plugins/check-imports.js';
import { BLOB_PLUGIN, BLOBS, PYTHON, SHAPE, entryDir, manifestOutputs, match, pointsOf, toList, type P3 } from './helpers.js';

const PLUGIN = join(ROOT, 'plugins', 'pixel-classifier');

/** A second stack to classify: other positions, other noise, brighter background. */
const BLOBS2: P3[] = [
  [10.4, 30.3, 3.8], [36.6, 8.2, 5.5], [22.1, 19.6, 8.7], [7.3, 7.9, 12.2], [41.2, 27.7, 13.9],
  [27.5, 36.4, 16.6], [15.8, 14.1, 19.3], [33.3, 19.5, 23.6], [8.9, 26.7, 26.1], [21.4, 7.2, 29.8], [38.7, 38.3, 31.4],
];

async function train(params: Record<string, unknown> = {}, labelSpacing = 4) {
  const dir = tempDir();
  const cache = join(dir, 'cache');
  const r = await runApi(writeWorkflow(dir, {
    version: 1, plugins: [BLOB_PLUGIN, PLUGIN],
    nodes: [
      { id: 'stack', type: 'test-blob-stack', params: { shape: SHAPE, blobs: BLOBS, seed: 5, labelSpacing } },
      { id: 'train', type: 'pixel-classifier.train', inputs: { input: 'stack.volume', labels: 'stack.labels' }, params },
    ],
  }), { cache });
  return { r, model: r.summary.ok ? manifestOutputs(cache, 'pixel-classifier.train').model.value as Record<string, unknown> : undefined };
}

async function classify(model: unknown, settings: Record<string, number>, workers = 2) {
  const dir = tempDir();
  const cache = join(dir, 'cache');
  const r = await runApi(writeWorkflow(dir, {
    version: 1, plugins: [BLOB_PLUGIN, PLUGIN], settings,
    nodes: [
      { id: 'stack', type: 'test-blob-stack', params: { shape: SHAPE, blobs: BLOBS2, seed: 9, background: 140, noise: 25 } },
      { id: 'cells', type: 'pixel-classifier.classify-cells', inputs: { input: 'stack.volume' }, params: { model } },
    ],
  }), { cache, workers });
  return { r, cache };
}

const trained = train();

test('a model trained from sparse labels finds the known cells of another stack, identically for 1 and several chunks', async (t) => {
  const { r, model } = await trained;
  t.true(r.summary.ok, JSON.stringify(r.summary.nodes));
  const training = model!.training as { samples: number; cells: number; oobError: number };
  t.log(`trained on ${training.samples} labelled voxels (${training.cells} cell), out-of-bag error ${training.oobError}`);
  t.true(training.oobError < 0.05);
  const one = await classify(model, { chunkSizeMax: 100 }, 1);
  t.true(one.r.summary.ok, JSON.stringify(one.r.summary.nodes));
  t.is(one.r.summary.nodes.find((n) => n.id === 'cells')!.chunks!.total, 1);
  const p1 = pointsOf(one.cache, 'pixel-classifier.classify-cells', 'cells');
  const found = toList(p1);
  t.is(found.length, BLOBS2.length, JSON.stringify(found));
  const m = match(found, BLOBS2);
  t.log(`${found.length} cells, worst centre error ${m.worst.toFixed(3)} voxels, sizes ${[...p1.properties.size].join(' ')}`);
  t.true(m.worst < 0.5, `worst centre error ${m.worst}`);
  t.deepEqual(m.unmatched, []);
  for (const [sizeMax, workers] of [[6, 2], [11, 1]]) {
    const many = await classify(model, { chunkSizeMax: sizeMax }, workers);
    t.true(many.r.summary.ok);
    const chunks = many.r.summary.nodes.find((n) => n.id === 'cells')!.chunks!.total;
    t.true(chunks > 2);
    const p = pointsOf(many.cache, 'pixel-classifier.classify-cells', 'cells');
    t.deepEqual(p.coords, p1.coords, `chunkSizeMax ${sizeMax}`);
    t.deepEqual(p.properties, p1.properties, `chunkSizeMax ${sizeMax}`);
    t.log(`chunkSizeMax ${sizeMax}, ${workers} worker(s): ${chunks} chunks (${many.r.summary.nodes.find((n) => n.id === 'cells')!.seconds.toFixed(2)} s), identical points`);
  }
});

test('classify-pixels: the probability stack is byte-identical for 1 and several chunks and high at the cells', async (t) => {
  const { model } = await trained;
  const run = async (chunkSizeMax: number, workers: number) => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    const r = await runApi(writeWorkflow(dir, {
      version: 1, plugins: [BLOB_PLUGIN, PLUGIN], settings: { chunkSizeMax },
      nodes: [
        { id: 'stack', type: 'test-blob-stack', params: { shape: SHAPE, blobs: BLOBS2, seed: 9, background: 140, noise: 25 } },
        { id: 'prob', type: 'pixel-classifier.classify-pixels', inputs: { input: 'stack.volume' }, params: { model } },
      ],
    }), { cache, workers });
    t.true(r.summary.ok, JSON.stringify(r.summary.nodes));
    return { chunks: r.summary.nodes.find((n) => n.id === 'prob')!.chunks!.total, bytes: readFileSync(join(entryDir(cache, 'pixel-classifier.classify-pixels'), 'volume.raw')) };
  };
  const one = await run(100, 1), many = await run(7, 2);
  t.is(one.chunks, 1);
  t.true(many.chunks > 2);
  t.true(one.bytes.equals(many.bytes));
  const prob = new Float32Array(one.bytes.buffer, one.bytes.byteOffset, one.bytes.byteLength / 4);
  const [X, Y] = SHAPE;
  for (const [x, y, z] of BLOBS2) t.true(prob[Math.round(x) + X * (Math.round(y) + Y * Math.round(z))] > 0.9);
  t.is(prob[0], 0, 'a background corner');
});

test('training is deterministic for a seed, and the seed matters', async (t) => {
  const { model } = await trained;
  const again = await train();
  t.deepEqual(again.model, model);
  const other = await train({ seed: 2 });
  t.notDeepEqual((other.model!.trees as unknown[]), model!.trees);
});

test('features: Gaussian smoothing equals scipy.ndimage.gaussian_filter, and a slab\'s features equal the whole stack\'s away from interior edges', async (t) => {
  const mod = await import(pathToFileURL(join(PLUGIN, 'dist', 'features.js')).href) as {
    computeFeatures: (v: unknown, spec: { sigmas: number[]; truncate: number }, depth: number) => Float32Array[];
    featureRadius: (spec: { sigmas: number[]; truncate: number }) => number;
  };
  const [X, Y, Z] = [13, 11, 24];
  const data = new Float64Array(X * Y * Z);
  let s = 7;
  for (let i = 0; i < data.length; i++) { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; data[i] = s % 1000; }
  const spec = { sigmas: [1, 2.2], truncate: 3 };
  const whole = mod.computeFeatures({ data, shape: [X, Y, Z], dtype: 'float64', voxelSize: [1, 1, 1], origin: [0, 0, 0] }, spec, Z);
  const dir = mkdtempSync(join(tempDir(), 'g-'));
  writeFileSync(join(dir, 'v.raw'), new Uint8Array(data.buffer));
  const py = `
import sys, numpy as np
from scipy import ndimage
v = np.fromfile(sys.argv[1], dtype='<f8').reshape(${Z}, ${Y}, ${X})
for s in (1, 2.2):
    ndimage.gaussian_filter(v, s, mode='reflect', truncate=3).astype('<f8').tofile(sys.argv[1] + '.g%s' % s)
`;
  const r = spawnSync(PYTHON, ['-c', py, join(dir, 'v.raw')], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  for (const [k, sigma] of [[1, 1], [4, 2.2]] as const) {
    const ref = new Float64Array(readFileSync(join(dir, `v.raw.g${sigma}`)).buffer.slice(0));
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(whole[k][i] - ref[i]));
    t.true(worst < 1e-3, `sigma ${sigma}: max |ours - scipy| = ${worst}`);
  }
  // a slab [z0, z1) of the stack: features in planes at least R from an interior edge are bit-identical
  const R = mod.featureRadius(spec);
  for (const [z0, z1] of [[0, 15], [5, 24], [3, 21]]) {
    const slab = { data: data.slice(z0 * X * Y, z1 * X * Y), shape: [X, Y, z1 - z0], dtype: 'float64', voxelSize: [1, 1, 1], origin: [0, 0, z0] };
    const part = mod.computeFeatures(slab, spec, Z);
    const lo = z0 > 0 ? z0 + R : 0, hi = z1 < Z ? z1 - R : Z;
    for (let f = 0; f < whole.length; f++) {
      t.deepEqual(part[f].subarray((lo - z0) * X * Y, (hi - z0) * X * Y), whole[f].subarray(lo * X * Y, hi * X * Y), `feature ${f}, slab ${z0}-${z1}`);
    }
  }
});

test('row tiles: features and cell probabilities computed in small y-tiles equal the untiled computation bit for bit', async (t) => {
  const { model } = await trained;
  type Spec = { sigmas: number[]; truncate: number };
  const kernel = await import(pathToFileURL(join(PLUGIN, 'dist', 'kernel.js')).href) as {
    cellProbability: (slab: unknown, model: unknown, depth: number, v0: number, v1: number, tileVoxels?: number) => Float64Array;
    forEachTile: (slab: unknown, spec: Spec, depth: number, tileVoxels: number, fn: (feats: Float32Array[], y0: number, y1: number, ya: number, th: number) => void) => void;
  };
  const features = await import(pathToFileURL(join(PLUGIN, 'dist', 'features.js')).href) as { computeFeatures: (v: unknown, spec: Spec, depth: number) => Float32Array[] };
  const [X, Y, Z] = [30, 41, 28];
  const data = new Uint16Array(X * Y * Z);
  let s = 11;
  for (let i = 0; i < data.length; i++) { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; data[i] = 100 + (s % 50); }
  for (const [bx, by, bz] of [[5, 3, 4], [20, 20, 14], [12, 38, 22]]) {
    for (let dz = -1; dz <= 1; dz++) for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) data[bx + dx + X * (by + dy + Y * (bz + dz))] = 1100;
  }
  // a slab starting at plane 4 of a 40-plane stack, cut into tiles of 3 rows (+ 12 rows of context each side)
  const slab = { data, shape: [X, Y, Z], dtype: 'uint16', voxelSize: [1, 1, 1], origin: [0, 0, 4] };
  const spec = model!.features as Spec;
  const tileVoxels = X * Z * (3 + 2 * 12);
  const whole = features.computeFeatures(slab, spec, 40);
  let tiles = 0;
  kernel.forEachTile(slab, spec, 40, tileVoxels, (feats, y0, y1, ya, th) => {
    tiles++;
    for (let f = 0; f < whole.length; f++) for (let z = 0; z < Z; z++) {
      const a = feats[f].subarray(X * ((y0 - ya) + th * z), X * ((y1 - ya) + th * z));
      const b = whole[f].subarray(X * (y0 + Y * z), X * (y1 + Y * z));
      if (!a.every((v, i) => Object.is(v, b[i]))) { t.fail(`feature ${f}, rows ${y0}-${y1}, plane ${z} differ`); return; }
    }
  });
  t.is(tiles, Math.ceil(Y / 3));
  const p = kernel.cellProbability(slab, model, 40, 12, 16);
  t.is(p.length, X * Y * 4);
  t.deepEqual(kernel.cellProbability(slab, model, 40, 12, 16, tileVoxels), p);
  t.true(p.some((v) => v > 0.5) && p.some((v) => v < 0.5), 'both classes occur');
});

test('bad labels fail the train node naming inputs.labels; a bad model is rejected at validation naming params.model', async (t) => {
  // a stack without blobs has only background labels
  const dir = tempDir();
  const r = await runApi(writeWorkflow(dir, {
    version: 1, plugins: [BLOB_PLUGIN, PLUGIN],
    nodes: [
      { id: 'stack', type: 'test-blob-stack', params: { shape: SHAPE, blobs: [] } },
      { id: 'bg', type: 'test-blob-stack', params: { shape: [8, 8, 8], blobs: [] } },
      { id: 'train', type: 'pixel-classifier.train', inputs: { input: 'stack.volume', labels: 'stack.labels' } },
      { id: 'mismatch', type: 'pixel-classifier.train', inputs: { input: 'stack.volume', labels: 'bg.labels' } },
    ],
  }), { cache: join(dir, 'cache') });
  t.false(r.summary.ok);
  const err = (id: string) => r.summary.nodes.find((n) => n.id === id)!.error ?? JSON.stringify(r.summary.nodes.find((n) => n.id === id));
  t.regex(err('train'), /inputs\.labels: needs voxels of both classes, found \d+ background \(1\) and 0 cell \(2\) labels/);
  t.regex(err('mismatch'), /inputs\.labels: shape \[8,8,8\] differs from inputs\.input \[48,44,36\]/);
  const bad = writeWorkflow(tempDir(), {
    version: 1, plugins: [BLOB_PLUGIN, PLUGIN],
    nodes: [
      { id: 'stack', type: 'test-blob-stack', params: { shape: [8, 8, 8], blobs: [] } },
      { id: 'cells', type: 'pixel-classifier.classify-cells', inputs: { input: 'stack.volume' }, params: { model: { format: 'something-else' } } },
    ],
  });
  const e = await t.throwsAsync(loadWorkflow(bad, []));
  t.regex(e!.message, /node 'cells': params\.model: format must be 'clearmap-ts\/pixel-classifier'/);
});

test('the pixel-classifier plugin imports only the public API', (t) => {
  t.deepEqual(checkPluginImports(PLUGIN), []);
});

test('train and classify in one workflow: the model wired as an input gives the same cells as params.model; no model at all is a clear error', async (t) => {
  const { model } = await trained;
  const viaParams = await classify(model, { chunkSizeMax: 8 });
  const dir = tempDir();
  const cache = join(dir, 'cache');
  const r = await runApi(writeWorkflow(dir, {
    version: 1, plugins: [BLOB_PLUGIN, PLUGIN], settings: { chunkSizeMax: 8 },
    nodes: [
      { id: 'training', type: 'test-blob-stack', params: { shape: SHAPE, blobs: BLOBS, seed: 5, labelSpacing: 4 } },
      { id: 'train', type: 'pixel-classifier.train', inputs: { input: 'training.volume', labels: 'training.labels' } },
      { id: 'stack', type: 'test-blob-stack', params: { shape: SHAPE, blobs: BLOBS2, seed: 9, background: 140, noise: 25 } },
      { id: 'cells', type: 'pixel-classifier.classify-cells', inputs: { input: 'stack.volume', model: 'train.model' } },
    ],
  }), { cache });
  t.true(r.summary.ok, JSON.stringify(r.summary.nodes));
  const wired = pointsOf(cache, 'pixel-classifier.classify-cells', 'cells');
  const given = pointsOf(viaParams.cache, 'pixel-classifier.classify-cells', 'cells');
  t.deepEqual(wired.coords, given.coords);
  t.is(wired.coords.length / 3, BLOBS2.length);

  const none = await runApi(writeWorkflow(tempDir(), {
    version: 1, plugins: [BLOB_PLUGIN, PLUGIN],
    nodes: [
      { id: 'stack', type: 'test-blob-stack', params: { shape: SHAPE, blobs: BLOBS2, seed: 9 } },
      { id: 'cells', type: 'pixel-classifier.classify-cells', inputs: { input: 'stack.volume' } },
    ],
  }), { cache: join(tempDir(), 'cache') });
  t.false(none.summary.ok);
  t.regex(none.summary.nodes.find((n) => n.id === 'cells')!.error!, /no model: wire inputs\.model .* or set params\.model/);
});
