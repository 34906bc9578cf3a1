// Engine services a lab's own plugin may replace through the same container as node types: the atlas
// registry (atlas names served from the lab's store), the event sink (a run log of its own), the file
// resolver (path params mapped from one machine's mount to another's). Plus the engine's scratch
// space, ctx.tempDir(), which is owned by the run's cache (not a replaceable service).
import test from 'ava';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Subject } from 'rxjs';
import type { EngineEvent } from '../../engine/core/events.js';
import type { WholeNodeType } from '../../engine/core/node-type.js';
import { computeKeyParts } from '../../engine/cache/keys.js';
import { HOST } from '../../engine/cache/owner.js';
import { loadWorkflow, runWorkflow } from '../../app/engine.js';
import { runNode } from '../../app/run-node.js';
import { ROOT, runCli, tempDir, writeWorkflow } from '../engine/helpers.js';

/** A folder with the plugin package `name` (index.js = source) that imports 'clearmap-ts' (this repository). */
function withPlugin(name: string, source: string): string {
  const dir = tempDir(`cm-site-${name}-`);
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'clearmap-ts'), 'dir');
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, 'package.json'), JSON.stringify({ name, type: 'module', main: 'index.js' }));
  writeFileSync(join(dir, name, 'index.js'), source);
  return dir;
}

async function run(file: string, cache: string) {
  const { valid } = await loadWorkflow(file);
  const events: EngineEvent[] = [];
  const subject = new Subject<EngineEvent>();
  subject.subscribe((e) => events.push(e));
  const result = await runWorkflow(valid, { cacheDir: cache, outDir: join(cache, '..', 'out'), workers: 1, events: subject });
  return { valid, result, events };
}

test('a plugin replaces the atlas registry: an atlas name is served from the lab\'s own atlas folder, and the registry joins the key', async (t) => {
  const store = tempDir('cm-lab-atlases-');
  cpSync(join(ROOT, 'atlases', 'allen_mouse_50um'), join(store, 'lab_mouse_50um'), { recursive: true });
  const dir = withPlugin('lab-atlases', `
import { join } from 'node:path';
import { ATLAS_REGISTRY, pluginModule, readAtlasFolder } from 'clearmap-ts';

const STORE = ${JSON.stringify(store)};
const list = () => [{ name: 'lab_mouse_50um', version: '3', dir: join(STORE, 'lab_mouse_50um'), where: 'lab store', hasReference: false }];

export const labAtlases = {
  id: 'lab-atlases@1',
  list,
  find(name) {
    const hit = list().find((a) => a.name === name);
    if (!hit) throw new Error(\`atlas '\${name}' is not in the lab store \${STORE} (it has: \${list().map((a) => a.name).join(', ')})\`);
    readAtlasFolder(hit.dir); // a damaged folder is reported here, naming it
    return hit;
  },
};

export default pluginModule({ services: [[ATLAS_REGISTRY, labAtlases]] });
`);
  const file = writeWorkflow(dir, { version: 1, plugins: ['./lab-atlases'], nodes: [{ id: 'atlas', type: 'atlas', params: { atlas: 'lab_mouse_50um' } }] });
  const { valid, result, events } = await run(file, join(dir, 'cache'));
  t.true(result.ok, JSON.stringify(result.nodes));
  const info = (result.outputs.get('atlas')!.info as { kind: 'json'; value: Record<string, unknown> }).value;
  t.like(info, { name: 'lab_mouse_50um', version: '3', source: 'lab store', dir: join(store, 'lab_mouse_50um') });
  t.true(events.some((e) => e.event === 'log' && /atlas lab_mouse_50um v3 \(lab store\)/.test(e.message)));
  t.deepEqual((await computeKeyParts(valid, dir, join(dir, 'out'))).get('atlas')!.parts.services, { 'atlas-registry': 'lab-atlases@1' });

  // the atlas commands ask the same registry with --plugin
  const list = runCli(['atlas', 'list', '--plugin', './lab-atlases'], dir);
  t.is(list.code, 0, list.stderr);
  t.is(list.stdout, `atlas registry: lab-atlases@1 (from a plugin)\nlab_mouse_50um  v3  (lab store, no reference image)  ${join(store, 'lab_mouse_50um')}\n`);
  t.is(runCli(['atlas', 'path', 'lab_mouse_50um', '--plugin', './lab-atlases'], dir).stdout, `${join(store, 'lab_mouse_50um')}\n`);
  t.regex(runCli(['atlas', 'info', 'lab_mouse_50um', '--plugin', './lab-atlases'], dir).stdout, /^lab_mouse_50um v3 \(lab store\)\n/);
  const without = runCli(['atlas', 'path', 'lab_mouse_50um'], dir);
  t.is(without.code, 1);
  t.regex(without.stderr, /atlas 'lab_mouse_50um' is not installed/);

  // a name the lab store does not have: the node fails with the registry's own message, naming the param
  const missing = writeWorkflow(dir, { version: 1, plugins: ['./lab-atlases'], nodes: [{ id: 'atlas', type: 'atlas', params: { atlas: 'allen_mouse_25um' } }] }, 'missing.json');
  const failed = await run(missing, join(dir, 'cache'));
  t.false(failed.result.ok);
  t.regex(failed.result.nodes[0].error ?? '', /param 'atlas': atlas 'allen_mouse_25um' is not in the lab store/);

  // without the plugin: the built-in registry, and a different key
  const plain = writeWorkflow(dir, { version: 1, nodes: [{ id: 'atlas', type: 'atlas', params: { atlas: 'allen_mouse_50um' } }] }, 'plain.json');
  const { valid: builtin } = await loadWorkflow(plain);
  t.deepEqual((await computeKeyParts(builtin, dir, join(dir, 'out'))).get('atlas')!.parts.services, { 'atlas-registry': 'atlas-dir+in-box' });
});

