import test from 'ava';
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize } from 'node:v8';
import { CacheStore } from '../../engine/cache/store.js';
import { hashTree, runApi, statuses, tempDir, writeWorkflow, TEST_PLUGIN, ROOT } from './helpers.js';

const SHAPE = [23, 17, 41];

function workflow(settings: Record<string, number> = {}) {
  return {
    version: 1,
    plugins: [TEST_PLUGIN],
    settings,
    nodes: [
      { id: 'src', type: 'test-source', params: { shape: SHAPE, seed: 7 } },
      { id: 'scale', type: 'test-scale', inputs: { input: 'src.volume' }, params: { factor: 0.5 } },
      { id: 'blur', type: 'test-blur-z', inputs: { input: 'scale.output' }, params: { radius: 3 } },
      { id: 'peaks', type: 'test-z-peaks', inputs: { input: 'blur.output' }, params: { threshold: 100 } },
      { id: 'stats', type: 'statistics', inputs: { input: 'src.volume' } },
      { id: 'blurred', type: 'test-blur-z', inputs: { input: 'src.volume' }, params: { radius: 2 } },
      { id: 'bstats', type: 'statistics', inputs: { input: 'blurred.output' } },
    ],
  };
}

/** Hashes of all result files of a run (volumes, points, json), independent of the cache key layout. */
function resultHashes(cache: string): string[] {
  return Object.entries(hashTree(join(cache, 'nodes'))).filter(([k]) => !k.endsWith('manifest.json') && !k.endsWith('manifest.sha256')).map(([, h]) => h).sort();
}

test('results are identical whatever the chunk size and the worker count', async (t) => {
  const reference = tempDir();
  const file = writeWorkflow(reference, workflow({ chunkSizeMax: 1000 }));
  const first = await runApi(file, { cache: join(reference, 'cache'), workers: 1 });
  t.true(first.summary.ok);
  const one = first.summary.nodes.find((n) => n.id === 'peaks')!;
  t.is(one.chunks!.total, 1);
  const expected = resultHashes(join(reference, 'cache'));
  for (const [sizeMax, workers] of [[1, 1], [1, 2], [4, 2], [7, 1], [13, 2]]) {
    const dir = tempDir();
    const f = writeWorkflow(dir, workflow({ chunkSizeMax: sizeMax }));
    const r = await runApi(f, { cache: join(dir, 'cache'), workers });
    t.true(r.summary.ok);
    t.true(r.summary.nodes.find((n) => n.id === 'peaks')!.chunks!.total > 1, `chunkSizeMax ${sizeMax} gives several chunks`);
    t.deepEqual(resultHashes(join(dir, 'cache')), expected, `chunkSizeMax ${sizeMax}, ${workers} workers`);
  }
});

test('fused chain: scale → blur → peaks runs as one chunk stream and finds peaks', async (t) => {
  const dir = tempDir();
  const r = await runApi(writeWorkflow(dir, workflow({ chunkSizeMax: 5 })), { cache: join(dir, 'cache') });
  const started = r.events.filter((e) => e.event === 'chunk-done' && e.node === 'peaks');
  t.true(started.length > 1);
  // intermediate fused nodes never produce chunk streams of their own
  t.false(r.events.some((e) => e.event === 'chunk-done' && (e.node === 'scale' || e.node === 'blur')));
  const entry = readdirSync(join(dir, 'cache', 'nodes')).find((k) => existsSync(join(dir, 'cache', 'nodes', k, 'points.points.v8')))!;
  const p = deserialize(readFileSync(join(dir, 'cache', 'nodes', entry, 'points.points.v8'))) as { coords: Float64Array; properties: { value: Float64Array } };
  t.true(p.coords.length / 3 > 10);
  t.true(p.properties.value.every((v) => v > 100));
});

test('statistics of the test stack equal a direct computation', async (t) => {
  const dir = tempDir();
  const file = writeWorkflow(dir, { version: 1, plugins: [TEST_PLUGIN], settings: { chunkSizeMax: 3 }, nodes: [
    { id: 'src', type: 'test-source', params: { shape: [31, 29, 20], seed: 3, max: 60000 } },
    { id: 'stats', type: 'statistics', inputs: { input: 'src.volume' } },
  ] });
  await runApi(file, { cache: join(dir, 'cache') });
  const entries = new CacheStore(join(dir, 'cache')).list();
  const srcEntry = entries.find((e) => e.nodeType === 'test-source')!;
  const data = new Uint16Array(readFileSync(join(dir, 'cache', 'nodes', srcEntry.key, 'stack.raw')).buffer.slice(0));
  const statsEntry = entries.find((e) => e.nodeType === 'statistics')!;
  const s = JSON.parse(readFileSync(join(dir, 'cache', 'nodes', statsEntry.key, 'manifest.json'), 'utf8')).outputs.statistics.value;
  let sum = 0, min = Infinity, max = -Infinity;
  for (const v of data) { sum += v; min = Math.min(min, v); max = Math.max(max, v); }
  const mean = sum / data.length;
  let ss = 0;
  for (const v of data) ss += (v - mean) ** 2;
  t.is(s.count, data.length);
  t.is(s.min, min);
  t.is(s.max, max);
  t.is(s.sum, sum);
  t.true(Math.abs(s.mean - mean) < 1e-9 * mean);
  t.true(Math.abs(s.std - Math.sqrt(ss / data.length)) < 1e-9 * s.std);
});

