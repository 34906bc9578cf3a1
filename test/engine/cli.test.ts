import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { runCli, tempDir, writeWorkflow, TEST_PLUGIN, ROOT } from './helpers.js';
import { CELLFINDER_PLANES } from '../shared-data.js';

test('clearmap nodes --json lists types with ports, params, defaults and descriptions', (t) => {
  const r = runCli(['nodes', '--json', '--plugin', join(ROOT, 'plugins', 'intensity-histogram')]);
  t.is(r.code, 0, r.stderr);
  const types = JSON.parse(r.stdout) as Array<{ type: string; origin: string; params: Record<string, { default?: unknown; description?: string }> }>;
  const stats = types.find((x) => x.type === 'statistics')!;
  t.is(stats.origin, 'built-in nodes');
  const hist = types.find((x) => x.type === 'intensity-histogram')!;
  t.regex(hist.origin, /plugin/);
  t.is(hist.params.bins.default, 256);
  t.truthy(hist.params.bins.description);
});

test('clearmap schema is a JSON Schema that accepts a valid workflow and rejects a bad param', (t) => {
  const r = runCli(['schema']);
  t.is(r.code, 0, r.stderr);
  const ajv = new Ajv({ strict: false });
  ajv.addFormat('path', true); // ClearMap's own marker for params that name files (an annotation for other tools)
  const validate = ajv.compile(JSON.parse(r.stdout));
  t.true(validate({ version: 1, nodes: [{ id: 's', type: 'statistics', inputs: { input: 'a.volume' } }] }), JSON.stringify(validate.errors));
  t.false(validate({ version: 1, nodes: [{ id: 's', type: 'statistics', params: { bogus: 1 }, inputs: { input: 'a.volume' } }] }));
  t.false(validate({ version: 1, nodes: [{ id: 's', type: 'not-a-node' }] }));
});

test('clearmap run writes a summary; cache ls lists entries and cache clean removes them', (t) => {
  const dir = tempDir();
  const file = writeWorkflow(dir, { version: 1, plugins: [TEST_PLUGIN], nodes: [
    { id: 'src', type: 'test-source', params: { shape: [8, 8, 4] } },
    { id: 'stats', type: 'statistics', inputs: { input: 'src.volume' } },
  ] });
  const cache = join(dir, 'cache');
  const summary = join(dir, 'summary.json');
  const r = runCli(['run', file, '--cache', cache, '--summary', summary, '--workers', '1']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /done in .* s: 2 computed/);
  const s = JSON.parse(readFileSync(summary, 'utf8'));
  t.deepEqual(s.nodes.map((n: { id: string; status: string }) => [n.id, n.status]), [['src', 'computed'], ['stats', 'computed']]);
  t.true(s.nodes.every((n: { seconds: number }) => typeof n.seconds === 'number'));
  const ls = runCli(['cache', 'ls', '--cache', cache]);
  t.regex(ls.stdout, /test-source/);
  t.regex(ls.stdout, /2 entries/);
  t.is(runCli(['cache', 'clean', '--cache', cache]).code, 0);
  t.false(existsSync(cache));
});

test('clearmap info and convert work on the real cellfinder planes and name the file on errors', (t) => {
  const pattern = join(CELLFINDER_PLANES, 'ch0', 'ch00\\d{3}.tif');
  const info = runCli(['info', pattern, '--json']);
  t.is(info.code, 0, info.stderr);
  t.like(JSON.parse(info.stdout), { format: 'tiff-planes', shape: [667, 510, 30], dtype: 'uint16', files: 30 });
  const out = join(tempDir(), 'crop.nrrd');
  const conv = runCli(['convert', pattern, out, '--x', '100:300', '--z', '5:10', '--voxel-size', '2,2,5']);
  t.is(conv.code, 0, conv.stderr);
  t.like(JSON.parse(runCli(['info', out, '--json']).stdout), { format: 'nrrd', shape: [200, 510, 5], voxelSize: [2, 2, 5] });
  const bad = runCli(['info', join(tempDir(), 'missing.tif')]);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /missing\.tif: no such file/);
});

test('result writers rerun when --out changes, and --report writes a self-contained HTML report', (t) => {
  const dir = tempDir();
  const file = writeWorkflow(dir, { version: 1, plugins: [TEST_PLUGIN], nodes: [
    { id: 'src', type: 'test-source', params: { shape: [8, 8, 4] } },
    { id: 'stats', type: 'statistics', inputs: { input: 'src.volume' } },
    { id: 'save', type: 'write-table', inputs: { table: 'stats.table' }, params: { path: 'stats.csv' } },
  ] });
  const cache = join(dir, 'cache');
  for (const out of ['a', 'b']) {
    const r = runCli(['run', file, '--cache', cache, '--out', join(dir, out), '--workers', '1', '--report']);
    t.is(r.code, 0, r.stderr);
    t.regex(readFileSync(join(dir, out, 'stats.csv'), 'utf8'), /^count,min,max,sum,mean,std,var\n256,/);
    const html = readFileSync(join(dir, out, 'report.html'), 'utf8');
    t.regex(html, /<html/);
    t.regex(html, /statistics/);
    t.notRegex(html, /<script[^>]+src=|<link[^>]+href="http/);
  }
});

test('clearmap info --level reads a pyramid level of an OME-Zarr', async (t) => {
  const { createVolumeWriter } = await import('../../nodes/io/lib/formats.js');
  const path = join(tempDir(), 'pyramid.ome.zarr');
  const w = createVolumeWriter(path, { shape: [40, 30, 20], dtype: 'uint16', voxelSize: [2, 2, 5] }, { levels: 2 });
  await w.writeSlab({ data: new Uint16Array(40 * 30 * 20).fill(7), shape: [40, 30, 20], dtype: 'uint16', voxelSize: [2, 2, 5], origin: [0, 0, 0] });
  await w.commit();
  t.like(JSON.parse(runCli(['info', path, '--json']).stdout), { format: 'zarr', shape: [40, 30, 20] });
  const l1 = runCli(['info', path, '--json', '--level', '1']);
  t.is(l1.code, 0, l1.stderr);
  t.like(JSON.parse(l1.stdout), { shape: [20, 15, 10], voxelSize: [4, 4, 10] });
  const bad = runCli(['info', path, '--level', '5']);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /pyramid\.ome\.zarr.*level/);
});
