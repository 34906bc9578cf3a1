// Issue 13 #2 and #3: every file of a result is in its cache entry, multi-file results are written
// all-or-nothing, the manifest carries its own hash, and `cache verify` / `run --verify` re-hash.
import test from 'ava';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { sha256 } from '../../engine/core/hash.js';
import { join } from 'node:path';
import { hashTree, runApi, runCli, statuses, tempDir, writeWorkflow, TEST_PLUGIN } from './helpers.js';
import { CacheStore } from '../../engine/cache/store.js';
import { writePointsFile } from '../../nodes/io/lib/points/points-files.js';
import { makePoints } from '../../engine/data/points.js';

const wf = {
  version: 1,
  plugins: [TEST_PLUGIN],
  settings: { chunkSizeMax: 4 },
  nodes: [
    { id: 'src', type: 'test-source', params: { shape: [12, 10, 8], seed: 3 } },
    { id: 'peaks', type: 'test-z-peaks', inputs: { input: 'src.volume' }, params: { threshold: 300 } },
    { id: 'stats', type: 'statistics', inputs: { input: 'src.volume' } },
    { id: 'table', type: 'write-table', inputs: { table: 'stats.table' }, params: { path: 'stats.csv' } },
    { id: 'cells', type: 'write-points', inputs: { points: 'peaks.points' }, params: { path: 'cells.npy' } },
    { id: 'mhd', type: 'write-volume', inputs: { volume: 'src.volume' }, params: { path: 'vol.mhd' } },
    { id: 'planes', type: 'write-volume', inputs: { volume: 'src.volume' }, params: { path: 'planes/Z\\d{3}.tif' } },
  ],
};

async function setup() {
  const dir = tempDir();
  const file = writeWorkflow(dir, wf);
  const cache = join(dir, 'cache');
  const out = join(dir, 'out');
  const first = await runApi(file, { cache, out });
  if (!first.summary.ok) throw new Error(JSON.stringify(first.summary));
  return { dir, file, cache, out, reference: hashTree(out) };
}

test('every file of a multi-file result is tracked: deleting or editing any of them makes the rerun restore it', async (t) => {
  const { file, cache, out, reference } = await setup();
  t.true(['vol.mhd', 'vol.raw', 'cells.npy', 'cells_intensities.npy', 'planes/Z000.tif', 'planes/Z007.tif'].every((f) => f in reference), Object.keys(reference).join(' '));
  rmSync(join(out, 'vol.raw'));
  rmSync(join(out, 'cells_intensities.npy'));
  rmSync(join(out, 'planes', 'Z005.tif'));
  writeFileSync(join(out, 'stats.csv'), 'edited\n');
  const r = await runApi(file, { cache, out });
  t.like(statuses(r.summary), { src: 'cached', peaks: 'cached', stats: 'cached', table: 'computed', cells: 'computed', mhd: 'computed', planes: 'computed' });
  t.deepEqual(hashTree(out), reference);
  const again = await runApi(file, { cache, out });
  t.true(again.summary.nodes.every((n) => n.status === 'cached'));
});

test('points and their _intensities companion are written all-or-nothing', (t) => {
  const dir = tempDir();
  const dest = join(dir, 'cells.npy');
  const pts = makePoints(Float64Array.from([1, 2, 3, 4, 5, 6]), { raw: Float64Array.from([10, 20]) });
  writePointsFile(dest, pts);
  const before = readFileSync(dest);
  // the companion cannot be written (its name is taken by a folder): the coordinates must not change
  rmSync(join(dir, 'cells_intensities.npy'));
  mkdirSync(join(dir, 'cells_intensities.npy'));
  const more = makePoints(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), { raw: Float64Array.from([10, 20, 30]) });
  t.throws(() => writePointsFile(dest, more));
  t.deepEqual(readFileSync(dest), before);
  t.deepEqual(readdirSync(dir).sort(), ['cells.npy', 'cells_intensities.npy']);
});

