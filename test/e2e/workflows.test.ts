// The shipped workflows: all validate; the group statistics workflow finds the one region the seeded
// group data changes (striatum, +60% cells in the treated group) and no other.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeGroupData } from '../../tools/demo/groups.js';
import { CLI, ROOT, runCli, tempDir } from '../engine/helpers.js';

for (const name of readdirSync(join(ROOT, 'workflows')).filter((f) => f.endsWith('.json'))) {
  test(`workflows/${name} validates`, (t) => {
    const r = runCli(['validate', join(ROOT, 'workflows', name)]);
    t.is(r.code, 0, r.stderr);
  });
}

test('group-stats workflow: only the striatum differs (q < 0.05), and the p-value section is drawn', async (t) => {
  const dir = tempDir('cm-groups-');
  await writeGroupData(join(dir, 'group-data'));
  cpSync(join(ROOT, 'workflows', 'group-stats.json'), join(dir, 'group-stats.json'));
  const out = join(dir, 'out');
  const r = runCli(['run', join(dir, 'group-stats.json'), '--cache', join(dir, 'cache'), '--out', out]);
  t.is(r.code, 0, r.stderr);
  const [header, ...rows] = readFileSync(join(out, 'region_statistics.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  const col = (name: string) => header.indexOf(name);
  const significant = rows.filter((row) => Number(row[col('q')]) < 0.05).map((row) => row[col('acronym')]);
  t.deepEqual(significant, ['STR']);
  const str = rows.find((row) => row[col('acronym')] === 'STR')!;
  t.is(Number(str[col('sign')]), 1, 'treated (group A) has more striatal cells');
  for (const f of ['pvalues.tif', 'control_mean.tif', 'treated_mean.tif', 'pvalues_coronal.png']) t.notThrows(() => readFileSync(join(out, f)), f);
});

test("cfos-sample's atlas node resolves the atlas by name from the atlas directory, and says how to get it when it is missing", (t) => {
  const wf = JSON.parse(readFileSync(join(ROOT, 'workflows', 'cfos-sample.json'), 'utf8')) as { nodes: { id: string; type: string; params?: Record<string, unknown> }[] };
  const atlasNode = wf.nodes.find((n) => n.type === 'atlas');
  t.truthy(atlasNode, 'cfos-sample.json wires an atlas node');
  const name = String(atlasNode!.params!.atlas);
  t.is(name, 'allen_mouse_25um');
  t.false(wf.nodes.some((n) => n.type === 'read-volume' && /atlas|annotation|template/i.test(String(n.params?.path))), 'no atlas files by path');
  // an atlas installed under that name, as `clearmap atlas get` leaves it (a stand-in: the in-box 50 µm files)
  const dir = tempDir('cm-atlasdir-');
  const folder = join(dir, `${name}_v1.2`);
  cpSync(join(ROOT, 'atlases', 'allen_mouse_50um'), folder, { recursive: true });
  cpSync(join(folder, 'annotation.tiff'), join(folder, 'reference.tiff'));
  const only = join(dir, 'atlas-only.json');
  writeFileSync(only, JSON.stringify({ version: 1, name: 'cfos-sample atlas node', nodes: [atlasNode] }));
  const cli = (atlasDir: string, ...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 10 * 60_000, env: { ...process.env, CLEARMAP_ATLAS_DIR: atlasDir } });
  const ok = cli(dir, 'validate', join(ROOT, 'workflows', 'cfos-sample.json'));
  t.is(ok.status, 0, ok.stderr);
  const run = cli(dir, 'run', only, '--cache', join(dir, 'cache'), '--out', join(dir, 'out'));
  t.is(run.status, 0, run.stderr);
  t.regex(run.stderr, new RegExp(`atlas ${name} v1\\.2 `));
  t.notRegex(run.stderr, /has no reference image/);
  const missing = cli(tempDir('cm-atlasdir-empty-'), 'run', only, '--cache', join(dir, 'cache2'), '--out', join(dir, 'out2'));
  t.is(missing.status, 1);
  t.regex(missing.stderr, new RegExp(`atlas '${name}' is not installed\\. Get it with \`clearmap atlas get ${name}\``));
});
