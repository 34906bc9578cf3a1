// Local workers: child processes (default) or worker threads. Both give the same bytes and the same
// messages; a worker process that dies fails its chunk with a message naming it and is replaced;
// none outlives its pool or its parent.
import test from 'ava';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CacheStore } from '../../engine/cache/store.js';
import { ProcessPool, workerProcessesStarted } from '../../engine/scheduler/process-pool.js';
import { loadWorkflow } from '../../app/engine.js';
import { hashTree, runApi, runCli, statuses, tempDir, writeWorkflow, ROOT, TEST_PLUGIN } from './helpers.js';

const KERNELS = pathToFileURL(join(TEST_PLUGIN, 'kernels.js')).href;
const DETECT = {
  removeBackgroundParameter: { size: [5, 5] }, filterDoGParameter: { size: [5, 5, 3] },
  findExtendedMaximaParameter: { hMax: 10, size: 3, threshold: 20 }, detectCellShapeParameter: { threshold: 100 }, cellReach: 1,
};

function detectWorkflow(localWorkers: string) {
  return {
    version: 1,
    plugins: [TEST_PLUGIN],
    settings: { chunkSizeMax: 4, tileSizeMax: 0, localWorkers },
    nodes: [
      { id: 'src', type: 'test-source', params: { shape: [48, 40, 14], seed: 5 } },
      { id: 'cells', type: 'detect', inputs: { input: 'src.volume' }, params: DETECT },
      { id: 'peaks', type: 'test-z-peaks', inputs: { input: 'src.volume' }, params: { threshold: 500 } },
      { id: 'csv', type: 'write-points', inputs: { points: 'cells.points' }, params: { path: 'cells.csv' } },
      { id: 'sum', type: 'test-parallel-sum', inputs: { input: 'src.volume' }, params: { slab: 5 } },
    ],
  };
}

const resultHashes = (cache: string) =>
  Object.entries(hashTree(join(cache, 'nodes'))).filter(([k]) => !k.endsWith('manifest.json') && !k.endsWith('manifest.sha256')).map(([, h]) => h).sort();

function jsonOutput(cache: string, type: string, port: string): Record<string, unknown> {
  const entry = new CacheStore(cache).list().find((e) => e.nodeType === type)!;
  return JSON.parse(readFileSync(join(cache, 'nodes', entry.key, 'manifest.json'), 'utf8')).outputs[port].value;
}

