import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, ROOT, TEST_PLUGIN, hashTree, runCli, tempDir, writeWorkflow } from './helpers.js';
import type { RunSummary } from '../../engine/core/events.js';

const wf = {
  version: 1,
  plugins: [TEST_PLUGIN],
  settings: { chunkSizeMax: 2 },
  nodes: [
    { id: 'src', type: 'test-source', params: { shape: [40, 30, 24], seed: 11 } },
    { id: 'slow', type: 'test-scale', inputs: { input: 'src.volume' }, params: { factor: 3, delayMs: 250 } },
  ],
};

function volumeHashes(cache: string): string[] {
  return Object.entries(hashTree(join(cache, 'nodes'))).filter(([k]) => k.endsWith('volume.raw')).map(([, h]) => h);
}

test('a run killed with SIGKILL resumes: only missing chunks are computed, output bytes identical', async (t) => {
  const dir = tempDir();
  const file = writeWorkflow(dir, wf);
  const cache = join(dir, 'cache');

  // start a run and kill it hard after 3 chunks have been written
  const child = spawn(process.execPath, [CLI, 'run', file, '--cache', cache, '--workers', '1', '--json'], { cwd: ROOT });
  let seen = 0;
  let buf = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        if (JSON.parse(l).event === 'chunk-done' && ++seen === 3) child.kill('SIGKILL');
      }
    });
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`run was not killed (saw ${seen} chunks)`))));
  });
  t.is(seen, 3);

  const summaryFile = join(dir, 'summary.json');
  const resumed = runCli(['run', file, '--cache', cache, '--workers', '2', '--summary', summaryFile]);
  t.is(resumed.code, 0, resumed.stderr);
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as RunSummary;
  const slow = summary.nodes.find((n) => n.id === 'slow')!;
  t.is(slow.status, 'computed');
  t.is(slow.chunks!.total, 12);
  t.true(slow.chunks!.cached >= 3, `reused ${slow.chunks!.cached} chunks`);
  t.is(slow.chunks!.computed, 12 - slow.chunks!.cached);
  t.is(summary.nodes.find((n) => n.id === 'src')!.status, 'cached');
  t.deepEqual(Object.keys(summary), ['workflow', 'ok', 'nodes', 'seconds', 'peakRssMB']);

  // an uninterrupted run elsewhere gives the same bytes
  const clean = join(dir, 'clean-cache');
  t.is(runCli(['run', file, '--cache', clean, '--workers', '2']).code, 0);
  t.deepEqual(volumeHashes(cache), volumeHashes(clean));
  t.is(volumeHashes(cache).length, 1);
});