test('a plugin binds an event sink: it gets every node\'s ctx.log and progress (the run\'s own events still flow); a failing sink is reported once and ignored', async (t) => {
  const dir = tempDir('cm-lab-log-');
  const log = join(dir, 'lab-run-log.jsonl');
  const pluginDir = withPlugin('lab-log', `
import { appendFileSync } from 'node:fs';
import { EVENT_SINK, pluginModule } from 'clearmap-ts';

const hello = {
  kind: 'whole', type: 'lab.hello', version: '1', description: 'Says hello.',
  inputs: {}, outputs: { value: { type: 'json', description: 'the greeting' } },
  params: { type: 'object', additionalProperties: false, properties: { name: { type: 'string', default: 'brain' } } },
  async run(_inputs, params, ctx) {
    ctx.log('hello ' + params.name);
    ctx.progress(1, 1);
    return { value: { kind: 'json', value: 'hello ' + params.name } };
  },
};

export default pluginModule({
  nodes: [hello],
  services: [[EVENT_SINK, { id: 'lab-run-log@1', emit: (event) => appendFileSync(${JSON.stringify(log)}, JSON.stringify(event) + '\\n') }]],
});
`);
  const file = writeWorkflow(pluginDir, { version: 1, plugins: ['./lab-log'], nodes: [{ id: 'greet', type: 'lab.hello', params: { name: 'c-Fos' } }] });
  const { result, events } = await run(file, join(dir, 'cache'));
  t.true(result.ok);
  const logged = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EngineEvent);
  t.deepEqual(logged.filter((e) => e.event === 'log'), [{ event: 'log', node: 'greet', message: 'hello c-Fos' }]);
  t.deepEqual(logged.filter((e) => e.event === 'progress'), [{ event: 'progress', node: 'greet', done: 1, total: 1 }]);
  t.deepEqual(logged.map((e) => e.event), events.map((e) => e.event), 'the sink gets the same events as the run\'s own stream');
  t.is(logged[logged.length - 1].event, 'run-done');

  // a second plugin's sink replaces the first (bound last wins); this one throws: the run still
  // succeeds and says once that its sink failed
  mkdirSync(join(pluginDir, 'broken-log'));
  writeFileSync(join(pluginDir, 'broken-log', 'package.json'), JSON.stringify({ name: 'broken-log', type: 'module', main: 'index.js' }));
  writeFileSync(join(pluginDir, 'broken-log', 'index.js'), `import { EVENT_SINK, pluginModule } from 'clearmap-ts';
export default pluginModule({ services: [[EVENT_SINK, { id: 'broken-sink', emit() { throw new Error('disk full'); } }]] });
`);
  const before = readFileSync(log, 'utf8');
  const both = writeWorkflow(pluginDir, { version: 1, plugins: ['./lab-log', './broken-log'], nodes: [{ id: 'greet', type: 'lab.hello', params: { name: 'again' } }] }, 'both.json');
  const second = await run(both, join(dir, 'cache'));
  t.true(second.result.ok, JSON.stringify(second.result.nodes));
  t.deepEqual(second.events.filter((e) => e.event === 'log' && !e.node).map((e) => (e as { message: string }).message), ["event sink 'broken-sink' failed (disk full); it gets no further events in this run"]);
  t.true(second.events.some((e) => e.event === 'log' && e.node === 'greet' && e.message === 'hello again'), 'the run\'s own stream still has the node\'s messages');
  t.is(readFileSync(log, 'utf8'), before, 'the replaced sink got nothing');
});

