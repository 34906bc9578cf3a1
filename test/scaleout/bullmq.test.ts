// The BullMQ executor against a real redis-server (started here on a unix socket) and real
// `clearmap worker` processes: same bytes as local runs, killed workers and coordinators recover,
// no chunk computed twice by the queue, a kernel longer than the job lock runs once.
import test from 'ava';
import { join } from 'node:path';
import { hashTree, runCli, tempDir, writeWorkflow } from '../engine/helpers.js';
import { cli, hasRedis, serviceTest, startRedis, startWorker, stop, type Proc, type RedisServer } from './_services.js';
import { detectionWorkflow, slowWorkflow } from './_workflows.js';

const rtest = serviceTest('redis-server', hasRedis, 'apt-get install redis-server');
let redis: RedisServer;
const dir = tempDir('cm-bullmq-');
let queues = 0;
const nextQueue = () => `q${process.pid}-${queues++}`;

test.before(async () => {
  if (hasRedis) redis = await startRedis(dir);
});
test.after.always(() => redis?.stop());

function localReference(wf: Record<string, unknown>, name: string): Record<string, string> {
  const d = join(dir, name);
  const file = writeWorkflow(dir, wf, `${name}.json`);
  const r = runCli(['run', file, '--cache', join(d, 'cache'), '--out', join(d, 'out'), '--workers', '2']);
  if (r.code !== 0) throw new Error(r.stderr);
  return hashTree(join(d, 'out'));
}

const computedBy = (workers: Proc[]) => {
  const count = new Map<string, number>();
  for (const w of workers) for (const l of w.lines) if (l.event === 'computed') count.set(l.job as string, (count.get(l.job as string) ?? 0) + 1);
  return count;
};

rtest('detection + statistics on the queue: same outputs, byte for byte, as a local run; chunk events carry host and pid', async (t) => {
  const reference = localReference(detectionWorkflow, 'det-local');
  const queue = nextQueue();
  const cache = join(dir, 'det-q', 'cache');
  const workers = [await startWorker(redis.url, queue, cache), await startWorker(redis.url, queue, cache)];
  try {
    const file = writeWorkflow(dir, detectionWorkflow, 'det.json');
    const run = cli(['run', file, '--cache', cache, '--out', join(dir, 'det-q', 'out'), '--executor', 'bullmq', '--redis', redis.url, '--queue', queue, '--json']);
    t.is(await run.exited, 0, run.stderr());
    t.deepEqual(hashTree(join(dir, 'det-q', 'out')), reference);
    const done = run.lines.filter((l) => l.event === 'chunk-done' && !l.cached);
    t.true(done.length > 2);
    const pids = new Set(workers.map((w) => w.child.pid));
    t.true(done.every((l) => typeof l.host === 'string' && pids.has(l.pid as number)), 'every chunk names the worker that ran it');
    t.true(run.lines.some((l) => l.event === 'chunk-state' && l.executor === 'bullmq'));
  } finally {
    await Promise.all(workers.map(stop));
  }
});

rtest('a worker SIGKILLed mid-chunk: its job is recovered by the other worker, same bytes', async (t) => {
  const wf = slowWorkflow(1500);
  const reference = localReference(wf, 'kill-local');
  const queue = nextQueue();
  const cache = join(dir, 'kill-w', 'cache');
  const lock = ['--lock-duration', '2000'];
  const victim = await startWorker(redis.url, queue, cache, lock);
  const survivor = await startWorker(redis.url, queue, cache, lock);
  try {
    const run = cli(['run', writeWorkflow(dir, wf, 'kill-w.json'), '--cache', cache, '--out', join(dir, 'kill-w', 'out'), '--executor', 'bullmq', '--redis', redis.url, '--queue', queue, '--json']);
    const started = await victim.waitFor((l) => l.event === 'start');
    victim.child.kill('SIGKILL');
    t.is(await run.exited, 0, run.stderr());
    t.deepEqual(hashTree(join(dir, 'kill-w', 'out')), reference);
    // the killed worker's job was computed by the survivor
    t.true(survivor.lines.some((l) => l.event === 'computed' && l.job === started.job));
  } finally {
    await Promise.all([victim, survivor].map(stop));
  }
});

rtest('the coordinator SIGKILLed and restarted completes with the same bytes, no chunk computed twice by the queue; two coordinators on one cache both complete', async (t) => {
  const wf = slowWorkflow(700);
  const reference = localReference(wf, 'coord-local');
  const queue = nextQueue();
  const cache = join(dir, 'coord', 'cache');
  const worker = await startWorker(redis.url, queue, cache);
  try {
    const file = writeWorkflow(dir, wf, 'coord.json');
    const args = ['run', file, '--cache', cache, '--executor', 'bullmq', '--redis', redis.url, '--queue', queue, '--json'];
    const first = cli([...args, '--out', join(dir, 'coord', 'out')]);
    await worker.waitFor((l) => l.event === 'computed');
    first.child.kill('SIGKILL');
    await first.exited;
    // restarted, and a second coordinator on the same cache at the same time
    const [again, second] = [cli([...args, '--out', join(dir, 'coord', 'out')]), cli([...args, '--out', join(dir, 'coord', 'out2')])];
    t.is(await again.exited, 0, again.stderr());
    t.is(await second.exited, 0, second.stderr());
    t.deepEqual(hashTree(join(dir, 'coord', 'out')), reference);
    t.deepEqual(hashTree(join(dir, 'coord', 'out2')), reference);
    const counts = computedBy([worker]);
    t.true(counts.size >= 6, `the slow node's chunks ran on the queue (${counts.size})`);
    for (const [job, n] of counts) t.is(n, 1, `${job} computed ${n} times`);
  } finally {
    await stop(worker);
  }
});

rtest('a kernel running longer than the job lock is executed once (the worker keeps renewing its lock)', async (t) => {
  const wf = slowWorkflow(3500, 4);
  const queue = nextQueue();
  const cache = join(dir, 'lock', 'cache');
  // two workers, so a job wrongly taken for stalled would be picked up by the other one
  const workers = [await startWorker(redis.url, queue, cache, ['--lock-duration', '1000']), await startWorker(redis.url, queue, cache, ['--lock-duration', '1000'])];
  try {
    const run = cli(['run', writeWorkflow(dir, wf, 'lock.json'), '--cache', cache, '--out', join(dir, 'lock', 'out'), '--executor', 'bullmq', '--redis', redis.url, '--queue', queue, '--json']);
    t.is(await run.exited, 0, run.stderr());
    const starts = new Map<string, number>();
    for (const w of workers) for (const l of w.lines) if (l.event === 'start') starts.set(l.job as string, (starts.get(l.job as string) ?? 0) + 1);
    t.true(starts.size >= 2);
    for (const [job, n] of starts) t.is(n, 1, `${job} started ${n} times`);
  } finally {
    await Promise.all(workers.map(stop));
  }
});
