// Issue 13 #4 and #6 (read-only --out): result files only inside --out, one shared check; temps left
// by killed runs swept; unwritable --out / --cache refused before any compute.
import test from 'ava';
import { chmodSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { spawnSync } from 'node:child_process';
import { CLI, ROOT, runCli, tempDir, writeWorkflow, TEST_PLUGIN } from './helpers.js';
import { resolveOutPath } from '../../engine/core/out-path.js';
import { loadWorkflow } from '../../app/engine.js';
import { WorkflowError } from '../../engine/core/errors.js';
import type { NodeContext } from '../../engine/core/node-type.js';
import type { Artefact } from '../../engine/core/artefacts.js';
import { writeTableNode } from '../../nodes/io/write-table/node.js';

const host = hostname().replace(/[^A-Za-z0-9.]/g, '_');

function wf(writer: Record<string, unknown>) {
  return { version: 1, plugins: [TEST_PLUGIN], nodes: [
    { id: 'src', type: 'test-source', params: { shape: [6, 5, 4] } },
    { id: 'slow', type: 'test-scale', inputs: { input: 'src.volume' }, params: { factor: 2 } },
    { id: 'peaks', type: 'test-z-peaks', inputs: { input: 'src.volume' } },
    { id: 'stats', type: 'statistics', inputs: { input: 'src.volume' } },
    writer,
  ] };
}

const writers: Array<[string, Record<string, unknown>]> = [
  ['write-table', { id: 'w', type: 'write-table', inputs: { table: 'stats.table' } }],
  ['write-points', { id: 'w', type: 'write-points', inputs: { points: 'peaks.points' } }],
  ['write-volume', { id: 'w', type: 'write-volume', inputs: { volume: 'slow.output' } }],
  ['tiles', { id: 'w', type: 'tiles', inputs: { input: 'src.volume' } }],
];
const ext: Record<string, string> = { 'write-table': 'csv', 'write-points': 'csv', 'write-volume': 'tif', tiles: 'png' };

test('write-table, write-points, write-volume and pictures refuse \'..\' and absolute destinations at validation', async (t) => {
  const dir = tempDir();
  for (const [type, node] of writers) {
    for (const path of [`../escape.${ext[type]}`, `sub/../../escape.${ext[type]}`, join(dir, `abs.${ext[type]}`)]) {
      const file = writeWorkflow(dir, wf({ ...node, params: { path } }));
      const e = await t.throwsAsync(loadWorkflow(file, []), { instanceOf: WorkflowError }, `${type} ${path}`);
      t.regex(e!.message, /node 'w': params\.path: .*(leaves the output directory \(--out\)|is absolute; result paths must be relative)/);
    }
  }
  // the CLI: exit 2, nothing computed or written
  const file = writeWorkflow(dir, wf({ ...writers[0][1], params: { path: '../escape.csv' } }));
  const r = runCli(['run', file, '--cache', join(dir, 'cache'), '--out', join(dir, 'out'), '--workers', '1']);
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr, /node 'w': params\.path: '\.\.\/escape\.csv' leaves the output directory/);
  t.false(existsSync(join(dir, 'escape.csv')));
  t.false(existsSync(join(dir, 'cache')));
});

test('the writers themselves resolve through the shared check (a node run directly cannot escape either)', async (t) => {
  const dir = tempDir();
  const out = join(dir, 'out');
  const ctx = { nodeId: 'w', outDir: out, workDir: dir, baseDir: dir, workers: 1, log: () => {}, progress: () => {}, signal: new AbortController().signal } as unknown as NodeContext;
  const table = { kind: 'table', table: { columns: { a: [1] } } } as unknown as Artefact;
  await t.throwsAsync(writeTableNode.run({ table }, { path: '../x.csv' }, ctx), { message: /node 'w': params\.path: '\.\.\/x\.csv' leaves the output directory/ });
  await t.throwsAsync(writeTableNode.run({ table }, { path: '/tmp/x.csv' }, ctx), { message: /is absolute/ });
});

test('the shared check also refuses a destination that leaves --out through a symbolic link', (t) => {
  const dir = tempDir();
  mkdirSync(join(dir, 'out'));
  mkdirSync(join(dir, 'elsewhere'));
  symlinkSync(join(dir, 'elsewhere'), join(dir, 'out', 'link'));
  t.throws(() => resolveOutPath(join(dir, 'out'), 'link/x.csv', "node 'w': params.path"), { message: /node 'w': params\.path: 'link\/x\.csv' leads out of the output folder/ });
  t.is(resolveOutPath(join(dir, 'out'), 'a/b/x.csv'), join(dir, 'out', 'a', 'b', 'x.csv'));
});

test('temp files of killed runs in --out are swept; a live run\'s are kept', (t) => {
  const dir = tempDir();
  const out = join(dir, 'out');
  mkdirSync(join(out, 'sub'), { recursive: true });
  const dead = [`stats.csv.tmp-${host}~999999~abc`, 'stats.csv.tmp-999999', `sub/x.tif.tmp-${host}~999998~zz`];
  const live = `other.csv.tmp-${host}~${process.pid}~abc`;
  for (const f of [...dead, live]) writeFileSync(join(out, f), 'partial');
  const file = writeWorkflow(dir, wf({ ...writers[0][1], params: { path: 'stats.csv' } }));
  const r = runCli(['run', file, '--cache', join(dir, 'cache'), '--out', out, '--workers', '1']);
  t.is(r.code, 0, r.stderr);
  for (const f of dead) t.false(existsSync(join(out, f)), f);
  t.true(existsSync(join(out, live)));
  t.true(existsSync(join(out, 'stats.csv')));
});

test('an unwritable --out or --cache fails before any compute, naming the folder (exit 2)', (t) => {
  const dir = tempDir();
  const file = writeWorkflow(dir, wf({ ...writers[0][1], params: { path: 'stats.csv' } }));
  writeFileSync(join(dir, 'a-file'), '');
  const r = runCli(['run', file, '--cache', join(dir, 'cache'), '--out', join(dir, 'a-file', 'out'), '--workers', '1', '--json']);
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr, /output folder \(--out\) .*a-file\/out: cannot be created \(ENOTDIR\)/);
  t.notRegex(r.stdout, /node-start/);
  const c = runCli(['run', file, '--cache', join(dir, 'a-file', 'cache'), '--out', join(dir, 'out'), '--workers', '1']);
  t.is(c.code, 2, c.stderr);
  t.regex(c.stderr, /cache folder \(--cache\) .*a-file\/cache: cannot be created/);
  // permission bits: root ignores them, so as root the child runs as 'nobody'
  const ro = join(dir, 'ro');
  mkdirSync(ro);
  chmodSync(ro, 0o555);
  chmodSync(dir, 0o777);
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const p = spawnSync(process.execPath, [CLI, 'run', file, '--cache', join(dir, 'cache2'), '--out', ro, '--workers', '1', '--json'], { cwd: ROOT, encoding: 'utf8', ...asNobody });
  t.is(p.status, 2, p.stderr);
  t.regex(p.stderr, /output folder \(--out\) .*ro: not writable \(EACCES\)/);
  t.notRegex(p.stdout, /node-start/);
});
