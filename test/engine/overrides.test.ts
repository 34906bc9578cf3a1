// Issue 13 #6: --set type errors are validation errors (exit 2), --set cannot reach prototypes,
// --workers is bounded.
import test from 'ava';
import { join } from 'node:path';
import { applyOverrides } from '../../app/engine.js';
import { WorkflowError } from '../../engine/core/errors.js';
import type { Workflow } from '../../engine/workflow/format.js';
import { runCli, tempDir, writeWorkflow, TEST_PLUGIN } from './helpers.js';

const wf = () => ({ version: 1, nodes: [{ id: 'src', type: 'read-volume', params: { path: 'a.tif', range: { x: [0, 4] } } }] }) as unknown as Workflow;

test('--set into a param that is not an object is a validation error naming the param', (t) => {
  const e = t.throws(() => applyOverrides('wf.json', wf(), ['src.path.x=1']), { instanceOf: WorkflowError });
  t.regex(e!.message, /--set src\.path\.x=1: params\.path is "a\.tif", not an object: cannot set 'x' inside it/);
  const w = wf();
  applyOverrides('wf.json', w, ['src.range.y=[1,2]', 'src.new.deep=3']);
  t.deepEqual(w.nodes[0].params, { path: 'a.tif', range: { x: [0, 4], y: [1, 2] }, new: { deep: 3 } });
});

test('--set cannot reach Object.prototype or constructors', (t) => {
  for (const s of ['src.__proto__.polluted=1', 'src.constructor.prototype.polluted=1', 'src.a.__proto__=1']) {
    t.throws(() => applyOverrides('wf.json', wf(), [s]), { instanceOf: WorkflowError }, s);
  }
  t.is(({} as Record<string, unknown>).polluted, undefined);
  t.is((Object.prototype as Record<string, unknown>).polluted, undefined);
  // a param that happens to share a name with an Object.prototype member is just a param
  const w = wf();
  applyOverrides('wf.json', w, ['src.toString.x=1']);
  t.deepEqual(w.nodes[0].params!.toString, { x: 1 });
  t.is(typeof ({}).toString, 'function');
});

test('CLI: --set type errors exit 2 with the message; --workers has an upper bound', (t) => {
  const dir = tempDir();
  const file = writeWorkflow(dir, { version: 1, plugins: [TEST_PLUGIN], nodes: [{ id: 'src', type: 'test-source', params: { shape: [4, 4, 2] } }] });
  const r = runCli(['run', file, '--cache', join(dir, 'c'), '--out', join(dir, 'out'), '--set', 'src.shape.x=1']);
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr, /--set src\.shape\.x=1: params\.shape is \[4,4,2\], an array: 'x' is not an index/);
  t.notRegex(r.stderr, /TypeError|    at /);
  const p = runCli(['run', file, '--cache', join(dir, 'c'), '--out', join(dir, 'out'), '--set', 'src.__proto__.p=1']);
  t.is(p.code, 2, p.stderr);
  t.regex(p.stderr, /'__proto__' is not a param name/);
  const w = runCli(['run', file, '--cache', join(dir, 'c'), '--out', join(dir, 'out'), '--workers', '100000']);
  t.not(w.code, 0);
  t.regex(w.stderr, /--workers.*at most 1024/);
});
