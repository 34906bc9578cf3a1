import test from 'ava';
import { loadWorkflow } from '../../app/engine.js';
import { WorkflowError } from '../../engine/core/errors.js';
import { runCli, tempDir, writeWorkflow, TEST_PLUGIN } from './helpers.js';

const plugin = TEST_PLUGIN;
const src = { id: 'src', type: 'test-source', params: { shape: [8, 8, 6] } };

async function problems(wf: Record<string, unknown>): Promise<string[]> {
  const file = writeWorkflow(tempDir(), wf);
  try {
    await loadWorkflow(file);
  } catch (e) {
    if (e instanceof WorkflowError) return e.problems;
    throw e;
  }
  return [];
}

test('a valid workflow passes', async (t) => {
  t.deepEqual(await problems({ version: 1, plugins: [plugin], nodes: [src, { id: 's', type: 'statistics', inputs: { input: 'src.volume' } }] }), []);
});

test('unknown node type names the node and suggests the plugin', async (t) => {
  const p = await problems({ version: 1, nodes: [{ id: 'a', type: 'no-such-node' }] });
  t.is(p.length, 1);
  t.regex(p[0], /node 'a': unknown node type 'no-such-node'.*plugins/);
});

test('unknown and ill-typed params name the node and param path', async (t) => {
  const p = await problems({ version: 1, plugins: [plugin], nodes: [
    { ...src, params: { shape: [8, 8, 6], colour: 'red' } },
    { id: 'sc', type: 'test-scale', inputs: { input: 'src.volume' }, params: { factor: 'two', delayMs: -1 } },
  ] });
  t.true(p.some((m) => /node 'src': params: unknown property 'colour'/.test(m)), p.join('\n'));
  t.true(p.some((m) => /node 'sc': params\.factor: must be number/.test(m)), p.join('\n'));
  t.true(p.some((m) => /node 'sc': params\.delayMs: must be >= 0/.test(m)), p.join('\n'));
});

test('missing required param is reported', async (t) => {
  const p = await problems({ version: 1, plugins: [plugin], nodes: [{ id: 'src', type: 'test-source', params: {} }] });
  t.regex(p.join('\n'), /node 'src': params: missing required 'shape'/);
});

test('missing, dangling and unknown inputs are reported with the port path', async (t) => {
  const p = await problems({ version: 1, plugins: [plugin], nodes: [
    src,
    { id: 'a', type: 'statistics' },
    { id: 'b', type: 'statistics', inputs: { input: 'ghost.volume' } },
    { id: 'c', type: 'statistics', inputs: { input: 'src.volume', extra: 'src.volume' } },
    { id: 'd', type: 'statistics', inputs: { input: 'src.nope' } },
  ] });
  const all = p.join('\n');
  t.regex(all, /node 'a': inputs\.input: required input \(volume\) is not connected/);
  t.regex(all, /node 'b': inputs\.input: refers to node 'ghost', which does not exist/);
  t.regex(all, /node 'c': inputs\.extra: 'statistics' has no input 'extra'/);
  t.regex(all, /node 'd': inputs\.input: node 'src' \(test-source\) has no output 'nope'/);
});

test('port type mismatch is reported', async (t) => {
  const p = await problems({ version: 1, plugins: [plugin], nodes: [
    src,
    { id: 'pk', type: 'test-z-peaks', inputs: { input: 'src.volume' } },
    { id: 's', type: 'statistics', inputs: { input: 'pk.points' } },
  ] });
  t.regex(p.join('\n'), /node 's': inputs\.input: expects volume but 'pk\.points' is points/);
});

test('cycles are reported with the nodes involved', async (t) => {
  const p = await problems({ version: 1, plugins: [plugin], nodes: [
    { id: 'a', type: 'test-scale', inputs: { input: 'b.output' } },
    { id: 'b', type: 'test-scale', inputs: { input: 'a.output' } },
  ] });
  t.regex(p.join('\n'), /cycle: nodes 'a', 'b'/);
});

test('duplicate ids, bad envelope and bad plugin paths are reported', async (t) => {
  t.regex((await problems({ version: 1, plugins: [plugin], nodes: [src, src] })).join('\n'), /node 'src': duplicate node id/);
  t.regex((await problems({ version: 2, nodes: [] })).join('\n'), /workflow\.version: must be equal to constant/);
  t.regex((await problems({ version: 1, plugins: ['./nowhere'], nodes: [src] })).join('\n'), /plugins: plugin '\.\/nowhere': .*does not exist/);
});

test('the CLI exits 2 on an invalid workflow, printing every problem and no stack trace', (t) => {
  const file = writeWorkflow(tempDir(), { version: 1, plugins: [plugin], nodes: [src, { id: 'x', type: 'statistics' }, { id: 'y', type: 'nope' }] });
  const r = runCli(['validate', file]);
  t.is(r.code, 2);
  t.regex(r.stderr, /node 'x': inputs\.input/);
  t.regex(r.stderr, /node 'y': unknown node type/);
  t.notRegex(r.stderr, /\n\s+at /);
  const ok = runCli(['run', file]);
  t.is(ok.code, 2, 'run refuses before anything runs');
});

test('--set overrides are validated like params', async (t) => {
  const file = writeWorkflow(tempDir(), { version: 1, plugins: [plugin], nodes: [src, { id: 'sc', type: 'test-scale', inputs: { input: 'src.volume' } }] });
  const e = await t.throwsAsync(loadWorkflow(file, ['sc.factor="x"']), { instanceOf: WorkflowError });
  t.regex(e!.message, /node 'sc': params\.factor: must be number/);
  const e2 = await t.throwsAsync(loadWorkflow(file, ['zz.factor=2']), { instanceOf: WorkflowError });
  t.regex(e2!.message, /--set zz\.factor=2: no node 'zz'/);
  const ok = await loadWorkflow(file, ['sc.factor=3']);
  t.is(ok.valid.byId.get('sc')!.params.factor, 3);
});
