// Many runs sharing one --cache at once (issue 13 #1): lock-free commits, shared chunk folders that
// are never removed under a live run, temp folders owned by host + pid.
import test from 'ava';
import { existsSync, mkdirSync, readdirSync, writeFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { spawn } from 'node:child_process';
import { CLI, ROOT, TEST_PLUGIN, hashTree, runCli, tempDir, writeWorkflow } from './helpers.js';
import type { EngineEvent } from '../../engine/core/events.js';
import { CacheStore } from '../../engine/cache/store.js';

const wf = {
  version: 1,
  plugins: [TEST_PLUGIN],
  settings: { chunkSizeMax: 2 },
  nodes: [
    { id: 'src', type: 'test-source', params: { shape: [24, 20, 16], seed: 5 } },
    { id: 'slow', type: 'test-scale', inputs: { input: 'src.volume' }, params: { factor: 3, delayMs: 150 } },
    { id: 'blur', type: 'test-blur-z', inputs: { input: 'slow.output' }, params: { radius: 1 } },
    { id: 'peaks', type: 'test-z-peaks', inputs: { input: 'slow.output' }, params: { threshold: 500 } },
    { id: 'stats', type: 'statistics', inputs: { input: 'blur.output' } },
    { id: 'table', type: 'write-table', inputs: { table: 'stats.table' }, params: { path: 'stats.csv' } },
    { id: 'cells', type: 'write-points', inputs: { points: 'peaks.points' }, params: { path: 'cells.npy' } },
    { id: 'vol', type: 'write-volume', inputs: { volume: 'blur.output' }, params: { path: 'blur.mhd' } },
  ],
};

/** Run the CLI asynchronously (no time limit: ava's timeout is the guard), collecting --json events. */
function runAsync(args: string[]): Promise<{ code: number | null; stderr: string; events: EngineEvent[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args, '--json'], { cwd: ROOT });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('close', (code) => resolve({ code, stderr: err, events: out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as EngineEvent) }));
  });
}

test('three runs of a workflow on one cache at once (and one to another --out) all succeed with identical bytes', async (t) => {
  t.timeout(10 * 60_000); // five CLI runs; slow on a busy machine, and that is fine
  const dir = tempDir();
  const file = writeWorkflow(dir, wf);
  const lone = runCli(['run', file, '--cache', join(dir, 'lone-cache'), '--out', join(dir, 'lone'), '--workers', '1']);
  t.is(lone.code, 0, lone.stderr);
  const reference = hashTree(join(dir, 'lone'));
  t.deepEqual(Object.keys(reference).sort(), ['blur.mhd', 'blur.raw', 'cells.npy', 'cells_intensities.npy', 'stats.csv']);

  const cache = join(dir, 'cache');
  const runs = await Promise.all([
    runAsync(['run', file, '--cache', cache, '--out', join(dir, 'out'), '--workers', '1']),
    runAsync(['run', file, '--cache', cache, '--out', join(dir, 'out'), '--workers', '1']),
    runAsync(['run', file, '--cache', cache, '--out', join(dir, 'out'), '--workers', '1']),
    runAsync(['run', file, '--cache', cache, '--out', join(dir, 'other'), '--workers', '1']),
  ]);
  for (const r of runs) t.is(r.code, 0, r.stderr);
  t.deepEqual(hashTree(join(dir, 'out')), reference);
  t.deepEqual(hashTree(join(dir, 'other')), reference);

  // every chunk of the chunk-wise units was computed by at least one of the runs
  const computed = new Map<string, Set<number>>();
  const count = new Map<string, number>();
  for (const r of runs) {
    for (const e of r.events) {
      if (e.event !== 'chunk-done' || e.cached) continue;
      if (!computed.has(e.node)) computed.set(e.node, new Set());
      computed.get(e.node)!.add(e.index);
      count.set(e.node, e.count);
    }
  }
  t.deepEqual([...computed.keys()].sort(), ['blur', 'peaks', 'slow', 'stats']);
  for (const [node, set] of computed) t.is(set.size, count.get(node)!, `${node}: chunks ${[...set].sort((x, y) => x - y).join(',')} computed`);

  // the cache verifies clean, no temp or chunk folder is left behind
  const verify = runCli(['cache', 'verify', '--cache', cache]);
  t.is(verify.code, 0, verify.stdout + verify.stderr);
  t.regex(verify.stdout, /verified: clean/);
  t.deepEqual(readdirSync(join(cache, 'nodes')).filter((n) => n.includes('.tmp-') || n.includes('.trash-')), []);
  t.deepEqual(readdirSync(join(cache, 'chunks')), []);
  t.deepEqual(readdirSync(join(dir, 'out')).filter((n) => n.includes('.tmp-')), []);
  // a further run finds everything cached
  const again = await runAsync(['run', file, '--cache', cache, '--out', join(dir, 'out'), '--workers', '1']);
  t.is(again.code, 0, again.stderr);
  t.true(again.events.filter((e) => e.event === 'node-cached').length === wf.nodes.length);
});

test('sweeping temps never removes a live run\'s folder, on this host or another, and removes dead ones', (t) => {
  const cache = join(tempDir(), 'cache');
  const store = new CacheStore(cache);
  const host = hostname().replace(/[^A-Za-z0-9.]/g, '_');
  const live = store.newWorkDir('k1'); // this process
  const deadHere = join(store.nodesDir, `k2.tmp-${host}~999999~abc`); // a pid that does not exist
  const otherHostFresh = join(store.nodesDir, `k3.tmp-other.host~${process.pid}~abc`);
  const otherHostOld = join(store.nodesDir, `k4.tmp-other.host~${process.pid}~def`);
  for (const d of [deadHere, otherHostFresh, otherHostOld]) mkdirSync(d);
  const old = new Date(Date.now() - 3 * 3600_000);
  utimesSync(otherHostOld, old, old);
  store.sweepTemps();
  t.true(existsSync(live), 'own live temp kept');
  t.false(existsSync(deadHere), 'temp of a dead pid on this host removed');
  t.true(existsSync(otherHostFresh), 'temp of another host with a recent heartbeat kept (its pid means nothing here)');
  t.false(existsSync(otherHostOld), 'temp of another host without a heartbeat for long removed');
  store.abandon(live);
});

test('a chunk folder is kept while another live run uses it and removed by the last user after commit', (t) => {
  const cache = join(tempDir(), 'cache');
  const store = new CacheStore(cache);
  const a = store.chunkDir('key').open();
  const b = store.chunkDir('key').open();
  writeFileSync(join(store.entryDir('key') + '.fake'), '');
  // pretend the node got committed
  mkdirSync(store.entryDir('key'));
  writeFileSync(join(store.entryDir('key'), 'manifest.json'), '{}');
  a.close();
  t.true(existsSync(b.dir), 'b still uses it');
  b.close();
  t.false(existsSync(b.dir), 'removed by the last user');
});