test('a plugin replaces the file resolver: a lab: prefix in path params maps to the lab\'s data folder, for the node and its cache key', async (t) => {
  const dir = tempDir('cm-lab-paths-');
  const data = join(dir, 'mnt', 'lab', 'data');
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, 'cells.csv'), 'x,y,z\n1,2,3\n4,5,6\n7,8,9\n');
  const pluginDir = withPlugin('lab-paths', `
import { join } from 'node:path';
import { FILE_RESOLVER, pluginModule, workflowFolderResolver } from 'clearmap-ts';

const ROOTS = { 'lab:': ${JSON.stringify(data)} };

export default pluginModule({ services: [[FILE_RESOLVER, {
  id: 'lab-paths@1',
  resolve(value, baseDir) {
    for (const [prefix, root] of Object.entries(ROOTS)) if (value.startsWith(prefix)) return join(root, value.slice(prefix.length));
    return workflowFolderResolver.resolve(value, baseDir);
  },
}]] });
`);
  const file = writeWorkflow(pluginDir, { version: 1, plugins: ['./lab-paths'], nodes: [{ id: 'cells', type: 'read-points', params: { path: 'lab:cells.csv' } }] });
  const { valid, result } = await run(file, join(dir, 'cache'));
  t.true(result.ok, JSON.stringify(result.nodes));
  t.is(valid.byId.get('cells')!.params.path, join(data, 'cells.csv'));
  const points = result.outputs.get('cells')!.points as { kind: 'points'; points: { coords: Float64Array } };
  t.deepEqual([...points.points.coords], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const files = (await computeKeyParts(valid, pluginDir, join(dir, 'out'))).get('cells')!.parts.files;
  t.is(files.path[0].path, join(data, 'cells.csv'), 'the mapped file is what the cache key fingerprints');

  // without the plugin the prefix is just a (missing) relative file name
  const plain = writeWorkflow(pluginDir, { version: 1, nodes: [{ id: 'cells', type: 'read-points', params: { path: 'lab:cells.csv' } }] }, 'plain.json');
  const { valid: builtin } = await loadWorkflow(plain);
  t.is(builtin.byId.get('cells')!.params.path, join(pluginDir, 'lab:cells.csv'));
});

test('ctx.tempDir: scratch inside the cache, owner-tagged, removed when the node ends (also on failure), a dead run\'s scratch swept by the next run', async (t) => {
  const cache = join(tempDir('cm-scratch-'), 'cache');
  const seen: string[] = [];
  const scratchNode = (fail: boolean): WholeNodeType => ({
    kind: 'whole', type: fail ? 'test-scratch-fail' : 'test-scratch', version: '1', description: 'Uses scratch space.', inputs: {},
    outputs: { value: { type: 'json', description: 'what the scratch held' } }, params: { type: 'object', properties: {} },
    async run(_i, _p, ctx) {
      const d = ctx.tempDir!('elastix scratch');
      seen.push(d);
      writeFileSync(join(d, 'fixed.mhd'), 'x');
      if (fail) throw new Error('elastix crashed');
      return { value: { kind: 'json', value: readFileSync(join(d, 'fixed.mhd'), 'utf8') } };
    },
  });
  // a scratch folder left by a process of this host that has died
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  const orphan = join(cache, 'tmp', `elastix_scratch.tmp-${HOST}~${dead}~abc123`);
  mkdirSync(orphan, { recursive: true });

  const r = await runNode(scratchNode(false), {}, {}, { cacheDir: cache });
  t.deepEqual((r.outputs.value as { value: unknown }).value, 'x');
  t.is(dirname(seen[0]), join(cache, 'tmp'));
  t.regex(basename(seen[0]), new RegExp(`^elastix_scratch\\.tmp-${HOST.replace(/\./g, '\\.')}~${process.pid}~[a-z0-9]+$`));
  t.false(existsSync(seen[0]), 'removed when the node ended');
  t.false(existsSync(orphan), 'the dead run\'s scratch was swept when the run started');

  await t.throwsAsync(runNode(scratchNode(true), {}, {}, { cacheDir: cache }), { message: /elastix crashed/ });
  t.false(existsSync(seen[1]), 'removed when the node failed');
});