test('an edited manifest (a number in a table output) is detected and the node recomputed', async (t) => {
  const { file, cache, out, reference } = await setup();
  const entry = new CacheStore(cache).list().find((e) => e.nodeType === 'statistics')!;
  const mpath = join(cache, 'nodes', entry.key, 'manifest.json');
  const text = readFileSync(mpath, 'utf8');
  const edited = text.replace(/"count": (\d+)/, (_m, n: string) => `"count": ${Number(n) + 1}`);
  t.not(edited, text);
  writeFileSync(mpath, edited);
  rmSync(join(out, 'stats.csv'));
  const r = await runApi(file, { cache, out });
  t.true(r.events.some((e) => e.event === 'cache-corrupt' && e.node === 'stats'));
  t.is(statuses(r.summary).stats, 'computed');
  t.deepEqual(hashTree(out), reference);
});

test('cache verify re-hashes everything (even with size and mtime unchanged) and --repair removes damage; run --verify recomputes', async (t) => {
  const { dir, file, cache, out } = await setup();
  t.regex(runCli(['cache', 'verify', '--cache', cache]).stdout, /verified: clean/);
  // flip a byte of a cached volume without changing its size or mtime: only a full re-hash sees it
  const store = new CacheStore(cache);
  const entry = store.list().find((e) => e.nodeType === 'test-source')!;
  const edir = join(cache, 'nodes', entry.key);
  const f = readdirSync(edir).find((n) => n.endsWith('.raw') || n.endsWith('.tif'))!;
  const bytes = readFileSync(join(edir, f));
  bytes[bytes.length - 1] ^= 0x55;
  writeFileSync(join(edir, f), bytes);
  // give the file a whole-second mtime and record exactly that in the manifest (and its hash)
  utimesSync(join(edir, f), 1_700_000_000, 1_700_000_000);
  const m = JSON.parse(readFileSync(join(edir, 'manifest.json'), 'utf8'));
  m.files[f].mtimeMs = statSync(join(edir, f)).mtimeMs;
  const text = JSON.stringify(m, null, 1);
  writeFileSync(join(edir, 'manifest.json'), text);
  writeFileSync(join(edir, 'manifest.sha256'), sha256(text) + '\n');
  const quick = await runApi(file, { cache, out });
  t.is(statuses(quick.summary).src, 'cached', 'size + mtime are trusted by default');
  const v = runCli(['cache', 'verify', '--cache', cache]);
  t.is(v.code, 1);
  t.regex(v.stdout, /corrupt: src \(test-source\) .*content hash mismatch/);
  const summary = join(dir, 's.json');
  const verified = runCli(['run', file, '--cache', cache, '--out', out, '--verify', '--summary', summary]);
  t.is(verified.code, 0, verified.stderr);
  t.is(JSON.parse(readFileSync(summary, 'utf8')).nodes.find((n: { id: string }) => n.id === 'src').status, 'computed');
  t.regex(runCli(['cache', 'verify', '--cache', cache]).stdout, /verified: clean/);
  // --repair: damage a chunk-free entry's manifest, repair removes it
  const stats = store.list().find((e) => e.nodeType === 'statistics')!;
  writeFileSync(join(cache, 'nodes', stats.key, 'manifest.json'), '{}');
  const repair = runCli(['cache', 'verify', '--cache', cache, '--repair']);
  t.is(repair.code, 0, repair.stdout);
  t.regex(repair.stdout, /removed/);
  t.false(existsSync(join(cache, 'nodes', stats.key)));
});

test('cached nodes report the seconds they took when computed', async (t) => {
  const { file, cache, out } = await setup();
  const r = await runApi(file, { cache, out });
  for (const n of r.summary.nodes) {
    t.is(n.status, 'cached');
    t.is(typeof n.computedSeconds, 'number', n.id);
  }
  t.true(r.events.some((e) => e.event === 'node-cached' && typeof e.computedSeconds === 'number'));
  const ls = runCli(['cache', 'ls', '--cache', cache]);
  t.regex(ls.stdout, /^node\s+type\s+workflow\s+size\s+age\s+key/m);
  t.regex(ls.stdout, /^stats\s+statistics\s+\S*wf\.json\s+[\d.]+ MB\s+\d+ s/m);
});
