// End-to-end: the demo workflow on the seeded phantom, exactly as `npm run demo` runs it, checked
// against the phantom's truth; then a threshold change reruns only what follows it.
import test from 'ava';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePhantom } from '../../tools/demo/phantom.js';
import { splitCsvLine } from '../../nodes/analysis/atlas/label-tree.js';
import type { RunSummary } from '../../engine/core/events.js';
import { ROOT, runCli, tempDir } from '../engine/helpers.js';

test('demo workflow: region counts within 5% of the phantom truth; a threshold change reruns only what follows', async (t) => {
  t.timeout(9 * 60_000);
  const dir = tempDir('cm-demo-');
  await writePhantom(join(dir, 'demo-data'));
  cpSync(join(ROOT, 'workflows', 'demo.json'), join(dir, 'demo.json'));
  cpSync(join(ROOT, 'workflows', 'params'), join(dir, 'params'), { recursive: true });
  const out = join(dir, 'out');
  const run = (summary: string, ...extra: string[]) => {
    const r = runCli(['run', join(dir, 'demo.json'), '--cache', join(dir, 'cache'), '--out', out, '--summary', join(dir, summary), ...extra]);
    t.is(r.code, 0, r.stderr);
    return JSON.parse(readFileSync(join(dir, summary), 'utf8')) as RunSummary;
  };

  const first = run('first.json');
  t.true(first.nodes.every((n) => n.status === 'computed'));

  const truth = JSON.parse(readFileSync(join(dir, 'demo-data', 'truth.json'), 'utf8')).countsPerLeafRegion as Record<string, number>;
  const lines = readFileSync(join(out, 'region_counts.csv'), 'utf8').trim().split('\n');
  const countCol = splitCsvLine(lines[0]).indexOf('count');
  const found = Object.fromEntries(lines.slice(1).map(splitCsvLine).map((r) => [r[0], Number(r[countCol])]));
  let checked = 0;
  for (const [id, n] of Object.entries(truth)) {
    if (n < 100) continue;
    checked++;
    t.true(Math.abs(found[id] - n) <= 0.05 * n, `region ${id}: found ${found[id]}, truth ${n}`);
  }
  t.true(checked >= 4);
  for (const f of ['cells_transformed_to_Atlas.npy', 'cells_heatmap.tif', 'cells_overlay.png', 'heatmap_coronal.png']) t.notThrows(() => readFileSync(join(out, f)), f);

  const second = run('second.json', '--set', 'cells.threshold=[8,null]');
  const status = Object.fromEntries(second.nodes.map((n) => [n.id, n.status]));
  for (const id of ['cfos', 'autofluo', 'atlas', 'annotation', 'detect', 'autofluo25', 'registration']) t.is(status[id], 'cached', id);
  for (const id of ['cells', 'cells25', 'cellsAtlas', 'heatmap', 'counts', 'writeCounts']) t.is(status[id], 'computed', id);
  t.true(second.seconds < first.seconds / 10, `rerun ${second.seconds.toFixed(1)} s vs first run ${first.seconds.toFixed(1)} s`);
});
