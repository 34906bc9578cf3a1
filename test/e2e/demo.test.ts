// End-to-end: the demo workflow on the seeded phantom made from the real Allen annotation, exactly as
// `npm run demo` runs it, checked against the phantom's truth (every region and hemisphere with at
// least 100 cells, exclusive and rolled up, within 5%); the registration pictures and scores are in
// the report; then a threshold change reruns only what follows it.
import test from 'ava';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePhantom } from '../../tools/demo/phantom.js';
import { compareCounts } from '../../tools/demo/compare.js';
import type { RunSummary } from '../../engine/core/events.js';
import { readPictureInfo } from '../../nodes/pictures/lib/picture-info.js';
import { ROOT, runCli, tempDir } from '../engine/helpers.js';

test('demo workflow on real anatomy: region counts per hemisphere within 5% of the phantom truth; registration shown; a threshold change reruns only what follows', async (t) => {
  t.timeout(40 * 60_000); // generous (it is the guard: runCli has no limit of its own); the 2-core machine is shared
  const dir = tempDir('cm-demo-');
  await writePhantom(join(dir, 'demo-data'));
  cpSync(join(ROOT, 'workflows', 'demo.json'), join(dir, 'demo.json'));
  cpSync(join(ROOT, 'workflows', 'params'), join(dir, 'params'), { recursive: true });
  const out = join(dir, 'out');
  const run = (summary: string, ...extra: string[]) => {
    const r = runCli(['run', join(dir, 'demo.json'), '--cache', join(dir, 'cache'), '--out', out, '--summary', join(dir, summary), ...extra]);
    t.is(r.code, 0, r.stderr);
    return { summary: JSON.parse(readFileSync(join(dir, summary), 'utf8')) as RunSummary, stderr: r.stderr };
  };

  const first = run('first.json', '--report');
  t.true(first.summary.nodes.every((n) => n.status === 'computed'), JSON.stringify(first.summary.nodes.map((n) => [n.id, n.status])));

  const checks = compareCounts(join(dir, 'demo-data', 'truth.json'), join(out, 'region_counts.csv'));
  t.true(checks.filter((c) => c.kind === 'exclusive').length >= 15, `only ${checks.length} regions checked`);
  t.true(checks.filter((c) => c.kind === 'rolled-up').length >= 50);
  t.true(checks.some((c) => c.side === 'left') && checks.some((c) => c.side === 'right'));
  for (const c of checks) t.true(Math.abs(c.error) <= 0.05, `${c.acronym} (${c.id}) ${c.side} ${c.kind}: found ${c.found}, placed ${c.truth}`);

  for (const f of ['cells_transformed_to_Atlas.npy', 'cells_heatmap.tif', 'cells_overlay.png', 'heatmap_coronal.png', 'registration_preview.png', 'registration_check.png', 'report.html']) t.true(existsSync(join(out, f)), f);
  // the extents agree and the orientation is right, so no warning; registration improved the similarity
  t.notRegex(first.stderr, /warning: the (extents disagree|orientation looks wrong)/);
  const check = readPictureInfo(readFileSync(join(out, 'registration_check.png')))!.description;
  const m = /NCC before \(centres aligned\) ([\d.-]+), after ([\d.-]+)/.exec(check);
  t.truthy(m, check);
  t.true(Number(m![2]) > Number(m![1]) && Number(m![2]) > 0.95, check);
  const report = readFileSync(join(out, 'report.html'), 'utf8');
  t.regex(report, /<title>demo: c-Fos phantom on the Allen atlas/);
  t.regex(report, /<h2>Registration check<\/h2>/);
  t.regex(report, /NCC before \(centres aligned\)/);

  const second = run('second.json', '--set', 'cells.threshold=[8,null]').summary;
  const status = Object.fromEntries(second.nodes.map((n) => [n.id, n.status]));
  for (const id of ['cfos', 'autofluo', 'atlas', 'reference', 'detect', 'autofluoAtlas', 'orientationPreview', 'registration', 'registrationCheck']) t.is(status[id], 'cached', id);
  for (const id of ['cells', 'cellsResampled', 'cellsAtlas', 'heatmap', 'counts', 'writeCounts']) t.is(status[id], 'computed', id);
});