test('rerun with nothing changed computes nothing; a param change recomputes only that node and its downstream', async (t) => {
  const dir = tempDir();
  const file = writeWorkflow(dir, workflow({ chunkSizeMax: 8 }));
  const cache = join(dir, 'cache');
  const first = await runApi(file, { cache });
  t.true(Object.values(statuses(first.summary)).every((s) => s === 'computed'));
  const again = await runApi(file, { cache });
  t.deepEqual(statuses(again.summary), { src: 'cached', scale: 'cached', blur: 'cached', peaks: 'cached', stats: 'cached', blurred: 'cached', bstats: 'cached' });
  t.false(again.events.some((e) => e.event === 'chunk-done'), 'no chunk work at all');
  const changed = await runApi(file, { cache, sets: ['blurred.radius=1'] });
  t.deepEqual(statuses(changed.summary), { src: 'cached', scale: 'cached', blur: 'cached', peaks: 'cached', stats: 'cached', blurred: 'computed', bstats: 'computed' });
  // a param that equals its default does not change the key
  const same = await runApi(file, { cache, sets: ['scale.delayMs=0'] });
  t.true(Object.values(statuses(same.summary)).every((s) => s === 'cached'));
});

test('a corrupt cache entry is detected and recomputed, giving the same bytes', async (t) => {
  const dir = tempDir();
  const file = writeWorkflow(dir, workflow({ chunkSizeMax: 8 }));
  const cache = join(dir, 'cache');
  await runApi(file, { cache });
  const before = resultHashes(cache);
  const entry = new CacheStore(cache).list().find((e) => e.nodeType === 'test-z-peaks')!;
  const raw = join(cache, 'nodes', entry.key, 'points.points.v8');
  const bytes = readFileSync(raw);
  bytes[100] ^= 0xff;
  writeFileSync(raw, bytes);
  const r = await runApi(file, { cache });
  t.true(r.events.some((e) => e.event === 'cache-corrupt'));
  t.like(statuses(r.summary), { src: 'cached', scale: 'computed', blur: 'computed', peaks: 'computed', stats: 'cached', bstats: 'cached' });
  t.deepEqual(resultHashes(cache), before);
});

test('a failing chunk kernel fails its node with a message naming node, chunk and z, and skips downstream', async (t) => {
  const dir = tempDir();
  const file = writeWorkflow(dir, { version: 1, plugins: [TEST_PLUGIN], settings: { chunkSizeMax: 4 }, nodes: [
    { id: 'src', type: 'test-source', params: { shape: [8, 8, 12] } },
    { id: 'bad', type: 'test-scale', inputs: { input: 'src.volume' }, materialize: true, params: { failAtZ: 9 } },
    { id: 'after', type: 'statistics', inputs: { input: 'bad.output' } },
    { id: 'other', type: 'statistics', inputs: { input: 'src.volume' } },
  ] });
  const r = await runApi(file, { cache: join(dir, 'cache') });
  t.false(r.summary.ok);
  const s = statuses(r.summary);
  t.is(s.bad, 'failed');
  t.is(s.after, 'skipped');
  t.is(s.other, 'computed', 'independent branches still run');
  t.regex(r.summary.nodes.find((n) => n.id === 'bad')!.error!, /^node 'bad' \(test-scale\) failed: chunk \d+\/\d+ \(z \d+–\d+\): deliberate failure at z=9$/);
  t.deepEqual(readdirSync(join(dir, 'cache', 'nodes')).filter((n) => n.includes('.tmp-')), [], 'no half-written entries');
});

