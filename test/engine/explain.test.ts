// The engine owns file identity and implementation identity: a retouched input file or an edited
// kernel recomputes its node (without a version bump), and `run --explain` names the component.
import test from 'ava';
import { appendFileSync, cpSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, TEST_PLUGIN, runCli, tempDir, writeWorkflow } from './helpers.js';

function pluginCopy(dir: string): string {
  const plugin = join(dir, 'histogram-plugin');
  mkdirSync(plugin);
  cpSync(join(ROOT, 'plugins', 'intensity-histogram', 'package.json'), join(plugin, 'package.json'));
  cpSync(join(ROOT, 'plugins', 'intensity-histogram', 'dist'), join(plugin, 'dist'), { recursive: true });
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'clearmap-ts'), 'dir');
  return plugin;
}

const statusOf = (stderr: string) => /done in [\d.]+ s: ([^;]*);/.exec(stderr)?.[1];

test('an edited kernel, a changed param and a retouched input file each recompute their node, and --explain names why', (t) => {
  const dir = tempDir('cm-explain-');
  pluginCopy(dir);
  const wfDir = join(dir, 'wf');
  mkdirSync(wfDir);
  writeFileSync(join(wfDir, 'cells.csv'), 'x,y,z\n1,2,3\n4,5,6\n');
  const wf = (bins: number) => writeWorkflow(wfDir, { version: 1, plugins: [TEST_PLUGIN, '../histogram-plugin'], settings: { chunkSizeMax: 4 }, nodes: [
    { id: 'src', type: 'test-source', params: { shape: [8, 8, 8], max: 9 } },
    { id: 'hist', type: 'intensity-histogram', inputs: { input: 'src.volume' }, params: { bins, range: [0, 10] } },
    // a relative path param resolves against the workflow folder, not the working directory
    { id: 'cells', type: 'read-points', params: { path: 'cells.csv' } },
  ] });
  const run = () => runCli(['run', wf(10), '--cache', join(dir, 'cache'), '--out', join(dir, 'out'), '--workers', '1', '--explain'], dir);

  const first = run();
  t.is(first.code, 0, first.stderr);
  t.is(statusOf(first.stderr), '3 computed');
  t.regex(first.stderr, /hist:\n\s+- no earlier run of this node recorded/);

  const again = run();
  t.is(statusOf(again.stderr), '3 cached', again.stderr);
  t.regex(again.stderr, /explain: nothing was recomputed/);

  // same version, different kernel source: recomputed, and the kernel is named
  appendFileSync(join(dir, 'histogram-plugin', 'dist', 'kernel.js'), '\n// edited: a kernel change without a version bump\n');
  const edited = run();
  t.is(edited.code, 0, edited.stderr);
  t.is(statusOf(edited.stderr), '2 cached, 1 computed', edited.stderr);
  t.regex(edited.stderr, /hist:\n\s+- kernel\/implementation of node 'hist' \(intensity-histogram\) changed\n/);

  // a retouched input file (same size, new mtime) recomputes the reader
  utimesSync(join(wfDir, 'cells.csv'), new Date(), new Date(Date.now() + 5000));
  const touched = run();
  t.is(statusOf(touched.stderr), '2 cached, 1 computed', touched.stderr);
  t.regex(touched.stderr, new RegExp(`cells:\\n\\s+- input file ${join(wfDir, 'cells.csv').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(param path\\) changed`));

  // a param: named with old and new value
  const p = runCli(['run', wf(12), '--cache', join(dir, 'cache'), '--out', join(dir, 'out'), '--workers', '1', '--explain'], dir);
  t.is(statusOf(p.stderr), '2 cached, 1 computed', p.stderr);
  t.regex(p.stderr, /hist:\n\s+- param bins: 10 -> 12\n/);
});
