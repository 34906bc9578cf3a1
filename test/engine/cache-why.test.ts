// `clearmap cache why <key|node-id>`: a cache entry's key parts as the run recorded them, and, given a
// workflow, which part differs from it now; a clear error (exit 2) for a key or node nobody recorded.
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../engine/core/hash.js';
import { TEST_PLUGIN, runCli, tempDir, writeWorkflow } from './helpers.js';

test('cache why prints a recorded key\'s parts (by node id or key prefix) and, with --workflow, which part changed; unknown keys are a usage error', (t) => {
  const dir = tempDir('cm-cache-why-');
  const cache = join(dir, 'cache');
  writeFileSync(join(dir, 'cells.csv'), 'x,y,z\n1,2,3\n');
  const wf = (amount: number, cells = 'cells.csv') => writeWorkflow(dir, { version: 1, plugins: [TEST_PLUGIN], nodes: [
    { id: 'src', type: 'test-source', params: { shape: [8, 8, 8], max: 9 } },
    { id: 'amount', type: 'test-constant', params: { value: amount } },
    { id: 'add', type: 'test-add', inputs: { input: 'src.volume', amount: 'amount.value' } },
    { id: 'cells', type: 'read-points', params: { path: cells } },
    // fused with 'add' into one chunk task: only 'scaled' has a cache entry
    { id: 'scaled', type: 'test-scale', inputs: { input: 'add.output' } },
  ] });
  const file = wf(2);
  const run = runCli(['run', file, '--cache', cache, '--out', join(dir, 'out'), '--workers', '1'], dir);
  t.is(run.code, 0, run.stderr);
  const why = (...args: string[]) => runCli(['cache', 'why', ...args, '--cache', cache], dir);

  // by node id: every component of the key
  const add = why('add');
  t.is(add.code, 0, add.stderr);
  t.regex(add.stdout, new RegExp(`^node 'add' \\(test-add\\) of ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n`));
  t.regex(add.stdout, /\n {2}cache entry {5}none \(removed; or a chunk stage fused with the next chunk node, which is cached as part of that node\)\n/);
  t.regex(why('scaled').stdout, /\n {2}cache entry {5}present\n/);
  t.regex(add.stdout, new RegExp(`\\n {2}\\(what differs now: clearmap cache why add --workflow ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} --cache .*cache\\)\\n$`));
  t.regex(add.stdout, /\n {2}implementation {2}[0-9a-f]{64}\n/);
  t.regex(add.stdout, /\n {4}amount <- node 'amount' output value \(key [0-9a-f]{12}\)\n {4}input <- node 'src' output volume \(key [0-9a-f]{12}\)\n/);
  const cells = why('cells');
  t.regex(cells.stdout, /\n {4}path = ".*cells\.csv"\n/);
  t.regex(cells.stdout, /\n {2}input files\n {4}path: .*cells\.csv \(12 bytes, modified \d{4}-/);

  // by key prefix (as `cache ls` shows it), and as JSON
  const ls = JSON.parse(runCli(['cache', 'ls', '--cache', cache, '--json'], dir).stdout) as { key: string; nodeId: string }[];
  const key = ls.find((e) => e.nodeId === 'amount')!.key;
  const byKey = why(key.slice(0, 12));
  t.is(byKey.code, 0, byKey.stderr);
  t.regex(byKey.stdout, new RegExp(`^node 'amount' \\(test-constant\\)[^\\n]*\\n {2}key {13}${key}\\n`));
  const json = JSON.parse(why(key.slice(0, 12), '--json').stdout) as { nodeId: string; key: string; present: boolean; parts: { params: Record<string, unknown> } }[];
  t.like(json[0], { nodeId: 'amount', key, present: true, parts: { params: { value: 2 } } });

  // against the workflow as it is now: which part differs, node by node
  wf(3, 'cells2.csv');
  writeFileSync(join(dir, 'cells2.csv'), 'x,y,z\n1,2,3\n');
  const now = (id: string) => why(id, '--workflow', file).stdout;
  t.regex(now('src'), /compared with .*wf\.json: same key, the workflow would use this entry as it is\n$/);
  t.regex(now('amount'), /compared with .*wf\.json: node 'amount' now has key [0-9a-f]{12}, because:\n {4}- param value: 2 -> 3\n$/);
  // ... naming the upstream node whose own parts changed
  t.regex(now('add'), /because:\n {4}- input amount: upstream node 'amount' changed\n {4}upstream, node 'amount':\n {6}- param value: 2 -> 3\n$/);
  t.regex(now('cells'), /- param path: ".*cells\.csv" -> ".*cells2\.csv"\n {4}- input file .*cells2\.csv \(param path\) appeared\n$/);
  // --set applies as in `run`
  t.regex(why('amount', '--workflow', file, '--set', 'amount.value=2').stdout, /same key/);

  // after a run of the changed workflow the record holds the new keys; the old entry keeps its own parts
  const rerun = runCli(['run', file, '--cache', cache, '--out', join(dir, 'out'), '--workers', '1'], dir);
  t.is(rerun.code, 0, rerun.stderr);
  const old = why(key.slice(0, 12), '--workflow', file);
  t.is(old.code, 0, old.stderr);
  t.regex(old.stdout, new RegExp(`^node 'amount' \\(test-constant\\) of [^\\n]*\\n {2}key {13}${key}\\n {2}cache entry {5}present\\n`));
  t.regex(old.stdout, /\n {4}value = 2\n[^]*because:\n {4}- param value: 2 -> 3\n$/);
  const oldAdd = why(ls.find((e) => e.nodeId === 'scaled')!.key.slice(0, 12));
  t.regex(oldAdd.stdout, /\n {4}input <- node 'add' output output \(key [0-9a-f]{12}\)\n/, 'a fused chain\'s entry holds its last node\'s parts');

  // unknown key or node: exit 2 with a message naming what exists
  const unknown = why('0123456789abcdef');
  t.is(unknown.code, 2);
  t.is(unknown.stdout, '');
  t.regex(unknown.stderr, /^error: cache why: no recorded cache entry has the key or node id '0123456789abcdef' in .*cache \(recorded nodes: add, amount, cells, scaled, src; keys: `clearmap cache ls --cache .*`\)\n$/);
  t.is(why('nosuch').code, 2);
  // an entry committed before entries kept their key parts: said so, exit 2
  const oldKey = 'ab'.repeat(32);
  mkdirSync(join(cache, 'nodes', oldKey));
  const manifest = JSON.stringify({ format: 2, key: oldKey, nodeType: 'test-constant', nodeVersion: '1', nodeId: 'legacy', outputs: {}, files: {}, external: {} });
  writeFileSync(join(cache, 'nodes', oldKey, 'manifest.json'), manifest);
  writeFileSync(join(cache, 'nodes', oldKey, 'manifest.sha256'), sha256(manifest) + '\n');
  const legacy = why('ababababab');
  t.is(legacy.code, 2);
  t.regex(legacy.stderr, /^error: cache why: abababababab \(node 'legacy' \(test-constant\)\) was cached before entries kept their key parts; run its workflow again to see them\n$/);
  mkdirSync(join(dir, 'empty'));
  const empty = runCli(['cache', 'why', 'add', '--cache', join(dir, 'empty')], dir);
  t.is(empty.code, 2);
  t.regex(empty.stderr, /no runs are recorded in .*empty; is --cache right\?/);
});
