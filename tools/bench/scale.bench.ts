// Scale-out benchmark (issue 16): per-task overhead of the executors on no-op chunk tasks (local
// threads vs BullMQ vs SLURM array elements), and the speed-up of a detection workflow on the real
// cellfinder crop with 1 vs 2 `clearmap worker` processes (1 thread each) on a BullMQ queue. Starts its
// own redis-server on a unix socket; SLURM rows need a cluster (.ci/start-slurm.sh), else they are
// reported as skipped. All ratios are within this run, on this machine (its core count is printed).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { benchDir, CLI, ROOT, runWorkflowCli, type BenchRow } from './util.js';

const TEST_PLUGIN = join(ROOT, 'test', 'fixtures', 'plugins', 'engine-test-nodes');
const PLANES = ['/work/shared/data', join(ROOT, '..', 'shared', 'data'), process.env.CLEARMAP_SHARED_DATA ?? '']
  .map((d) => join(d, 'cellfinder', 'crop_planes', 'ch0')).find((d) => existsSync(d));

async function startRedis(dir: string): Promise<{ url: string; stop(): void }> {
  const sock = join(dir, 'redis.sock');
  const child = spawn('redis-server', ['--port', '0', '--unixsocket', sock, '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  for (let i = 0; i < 600 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
  return { url: `unix://${sock}`, stop: () => child.kill('SIGKILL') };
}

async function startWorkers(n: number, redis: string, queue: string, cache: string): Promise<ChildProcess[]> {
  const ws = Array.from({ length: n }, () => spawn(process.execPath, [CLI, 'worker', '--redis', redis, '--queue', queue, '--cache', cache, '--threads', '1', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] }));
  await Promise.all(ws.map((w) => new Promise<void>((resolve) => {
    let buf = '';
    w.stdout!.on('data', (d: Buffer) => { buf += d.toString(); if (buf.includes('"ready"')) resolve(); });
  })));
  return ws;
}

/** Seconds of one node (computed, fresh cache) of a run. */
function nodeSeconds(dir: string, wf: unknown, node: string, args: string[]): { seconds: number; chunks: number } {
  mkdirSync(dir, { recursive: true });
  const s = runWorkflowCli(dir, wf, args);
  const n = s.nodes.find((x) => x.id === node)!;
  if (n.status !== 'computed') throw new Error(`${node} was ${n.status}`);
  return { seconds: n.seconds, chunks: n.chunks?.computed ?? 1 };
}

export async function scaleBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const cores = availableParallelism();
  const { dir, cleanup } = benchDir('scale');
  const redis = await startRedis(dir);
  try {
    // ---- per-task overhead: 1-plane chunks of a multiply-by-one kernel on 16x16 planes
    const noop = (depth: number) => ({
      version: 1, plugins: [TEST_PLUGIN], settings: { chunkSizeMax: 1 },
      nodes: [
        { id: 'src', type: 'test-source', params: { shape: [16, 16, depth] } },
        { id: 'noop', type: 'test-scale', inputs: { input: 'src.volume' }, params: { factor: 1 } },
      ],
    });
    const local = nodeSeconds(join(dir, 'local'), noop(64), 'noop', ['--workers', '1']);
    rows.push({ section: 'scale', case: 'per-task overhead, local threads (1 thread, 64 no-op chunks)', value: 1000 * local.seconds / local.chunks, unit: 'ms/task' });
    const ws = await startWorkers(1, redis.url, 'noop', join(dir, 'q', 'cache'));
    let queue;
    try {
      queue = nodeSeconds(join(dir, 'q'), noop(64), 'noop', ['--executor', 'bullmq', '--redis', redis.url, '--queue', 'noop']);
    } finally {
      ws.forEach((w) => w.kill('SIGKILL'));
    }
    rows.push({ section: 'scale', case: 'per-task overhead, BullMQ (1 worker process, 1 thread, 64 no-op chunks)', value: 1000 * queue.seconds / queue.chunks, unit: 'ms/task', note: `${((queue.seconds / queue.chunks) / (local.seconds / local.chunks)).toFixed(1)}x local` });
    const slurm = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' });
    if (slurm.status === 0 && /idle|mixed|alloc/.test(slurm.stdout)) {
      for (const perElement of [1, 8]) {
        const s = nodeSeconds(join(dir, `s${perElement}`), noop(32), 'noop', ['--executor', 'slurm', '--poll', '0.5', '--max-parallel', String(cores), '--tasks-per-element', String(perElement)]);
        rows.push({ section: 'scale', case: `per-task overhead, SLURM array (${perElement} task(s)/element, ${cores} at once, 32 no-op chunks)`, value: 1000 * s.seconds / s.chunks, unit: 'ms/task', note: `${((s.seconds / s.chunks) / (local.seconds / local.chunks)).toFixed(1)}x local; poll 0.5 s` });
      }
    } else {
      rows.push({ section: 'scale', case: 'per-task overhead, SLURM array', value: NaN, unit: 'ms/task', note: 'skipped: no SLURM cluster (run .ci/start-slurm.sh as root)' });
    }

    // ---- detection on the real crop: 1 vs 2 worker processes on the queue
    if (PLANES) {
      const det = {
        version: 1, settings: { chunkSizeMax: 4, chunkSizeMin: 2 },
        nodes: [
          { id: 'raw', type: 'read-volume', params: { path: join(PLANES, 'ch00\\d{3}.tif'), x: [0, 400], y: [0, 400] } },
          { id: 'detect', type: 'detect', inputs: { input: 'raw.volume' }, params: {
            removeBackgroundParameter: { size: [7, 7] }, findExtendedMaximaParameter: { hMax: 20, size: 5, threshold: 0 }, detectCellShapeParameter: { threshold: 150 },
          } },
        ],
      };
      const times: Record<number, number> = {};
      for (const n of [1, 2]) {
        const sub = join(dir, `det${n}`);
        const workers = await startWorkers(n, redis.url, `det${n}`, join(sub, 'cache'));
        try {
          times[n] = nodeSeconds(sub, det, 'detect', ['--executor', 'bullmq', '--redis', redis.url, '--queue', `det${n}`]).seconds;
        } finally {
          workers.forEach((w) => w.kill('SIGKILL'));
        }
        rows.push({ section: 'scale', case: `detection 400x400x30 real crop on BullMQ, ${n} worker process(es)`, value: times[n], unit: 's' });
      }
      rows.push({ section: 'scale', case: `speed-up 2 vs 1 worker processes (${cores} cores on this machine)`, value: times[1] / times[2], unit: 'x' });
    }
  } finally {
    redis.stop();
    cleanup();
  }
  return rows;
}
