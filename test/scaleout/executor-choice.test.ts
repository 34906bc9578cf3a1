// Choosing the executor: settings.executor in the workflow, --executor overriding it, and a missing
// --redis reported as a usage error before anything runs.
import test from 'ava';
import { join } from 'node:path';
import { runCli, tempDir, writeWorkflow, TEST_PLUGIN } from '../engine/helpers.js';
import { createExecutor } from '../../engine/scheduler/executors.js';

const wf = (executor?: string) => ({
  version: 1, plugins: [TEST_PLUGIN], ...(executor ? { settings: { executor } } : {}),
  nodes: [
    { id: 'src', type: 'test-source', params: { shape: [8, 8, 4] } },
    { id: 'x', type: 'test-scale', inputs: { input: 'src.volume' }, params: { factor: 2 } },
  ],
});

test('settings.executor chooses the executor and --executor overrides it; bullmq without --redis is a usage error (exit 2)', (t) => {
  const dir = tempDir('cm-exec-');
  const file = writeWorkflow(dir, wf('bullmq'));
  const bad = runCli(['run', file, '--cache', join(dir, 'cache'), '--out', join(dir, 'out')]);
  t.is(bad.code, 2, bad.stderr);
  t.regex(bad.stderr, /--executor bullmq needs --redis/);
  const ok = runCli(['run', file, '--cache', join(dir, 'cache'), '--out', join(dir, 'out'), '--executor', 'local', '--json']);
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /"event":"run-start"[^\n]*"executor":"local"/);
});

test('executor kinds: local by default, slurm plans for --max-parallel and the workers\' memory', async (t) => {
  const local = await createExecutor({ workers: 3, cacheDir: tempDir() });
  t.is(local.kind, 'local');
  t.is(local.size, 3);
  t.is(await local.memoryPerTask(), undefined);
  await local.close();
  const slurm = await createExecutor({ workers: 1, cacheDir: tempDir(), slurm: { maxParallel: 40, memPerTask: 2 ** 30 } }, { executor: 'slurm' });
  t.is(slurm.kind, 'slurm');
  t.is(slurm.size, 40);
  t.is(await slurm.memoryPerTask(), 2 ** 30);
  await slurm.close();
});
