// The picture nodes inside a real workflow run (registered here if the built-ins do not have them yet),
// then the run report built from the run as `clearmap run --report` would.
import test from 'ava';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { nodeTypesModule } from '../../../engine/core/registry.js';
import type { EngineEvent } from '../../../engine/core/events.js';
import { createRegistry, loadWorkflow } from '../../../app/engine.js';
import { runWorkflow } from '../../../engine/scheduler/run.js';
import { openVolume } from '../../../nodes/io/lib/formats.js';
import { pictureNodeTypes } from '../../../nodes/pictures/index.js';
import { collectRunReport, writeRunReport } from '../../../app/report/index.js';
import { TEST_PLUGIN, writeWorkflow } from '../../engine/helpers.js';
import { readPngPixels, tempDir } from './_helpers.js';

async function registry() {
  const r = await createRegistry();
  if (!r.get('tiles')) await r.load(nodeTypesModule(pictureNodeTypes), 'picture nodes');
  return r;
}

test('the picture nodes run in a workflow, are cached on rerun, and land in the run report', async (t) => {
  const dir = tempDir('cm-pictures-wf-');
  const file = writeWorkflow(dir, {
    version: 1, name: 'pictures', plugins: [TEST_PLUGIN],
    nodes: [
      { id: 'src', type: 'test-source', params: { shape: [64, 48, 12] } },
      { id: 'tiles', type: 'tiles', inputs: { input: 'src.volume' }, params: { path: 'qc/tiles.png', step: 3 } },
      { id: 'cut', type: 'section', inputs: { input: 'src.volume', atlas: 'src.volume' }, params: { path: 'qc/coronal.png', plane: 'coronal', outlineAlpha: 0.2 } },
      { id: 'peaks', type: 'test-z-peaks', inputs: { input: 'src.volume' }, params: { threshold: 990 } },
      { id: 'marks', type: 'overlay-points', inputs: { input: 'src.volume', points: 'peaks.points' }, params: { path: 'qc/points.png', z: [2, 4] } },
      { id: 'labels', type: 'overlay-labels', inputs: { input: 'src.volume', labels: 'src.volume' }, params: { path: 'qc/labels.png', z: [0, 1], style: 'outline' } },
      { id: 'check', type: 'cells-check', inputs: { input: 'src.volume', points: 'peaks.points' }, params: { z: [2, 5] } },
    ],
  });
  const cacheDir = join(dir, 'cache'), outDir = join(dir, 'out');
  const run = async () => {
    const { valid } = await loadWorkflow(file, [], await registry());
    const events = new Subject<EngineEvent>();
    return { valid, summary: await runWorkflow(valid, { cacheDir, outDir, workers: 1, events }) };
  };
  const first = await run();
  t.true(first.summary.ok, JSON.stringify(first.summary.nodes));
  const tiles = readPngPixels(join(outDir, 'qc', 'tiles.png'));
  // planes 0, 3, 6, 9 → 2×2 grid of 64×48 tiles with 2-pixel gaps
  t.deepEqual([tiles.width, tiles.height], [2 * 64 + 3 * 2, 2 * 48 + 3 * 2]);
  const cut = readPngPixels(join(outDir, 'qc', 'coronal.png'));
  // x by z, zoom 2 (128 x 24), widened to 160 for its colour bar row (10 px gradient + labels + gaps = 32 px)
  t.deepEqual([cut.width, cut.height], [160, 2 * 12 + 32]);
  t.deepEqual(readPngPixels(join(outDir, 'qc', 'points.png')).width, 2 * 64 + 3 * 2);
  t.deepEqual((await openVolume(join(outDir, 'cells_check.tif'), { channel: 1 })).shape, [64, 48, 3]); // 3 planes × 2 channels
  t.deepEqual(first.summary.nodes.map((n) => n.status), Array(7).fill('computed'));
  const bytes = readFileSync(join(outDir, 'qc', 'tiles.png'));
  const mtime = statSync(join(outDir, 'qc', 'tiles.png')).mtimeMs;

  const second = await run();
  t.deepEqual(second.summary.nodes.map((n) => n.status), Array(7).fill('cached'));
  t.deepEqual(readFileSync(join(outDir, 'qc', 'tiles.png')), bytes);
  t.is(statSync(join(outDir, 'qc', 'tiles.png')).mtimeMs, mtime);

  const details = collectRunReport(second.valid.order, second.summary, outDir);
  t.deepEqual(details.pictures!.map((p) => p.nodeId), ['tiles', 'cut', 'marks', 'labels']); // not the TIFF
  t.deepEqual(details.nodes.find((n) => n.nodeId === 'cut')!.inputs, { input: 'src.volume', atlas: 'src.volume' });
  const report = join(outDir, 'report.html');
  await writeRunReport(second.summary, details, report);
  const html = readFileSync(report, 'utf8');
  t.is((html.match(/<img /g) ?? []).length, 4);
  t.regex(html, /tiles: qc\/tiles\.png/);
});
