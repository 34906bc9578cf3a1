// Regenerates the pictures and numbers of docs/tuning.md from the real cellfinder crop:
//   npm run build && node dist/tools/docs/tuning-guide.js [outDir=docs/tuning]
// Writes PNGs (same planes, same contrast per figure) and counts.json. Uses the same code as
// `clearmap init` and `clearmap sweep`, so the guide shows what a user sees.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readRegion } from '../../engine/data/read.js';
import type { Workflow } from '../../engine/workflow/format.js';
import { initWorkflow } from '../../app/init/init.js';
import { runSweep, type Vary } from '../../app/sweep/sweep.js';
import { cellExtent, overlayTiles } from '../../app/sweep/page.js';
import { openVolume } from '../../nodes/io/lib/formats.js';
import { removeBackground } from '../../nodes/detection/lib/background.js';
import { drawPlaneNumber, drawScaleBar } from '../../nodes/pictures/lib/annotate.js';
import { planeOfSlab } from '../../nodes/pictures/lib/planes.js';
import { writePng } from '../../nodes/pictures/lib/png.js';
import { renderTiledPlanes } from '../../nodes/pictures/lib/tiled-planes.js';
import { CELLFINDER_PLANES } from '../../test/shared-data.js';

const out = resolve(process.argv[2] ?? 'docs/tuning');
mkdirSync(out, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'cm-tuning-'));
const signal = join(CELLFINDER_PLANES, 'ch0');
const counts: Record<string, unknown> = {};

try {
  // 1. what init writes for the crop
  const wfFile = join(work, 'crop.json');
  const { workflow } = await initWorkflow({ signal, voxelSize: [2, 2, 5], output: wfFile, nodeTypes: [] });
  const cells = workflow.nodes.find((n) => n.id === 'cells')!;
  counts.init = { cells: cells.params, background: workflow.nodes.find((n) => n.id === 'background')!.params };
  // keep only the detection part for the sweeps (the same nodes init writes)
  const detection: Workflow = { ...workflow, nodes: workflow.nodes.filter((n) => ['signal', 'background', 'cells'].includes(n.id)).map((n) => (n.id === 'signal' ? { ...n, params: { ...n.params, path: signal } } : n)) };
  writeFileSync(wfFile, JSON.stringify(detection, null, 2));

  // 2. raw and background-removed plane (whole crop width, plane 15)
  const v = await openVolume(signal, { voxelSize: [2, 2, 5] });
  const plane = await readRegion(v.ref, { z: [15, 16] });
  const bg = removeBackground(plane, (counts.init as { background: { size: [number, number] } }).background.size);
  for (const [name, vol] of [['01-raw.png', plane], ['02-background-removed.png', bg]] as const) {
    const { image, factor } = renderTiledPlanes([planeOfSlab(vol, 'z')], { percentiles: [0.5, 99.5], inverse: false, maxSize: 667, layout: { columns: 1, gap: 0, background: [0, 0, 0] } }, (tile, _i, f) => {
      drawPlaneNumber(tile, 15);
      drawScaleBar(tile, 2 * f);
    });
    writePng(join(out, name), image, { description: `${name}: plane 15 of the cellfinder crop, ${factor === 1 ? 'full resolution' : `downsampled x${factor}`}` });
  }

  // 3. sweeps on a 256 x 256 window of the dense band, planes 5-25, shown at plane 10
  const crop = { x: [0, 256] as [number, number], y: [200, 456] as [number, number], z: [5, 25] as [number, number] };
  const sweep = async (name: string, vary: Vary[]) => {
    const r = await runSweep(wfFile, { crop, vary, cacheDir: join(work, 'cache'), outDir: join(work, name), workers: 2 });
    const pngs: Buffer[] = [];
    for (const variant of r.variants) {
      const params = { ...r.baseParams, ...Object.fromEntries(Object.entries(variant.values).map(([k, x]) => [k.split('.').slice(1).join('.'), x])) };
      const ext = cellExtent(params, r.image!.voxelSize, 1);
      const { png } = await overlayTiles(r.image!, variant.points?.points, [10], ext, 256, false);
      pngs.push(Buffer.from(png));
    }
    pngs.forEach((p, i) => writeFileSync(join(out, `${name}-${i + 1}.png`), p));
    counts[name] = r.variants.map((x) => ({ values: x.values, cells: x.points ? x.points.points.coords.length / 3 : null, statuses: Object.fromEntries(x.nodes.map((n) => [n.id, n.status])) }));
  };
  const t = (cells.params as { cellThreshold: number }).cellThreshold;
  await sweep('03-threshold', [{ node: 'cells', path: ['cellThreshold'], values: [Math.round(t * 0.6), t, Math.round(t * 1.6)] }]);
  await sweep('04-diameter', [{ node: 'cells', path: ['cellDiameter'], values: [8, 12, 16] }]);
  await sweep('05-peak', [{ node: 'cells', path: ['peakHeight'], values: [5, 20, 60] }]);
  writeFileSync(join(out, 'counts.json'), JSON.stringify(counts, null, 2) + '\n');
  process.stdout.write(JSON.stringify(counts, null, 2) + '\n');
} finally {
  rmSync(work, { recursive: true, force: true });
}
