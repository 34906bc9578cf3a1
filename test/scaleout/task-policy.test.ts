// What workers agree to run: a task naming a module outside the install (and not in an allowed plugin
// root), or a chunk file outside the cache, is refused and reported, and nothing of it runs.
import test from 'ava';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli, tempDir, TEST_PLUGIN } from '../engine/helpers.js';
import { writeTaskList, writeUnitPart } from '../../engine/scheduler/task-file.js';
import { rawVolumeRef } from '../../engine/data/raw-volume.js';

function taskList(cache: string, kernelModule: string, chunkFile: string): string {
  const runDir = join(cache, 'tasks', 'r1');
  mkdirSync(runDir, { recursive: true });
  const raw = join(cache, 'src.raw');
  writeFileSync(raw, Buffer.alloc(4 * 4 * 2 * 2));
  writeUnitPart(join(runDir, 'unit-0.v8'), {
    source: rawVolumeRef(raw, [4, 4, 2], 'uint16', [1, 1, 1]),
    stages: [{ nodeId: 'x', nodeType: 'x', module: kernelModule, export: 'scale', params: { factor: 2, delayMs: 0 }, produces: 'volume', context: { inputs: {}, baseDir: cache } }],
  });
  const list = join(runDir, 'list-0.v8');
  writeTaskList(list, { version: 1, perElement: 1, tasks: [{ id: 't0', node: 'x', unit: 'unit-0.v8', geometry: { index: 0, count: 1, read: [0, 2], core: [0, 2], depth: 2 }, chunkFile }] });
  return list;
}

test('a task file naming a module outside the install is refused and nothing of it runs', (t) => {
  const dir = tempDir('cm-policy-');
  const cache = join(dir, 'cache');
  const marker = join(dir, 'evil-ran');
  const evil = join(dir, 'evil.mjs');
  writeFileSync(evil, `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, 'x'); export function scale(s) { return s; }\n`);
  const chunk = join(cache, 'chunks', 'k', '0-2_read0-2.chunk');
  mkdirSync(dirname(chunk), { recursive: true }); // the coordinator opens the chunk folder before it submits tasks
  const r = runCli(['task', '--list', taskList(cache, pathToFileURL(evil).href, chunk), '--index', '0']);
  t.is(r.code, 1);
  t.regex(r.stderr, /evil\.mjs is outside this install .*refused/);
  t.regex(r.stderr, /node 'x', chunk 1\/1/);
  t.false(existsSync(marker), 'the module was never imported');
  t.false(existsSync(chunk));
});

test('a task writing outside the cache is refused; a module of the install writing under the cache runs', (t) => {
  const dir = tempDir('cm-policy-');
  const cache = join(dir, 'cache');
  const kernels = pathToFileURL(join(TEST_PLUGIN, 'kernels.js')).href;
  const outside = join(dir, 'elsewhere', 'x.chunk');
  const bad = runCli(['task', '--list', taskList(cache, kernels, outside), '--index', '0']);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /is not under the worker's cache .*refused/);
  t.false(existsSync(outside));

  const chunk = join(cache, 'chunks', 'k', '0-2_read0-2.chunk');
  mkdirSync(dirname(chunk), { recursive: true }); // the coordinator opens the chunk folder before it submits tasks
  const ok = runCli(['task', '--list', taskList(cache, kernels, chunk), '--index', '0']);
  t.is(ok.code, 0, ok.stderr);
  t.true(existsSync(chunk));
});