/** A process that exists and is not a zombie (orphans are reaped by init, which may take a moment). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

test('processes and threads give the same bytes on a chunked detect workflow; the setting is no part of a cache key; a cached run starts no process', async (t) => {
  const runs: Record<string, { cache: string; dir: string }> = {};
  for (const kind of ['processes', 'threads']) {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    const r = await runApi(writeWorkflow(dir, detectWorkflow(kind)), { cache, workers: 2 });
    t.true(r.summary.ok, JSON.stringify(r.summary.nodes.filter((n) => n.error)));
    t.true(r.summary.nodes.find((n) => n.id === 'cells')!.chunks!.total > 1, 'several chunks');
    // where pool tasks ran: other processes, or threads of this one
    const pids = jsonOutput(cache, 'test-parallel-sum', 'result').pids as number[];
    if (kind === 'processes') t.false(pids.includes(process.pid), `${kind}: ${pids}`);
    else t.deepEqual(pids, [process.pid], kind);
    runs[kind] = { cache, dir };
  }
  t.deepEqual(resultHashes(runs.processes.cache), resultHashes(runs.threads.cache));
  const csv = readFileSync(join(runs.processes.dir, 'out', 'cells.csv'), 'utf8');
  t.true(csv.trim().split('\n').length > 10, 'cells found');
  t.is(csv, readFileSync(join(runs.threads.dir, 'out', 'cells.csv'), 'utf8'));
  // threads on the processes' cache: everything is cached, and no worker process is started
  const before = workerProcessesStarted();
  const again = await runApi(writeWorkflow(runs.processes.dir, detectWorkflow('processes'), 'again.json'), { cache: runs.processes.cache, workers: 2 });
  t.true(Object.values(statuses(again.summary)).every((s) => s === 'cached'), JSON.stringify(statuses(again.summary)));
  const threads = await runApi(writeWorkflow(runs.processes.dir, detectWorkflow('threads'), 'threads.json'), { cache: runs.processes.cache, workers: 2 });
  t.true(Object.values(statuses(threads.summary)).every((s) => s === 'cached'));
  t.is(workerProcessesStarted(), before, 'a run that hits the cache starts no worker process');
});

test('a kernel error reads the same from a worker process as from a worker thread', async (t) => {
  for (const localWorkers of ['processes', 'threads']) {
    const dir = tempDir();
    const file = writeWorkflow(dir, { version: 1, plugins: [TEST_PLUGIN], settings: { chunkSizeMax: 4, localWorkers }, nodes: [
      { id: 'src', type: 'test-source', params: { shape: [8, 8, 12] } },
      { id: 'bad', type: 'test-scale', inputs: { input: 'src.volume' }, params: { failAtZ: 9 } },
      { id: 'blur', type: 'test-blur-z', inputs: { input: 'bad.output' }, params: { radius: 1 } },
    ] });
    const r = await runApi(file, { cache: join(dir, 'cache') });
    t.is(statuses(r.summary).blur, 'failed');
    t.regex(r.summary.nodes.find((n) => n.id === 'blur')!.error!, /^node 'blur' \(test-blur-z\) failed: stage 'bad' \(test-scale\), chunk \d+\/\d+ \(z \d+–\d+\): deliberate failure at z=9$/, localWorkers);
  }
});

test('a worker process killed mid-chunk (as by the OOM killer) fails its node with a message naming the chunk and the signal; the run ends and other nodes compute', async (t) => {
  const dir = tempDir();
  const file = writeWorkflow(dir, { version: 1, plugins: [TEST_PLUGIN], settings: { chunkSizeMax: 4 }, nodes: [
    { id: 'src', type: 'test-source', params: { shape: [8, 8, 12] } },
    { id: 'crash', type: 'test-scale', inputs: { input: 'src.volume' }, materialize: true, params: { crashAtZ: 5 } },
    { id: 'after', type: 'statistics', inputs: { input: 'crash.output' } },
    { id: 'other', type: 'test-scale', inputs: { input: 'src.volume' }, materialize: true, params: { factor: 3 } },
    { id: 'otherStats', type: 'statistics', inputs: { input: 'other.output' } },
  ] });
  const r = await runApi(file, { cache: join(dir, 'cache'), workers: 2 });
  t.false(r.summary.ok);
  t.like(statuses(r.summary), { crash: 'failed', after: 'skipped', other: 'computed', otherStats: 'computed' });
  t.regex(r.summary.nodes.find((n) => n.id === 'crash')!.error!,
    /^node 'crash' \(test-scale\) failed: chunk \d+\/\d+ \(z \d+–\d+\): its worker process \(pid \d+\) was killed by signal SIGKILL \(often the out-of-memory killer/);
});

test('process pool: typed arrays survive; a dead worker fails its task with its exit code and is replaced; close() ends every worker', async (t) => {
  const pool = new ProcessPool(2);
  t.deepEqual(pool.processes, [], 'started lazily');
  try {
    const args = { a: new Float64Array([1.5, -2, 3]), b: new Uint16Array([7, 65535]), nested: { s: 'x', n: [1, 2] } };
    const back = await pool.runTask<typeof args>({ module: KERNELS, export: 'echo', args });
    t.true(back.a instanceof Float64Array && back.b instanceof Uint16Array);
    t.deepEqual(back, args);
    const first = pool.processes;
    t.is(first.length, 1, 'one task starts one worker');
    // a worker that exits: its task fails naming the task and the code; the next task gets a new worker
    await t.throwsAsync(pool.runTask({ module: 'node:process', export: 'exit', args: 3 }), { message: /^pool task 'exit' of node:process: its worker process \(pid \d+\) exited with code 3$/ });
    t.is(await pool.runTask<string>({ module: 'node:path', export: 'basename', args: '/a/b.tif' }), 'b.tif');
    t.is(pool.processes.length, 1);
    t.notDeepEqual(pool.processes, first, 'replaced');
    // errors thrown by the task come back with their message
    await t.throwsAsync(pool.runTask({ module: 'node:fs', export: 'readFileSync', args: '/nonexistent/x.tif' }), { message: /ENOENT.*\/nonexistent\/x\.tif/ });
    // two tasks at once use two workers
    await Promise.all([1, 2].map((i) => pool.runTask({ module: KERNELS, export: 'echo', args: i })));
    t.is(pool.processes.length, 2);
  } finally {
    const pids = pool.processes;
    await pool.close();
    t.deepEqual(pids.filter(alive), [], 'no worker left after close()');
  }
  await t.throwsAsync(pool.runTask({ module: KERNELS, export: 'echo', args: 1 }), { message: /the worker pool is closed/ });
});

test('worker processes exit when their parent is killed (no orphans)', async (t) => {
  const script = `
    const { ProcessPool } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'engine', 'scheduler', 'process-pool.js')).href)});
    const pool = new ProcessPool(2);
    await Promise.all([1, 2].map((i) => pool.runTask({ module: ${JSON.stringify(KERNELS)}, export: 'echo', args: i })));
    process.stdout.write(JSON.stringify(pool.processes) + '\\n');
    process.kill(process.pid, 'SIGKILL');`;
  const file = join(tempDir(), 'parent.mjs');
  writeFileSync(file, script);
  const parent = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  parent.stdout.on('data', (d) => (out += d));
  const signal = await new Promise((done) => parent.on('exit', (_code, s) => done(s)));
  t.is(signal, 'SIGKILL');
  const pids = JSON.parse(out) as number[];
  t.is(pids.length, 2);
  // the children notice the closed IPC channel; ava's timeout guards this loop
  while (pids.some(alive)) await new Promise((r) => setTimeout(r, 100));
  t.pass();
});

test('settings.localWorkers and --local-workers accept only processes or threads', async (t) => {
  const dir = tempDir();
  const file = writeWorkflow(dir, { version: 1, settings: { localWorkers: 'fibers' }, nodes: [{ id: 'a', type: 'statistics', inputs: {} }] });
  await t.throwsAsync(loadWorkflow(file, []), { message: /localWorkers/ });
  const cli = runCli(['run', '--local-workers', 'fibers', file]);
  t.is(cli.code, 1);
  t.regex(cli.stderr, /--local-workers.*expected processes or threads/);
});
