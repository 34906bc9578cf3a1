// The SLURM executor on the single-node cluster that .ci/run starts (.ci/start-slurm.sh): array jobs
// of `clearmap task` elements give the same bytes as a local run, and an element SIGKILLed mid-chunk
// is resubmitted and the run completes with the same bytes.
import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { hashTree, runCli, tempDir, writeWorkflow } from '../engine/helpers.js';
import { cli, hasSlurm, serviceTest } from './_services.js';
import { detectionWorkflow, slowWorkflow } from './_workflows.js';

const stest = serviceTest('a SLURM cluster (sinfo)', hasSlurm, 'run .ci/start-slurm.sh as root');
const dir = tempDir('cm-slurm-');

function localReference(wf: Record<string, unknown>, name: string): Record<string, string> {
  const d = join(dir, name);
  const r = runCli(['run', writeWorkflow(dir, wf, `${name}.json`), '--cache', join(d, 'cache'), '--out', join(d, 'out'), '--workers', '2']);
  if (r.code !== 0) throw new Error(r.stderr);
  return hashTree(join(d, 'out'));
}

stest('detection + statistics as SLURM array jobs: same outputs, byte for byte, as a local run', async (t) => {
  const reference = localReference(detectionWorkflow, 'det-local');
  const cache = join(dir, 'det-s', 'cache');
  const run = cli(['run', writeWorkflow(dir, detectionWorkflow, 'det.json'), '--cache', cache, '--out', join(dir, 'det-s', 'out'), '--executor', 'slurm', '--poll', '0.5', '--tasks-per-element', '2', '--mem-per-task', '1G', '--json']);
  t.is(await run.exited, 0, run.stderr());
  t.deepEqual(hashTree(join(dir, 'det-s', 'out')), reference);
  t.true(run.lines.some((l) => l.event === 'log' && /submitted SLURM array job \d+/.test(l.message as string)));
  const done = run.lines.filter((l) => l.event === 'chunk-done' && !l.cached);
  t.true(done.length > 2 && done.every((l) => typeof l.host === 'string' && typeof l.pid === 'number'));
  t.false(existsSync(join(cache, 'tasks')) && readdirSync(join(cache, 'tasks')).length > 0, 'task lists of a successful run are removed');
});

stest('an array element SIGKILLed mid-chunk is resubmitted; the run completes with the same bytes', async (t) => {
  const wf = slowWorkflow(2500, 8);
  const reference = localReference(wf, 'kill-local');
  const cache = join(dir, 'kill-s', 'cache');
  const run = cli(['run', writeWorkflow(dir, wf, 'kill.json'), '--cache', cache, '--out', join(dir, 'kill-s', 'out'), '--executor', 'slurm', '--poll', '0.5', '--json']);
  // the first element that reports itself running is killed (its pid is in its status file)
  let killed: number | undefined;
  while (killed === undefined && run.child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 200));
    const tasks = join(cache, 'tasks');
    if (!existsSync(tasks)) continue;
    for (const runDir of readdirSync(tasks)) {
      for (const f of readdirSync(join(tasks, runDir)).filter((n) => n.endsWith('.status.json'))) {
        try {
          const st = JSON.parse(readFileSync(join(tasks, runDir, f), 'utf8')) as { state: string; pid: number };
          if (st.state === 'running' && killed === undefined) {
            process.kill(st.pid, 'SIGKILL');
            killed = st.pid;
          }
        } catch { /* being written */ }
      }
    }
  }
  t.truthy(killed, 'an element was killed');
  t.is(await run.exited, 0, run.stderr());
  t.true(run.lines.some((l) => l.event === 'log' && /resubmitting/.test(l.message as string)), 'the killed element was resubmitted');
  t.deepEqual(hashTree(join(dir, 'kill-s', 'out')), reference);
});

stest('Ctrl-C on the coordinator cancels its array jobs (scancel)', async (t) => {
  const cache = join(dir, 'cancel', 'cache');
  const run = cli(['run', writeWorkflow(dir, slowWorkflow(20_000, 8), 'cancel.json'), '--cache', cache, '--out', join(dir, 'cancel', 'out'), '--executor', 'slurm', '--poll', '0.5', '--json']);
  const submitted = await run.waitFor((l) => l.event === 'log' && /submitted SLURM array job \d+/.test(l.message as string));
  const jobId = /array job (\d+)/.exec(submitted.message as string)![1];
  run.child.kill('SIGINT');
  t.is(await run.exited, 130);
  // scancel is asynchronous in slurmctld: wait until the array has left the queue
  for (;;) {
    const q = spawnSync('squeue', ['--noheader', '--array', `--jobs=${jobId}`, '--format=%T'], { encoding: 'utf8' });
    if (!q.stdout.split('\n').some((s) => /PENDING|RUNNING|CONFIGURING/.test(s))) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  t.pass();
});
