// clearmap init on the real crop: the written workflow is commented, validates and runs end to end
// (detection, checks, points, heat map and region counts on the real Allen annotation).
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CELLFINDER_PLANES, SHARED_DATA } from '../shared-data.js';
import { runCli, tempDir } from '../engine/helpers.js';

test('init from the real crop (folder + glob inputs, annotation + labels) validates and runs', (t) => {
  const dir = tempDir('cm-init-');
  const wf = join(dir, 'crop.json');
  const args = ['init', '--signal', join(CELLFINDER_PLANES, 'ch0'), '--autofluorescence', join(CELLFINDER_PLANES, 'ch1', 'ch1*.tif'),
    '--annotation', join(SHARED_DATA, 'atlas', 'ABA_50um_2017_annotation.tif'), '--labels', join(SHARED_DATA, 'atlas', 'ARA2_annotation_info_collapse.csv'), '-o', wf];
  // the crop does not record its voxel size: init says so instead of assuming 1 µm
  const unknown = runCli(args);
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /does not record its voxel size along x, y, z; give --voxel-size/);
  const r = runCli([...args, '--voxel-size', '2,2,5']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /note: no --reference/);
  const w = JSON.parse(readFileSync(wf, 'utf8')) as { description: string; nodes: { id: string; type: string; description?: string; params?: Record<string, unknown> }[] };
  t.true(w.nodes.every((n) => (n.description ?? '').length > 20), 'every node says what it does');
  t.regex(w.description, /clearmap sweep/);
  t.deepEqual(w.nodes.find((n) => n.id === 'signal')!.params!.voxelSize, [2, 2, 5]);
  t.is(w.nodes.find((n) => n.id === 'background')!.params!.size instanceof Array, true);
  t.is(runCli(['init', '--signal', join(CELLFINDER_PLANES, 'ch0'), '--voxel-size', '2,2,5', '-o', wf]).code, 1, 'does not overwrite without --force');

  const v = runCli(['validate', wf]);
  t.is(v.code, 0, v.stderr);
  const summaryFile = join(dir, 'summary.json');
  const run = runCli(['run', wf, '--cache', join(dir, 'cache'), '--out', join(dir, 'out'), '--workers', '2', '--summary', summaryFile]);
  t.is(run.code, 0, run.stderr);
  const s = JSON.parse(readFileSync(summaryFile, 'utf8')) as { ok: boolean; nodes: { id: string; status: string }[] };
  t.true(s.ok);
  t.true(s.nodes.every((n) => n.status === 'computed'), JSON.stringify(s.nodes));
  for (const f of ['cells.npy', 'cells_check.tif', 'cells_overlay.png', 'cells_heatmap.tif', 'Annotated_counts.csv']) t.true(existsSync(join(dir, 'out', f)), f);
});
