// Services for the scale-out tests: a private redis-server on a unix socket, started and stopped by
// the test file; the single-node SLURM cluster started by .ci/start-slurm.sh (.ci/run). A missing
// service skips the tests with a visible message locally and fails them in CI.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { CLI, ROOT } from '../engine/helpers.js';

const REQUIRED = process.env.CI === 'true' || process.env.CLEARMAP_REQUIRE_SERVICES === '1';

function has(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0;
}

/** `test` when the service is there; else a visible skip (locally) or a failing test (CI). */
export function serviceTest(name: string, available: boolean, hint: string): typeof test | typeof test.skip {
  if (available) return test;
  if (REQUIRED) {
    test(`${name} is available (required in CI)`, (t) => t.fail(`${name} is missing: ${hint}`));
    return test.skip;
  }
  process.stderr.write(`\n*** ${name} is not available: skipping its tests (${hint}) ***\n\n`);
  return test.skip;
}

export const hasRedis = has('redis-server', ['--version']);
/** A node of the local cluster answers (idle, mixed or allocated). */
export const hasSlurm = (() => {
  const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 && /idle|mixed|alloc/.test(r.stdout);
})();

export interface RedisServer { url: string; stop(): void }

export async function startRedis(dir: string): Promise<RedisServer> {
  const sock = join(dir, 'redis.sock');
  const child = spawn('redis-server', ['--port', '0', '--unixsocket', sock, '--unixsocketperm', '700', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  for (let i = 0; i < 600 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(sock)) { child.kill('SIGKILL'); throw new Error('redis-server did not start'); }
  return { url: `unix://${sock}`, stop: () => { child.kill('SIGKILL'); } };
}

export interface Proc {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  stderr: () => string;
  waitFor(pred: (l: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** The CLI as a child process; stdout JSON lines collected (no time limit: ava's timeout is the guard). */
export function cli(args: string[]): Proc {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT });
  const lines: Record<string, unknown>[] = [];
  const waiters: { pred: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  let buf = '', err = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.trim()) continue;
      let l: Record<string, unknown>;
      try { l = JSON.parse(line) as Record<string, unknown>; } catch { continue; }
      lines.push(l);
      for (const w of [...waiters]) if (w.pred(l)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(l); }
    }
  });
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child, lines, stderr: () => err, exited,
    waitFor: (pred) => {
      const found = lines.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
  };
}

/** A queue worker; resolves once it has registered on the queue. */
export async function startWorker(redis: string, queue: string, cache: string, extra: string[] = []): Promise<Proc> {
  const w = cli(['worker', '--redis', redis, '--queue', queue, '--cache', cache, '--threads', '1', '--json', ...extra]);
  await Promise.race([w.waitFor((l) => l.event === 'ready'), w.exited.then((c) => { throw new Error(`worker exited (${c}): ${w.stderr()}`); })]);
  return w;
}

export async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGKILL');
  await p.exited;
}
