// The analysis nodes inside the real engine: schema validation of their params and a cached run of
// 'ttest-regions' whose cache key follows its input files (externalIdentity).
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry, loadWorkflow, runWorkflow } from '../../../app/engine.js';
import { nodeTypesModule } from '../../../engine/core/registry.js';
import { tableToCsv } from '../../../engine/data/table.js';
import { analysisNodeTypes } from '../../../nodes/analysis/index.js';
import { LabelTree } from '../../../nodes/analysis/lib/atlas/label-tree.js';
import { countPointsInRegions, regionTable } from '../../../nodes/analysis/lib/atlas/regions.js';
import { makeSyntheticAtlas, seededRandom } from '../../../tools/analysis/synthetic-atlas.js';

const temps: string[] = [];
test.after.always(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

async function registry() {
  const r = await createRegistry();
  // once the lead adds analysisNodeTypes to the built-ins, they are already there
  if (!r.get('ttest-regions')) await r.load(nodeTypesModule(analysisNodeTypes), 'analysis nodes');
  return r;
}

test('param schemas validate: a bad method and a missing labels file param are reported by node id', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cm-analysis-wf-'));
  temps.push(dir);
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify({ version: 1, nodes: [
    { id: 'heat', type: 'voxelize', params: { method: 'Cubic', size: [5, 5, 5], shape: [4, 4, 4] } },
    { id: 'count', type: 'count-regions', params: { level: 2 } },
  ] }));
  const e = await t.throwsAsync(loadWorkflow(file, [], await registry()));
  t.regex(e!.message, /heat/);
  t.regex(e!.message, /count/);
});

test('ttest-regions runs in the engine, is cached, and reruns when an input table changes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cm-analysis-wf-'));
  temps.push(dir);
  const atlas = makeSyntheticAtlas(3, [32, 40, 24]);
  const tree = LabelTree.fromAnnotationCsv(atlas.csv);
  const files: Record<'A' | 'B', string[]> = { A: [], B: [] };
  for (const g of ['A', 'B'] as const) for (let k = 0; k < 3; k++) {
    const rnd = seededRandom(k + (g === 'A' ? 1 : 11));
    const n = g === 'A' ? 1500 : 2000;
    const pts = Float64Array.from({ length: 3 * n }, (_, i) => rnd() * [32, 40, 24][i % 3]);
    const f = `counts_${g}${k}.csv`;
    writeFileSync(join(dir, f), tableToCsv(regionTable(tree, countPointsInRegions(pts, atlas.annotation, tree, { allIds: true }))));
    files[g].push(f);
  }
  const file = join(dir, 'regions.json');
  writeFileSync(file, JSON.stringify({ version: 1, nodes: [
    { id: 'regions', type: 'ttest-regions', params: { groupA: files.A, groupB: files.B } },
  ] }));
  const run = async () => {
    const { valid } = await loadWorkflow(file, [], await registry());
    return runWorkflow(valid, { cacheDir: join(dir, 'cache'), outDir: join(dir, 'out'), workers: 1 });
  };
  const first = await run();
  t.true(first.ok, JSON.stringify(first.nodes));
  t.is(first.nodes[0].status, 'computed');
  t.is((await run()).nodes[0].status, 'cached');
  const later = new Date(Date.now() + 5000);
  utimesSync(join(dir, files.B[2]), later, later);
  t.is((await run()).nodes[0].status, 'computed', 'a touched input table invalidates the cache');
});

test('atlas node in a workflow: one node wires annotation, hemispheres and structures; no reference is fine; cached on rerun', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cm-analysis-wf-'));
  temps.push(dir);
  const prev = process.env.CLEARMAP_ATLAS_DIR;
  process.env.CLEARMAP_ATLAS_DIR = join(dir, 'no-atlases');
  t.teardown(() => { if (prev === undefined) delete process.env.CLEARMAP_ATLAS_DIR; else process.env.CLEARMAP_ATLAS_DIR = prev; });
  const rnd = seededRandom(5);
  writeFileSync(join(dir, 'cells.csv'), 'x,y,z\n' + Array.from({ length: 2000 }, () => `${rnd() * 228},${rnd() * 160},${rnd() * 264}`).join('\n') + '\n');
  const file = join(dir, 'atlas.json');
  writeFileSync(file, JSON.stringify({ version: 1, nodes: [
    { id: 'atlas', type: 'atlas', params: { atlas: 'allen_mouse_50um' } },
    { id: 'cells', type: 'read-points', params: { path: 'cells.csv' } },
    { id: 'counts', type: 'count-regions', inputs: { points: 'cells.points', annotation: 'atlas.annotation', hemispheres: 'atlas.hemispheres', structures: 'atlas.structures' }, params: { level: 4 } },
  ] }));
  const run = async () => {
    const { valid } = await loadWorkflow(file, [], await registry());
    return runWorkflow(valid, { cacheDir: join(dir, 'cache'), outDir: join(dir, 'out'), workers: 1 });
  };
  const first = await run();
  t.true(first.ok, JSON.stringify(first.nodes));
  t.deepEqual(first.nodes.map((n) => n.status), ['computed', 'computed', 'computed']);
  const again = await run();
  t.deepEqual(again.nodes.map((n) => n.status), ['cached', 'cached', 'cached']);
  // wiring the absent reference image into a node that needs it fails that node with a clear message
  writeFileSync(file, JSON.stringify({ version: 1, nodes: [
    { id: 'atlas', type: 'atlas', params: { atlas: 'allen_mouse_50um' } },
    { id: 'stats', type: 'statistics', inputs: { input: 'atlas.reference' } },
  ] }));
  const noRef = await run();
  t.false(noRef.ok);
  const stats = noRef.nodes.find((n) => n.id === 'stats')!;
  t.is(stats.status, 'failed');
  t.regex(String((stats as { error?: string }).error), /input 'input' is wired to 'atlas\.reference', which node 'atlas' did not produce/);
});