test('the shipped intensity-histogram plugin loads from a workflow and counts every voxel', async (t) => {
  const dir = tempDir();
  const file = writeWorkflow(dir, { version: 1, plugins: [TEST_PLUGIN, join(ROOT, 'plugins', 'intensity-histogram')], settings: { chunkSizeMax: 5 }, nodes: [
    { id: 'src', type: 'test-source', params: { shape: [16, 16, 16], max: 99 } },
    { id: 'hist', type: 'intensity-histogram', inputs: { input: 'src.volume' }, params: { bins: 10, range: [0, 99] } },
  ] });
  const r = await runApi(file, { cache: join(dir, 'cache') });
  t.true(r.summary.ok, JSON.stringify(r.summary));
  const entry = new CacheStore(join(dir, 'cache')).list().find((e) => e.nodeType === 'intensity-histogram')!;
  const table = JSON.parse(readFileSync(join(dir, 'cache', 'nodes', entry.key, 'manifest.json'), 'utf8')).outputs.histogram.table;
  const counts = table.rows.map((row: number[]) => row[2]);
  t.is(counts.reduce((a: number, b: number) => a + b, 0), 16 ** 3);
  t.is(counts[0], 0);
  t.is(counts[counts.length - 1], 0);
});

test('whole nodes can fan work out over the worker pool with ctx.parallel (results in task order)', async (t) => {
  const dir = tempDir();
  const file = writeWorkflow(dir, { version: 1, plugins: [TEST_PLUGIN], nodes: [
    { id: 'src', type: 'test-source', params: { shape: [20, 10, 17], max: 50 } },
    { id: 'sum', type: 'test-parallel-sum', inputs: { input: 'src.volume' }, params: { slab: 2 } },
    { id: 'stats', type: 'statistics', inputs: { input: 'src.volume' } },
  ] });
  const cache = join(dir, 'cache');
  const r = await runApi(file, { cache, workers: 2 });
  t.true(r.summary.ok);
  const entries = new CacheStore(cache).list();
  const value = (type: string, port: string) => JSON.parse(readFileSync(join(cache, 'nodes', entries.find((e) => e.nodeType === type)!.key, 'manifest.json'), 'utf8')).outputs[port].value;
  const sum = value('test-parallel-sum', 'result');
  t.is(sum.sum, value('statistics', 'statistics').sum);
  t.deepEqual(sum.order, [0, 2, 4, 6, 8, 10, 12, 14, 16]);
  t.is(sum.threads, 2, 'both workers were used');
});

test('chunk kernels receive their non-stream inputs; changing such an input recomputes the node; outputs are returned to API callers', async (t) => {
  const dir = tempDir();
  const wf = (value: number) => ({ version: 1, plugins: [TEST_PLUGIN], settings: { chunkSizeMax: 3 }, nodes: [
    { id: 'src', type: 'test-source', params: { shape: [6, 5, 9], max: 10 } },
    { id: 'k', type: 'test-constant', params: { value } },
    { id: 'add', type: 'test-add', inputs: { input: 'src.volume', amount: 'k.value' } },
    { id: 'stats', type: 'statistics', inputs: { input: 'add.output' } },
    { id: 'base', type: 'statistics', inputs: { input: 'src.volume' } },
  ] });
  const cache = join(dir, 'cache');
  const first = await runApi(writeWorkflow(dir, wf(1000)), { cache });
  t.true(first.summary.ok);
  const stats = (r: typeof first) => ((r.summary as unknown as { outputs: Map<string, Record<string, { value: { mean: number; count: number } }>> }).outputs.get('stats')!.statistics.value);
  const base = (first.summary as unknown as { outputs: Map<string, Record<string, { value: { mean: number } }>> }).outputs.get('base')!.statistics.value;
  t.is(stats(first).count, 6 * 5 * 9);
  t.true(Math.abs(stats(first).mean - (base.mean + 1000)) < 1e-9);
  t.false('outputs' in JSON.parse(JSON.stringify(first.summary)), 'outputs are not serialised into summaries');
  const second = await runApi(writeWorkflow(dir, wf(2000)), { cache });
  t.like(statuses(second.summary), { src: 'cached', base: 'cached', k: 'computed', add: 'computed', stats: 'computed' });
  t.true(Math.abs(stats(second).mean - (base.mean + 2000)) < 1e-9);
});

test('chunks are sized from the per-worker memory budget and the nodes working bytes per voxel', async (t) => {
  const dir = tempDir();
  // 23x17 uint16 planes: 391 voxels x (2 input + 8 working) bytes = 3910 bytes per plane -> 5 planes fit 19550 bytes
  const file = writeWorkflow(dir, { version: 1, plugins: [TEST_PLUGIN], settings: { workerMemoryMax: 19550 }, nodes: [
    { id: 'src', type: 'test-source', params: { shape: SHAPE } },
    { id: 'scale', type: 'test-scale', inputs: { input: 'src.volume' } },
  ] });
  const r = await runApi(file, { cache: join(dir, 'cache'), workers: 2 });
  const s = r.summary.nodes.find((n) => n.id === 'scale')!;
  t.is(s.chunks!.total, 10, 'ceil(41 / 5) = 9 chunks, rounded up to a multiple of the 2 workers');
});
