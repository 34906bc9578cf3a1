// The shipped workflows: all validate; the group statistics workflow finds the one region the seeded
// group data changes (striatum, +60% cells in the treated group) and no other.
import test from 'ava';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeGroupData } from '../../tools/demo/groups.js';
import { ROOT, runCli, tempDir } from '../engine/helpers.js';

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
