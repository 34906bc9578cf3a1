// Pictures a scientist trusts: perceptual colour maps from the library, colour bars under sections,
// distinct p-value legend colours, overlays marking each cell over its own extent with plane numbers
// and a scale bar.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePoints } from '../../../engine/data/points.js';
import { colormapColor } from '../../../nodes/pictures/lib/colormaps.js';
import { cellZExtents } from '../../../nodes/pictures/lib/markers.js';
import { overlayPointsNode, sectionNode } from '../../../nodes/pictures/index.js';
import { readPictureInfo } from '../../../nodes/pictures/lib/picture-info.js';
import { scaleBarMicrons } from '../../../nodes/pictures/lib/annotate.js';
import { readPngPixels, runNode, tempDir, volumeOnDisk } from './_helpers.js';

test("viridis and magma come from the colormap library with matplotlib's end colours; hot and jet stay", (t) => {
  t.deepEqual([colormapColor('viridis', 0), colormapColor('viridis', 1)], [[68, 1, 84], [253, 231, 37]]);
  t.deepEqual([colormapColor('magma', 0), colormapColor('magma', 1)], [[0, 0, 4], [252, 253, 191]]);
  t.deepEqual(colormapColor('hot', 1), [255, 255, 255]);
  t.deepEqual([scaleBarMicrons(1334), scaleBarMicrons(90), scaleBarMicrons(12)], [200, 10, 2]);
});

test('a heat-map section gets a colour bar of its colour map; p-value sections a bar per sign and distinct trend colours', async (t) => {
  const dir = tempDir();
  const heat = Float32Array.from({ length: 40 * 30 }, (_, i) => i % 40);
  const ref = volumeOnDisk(dir, 'heat', heat, [40, 1, 30]);
  await runNode(sectionNode, { input: ref }, { plane: 'coronal', index: 0, colormap: 'viridis', percentiles: [0, 100], zoom: 1 }, dir);
  const png = readPngPixels(join(dir, 'section.png'));
  t.deepEqual([png.width, png.height], [160, 30 + 32]);
  t.deepEqual(png.rgb(6, 30 + 4), [68, 1, 84], 'left end of the bar = viridis(0)');
  t.deepEqual(png.rgb(153, 30 + 4), [253, 231, 37], 'right end = viridis(1)');
  const p = volumeOnDisk(dir, 'p', Float32Array.from([0.01, 0.5, 0.2, 0.03]), [4, 1, 1]);
  const sign = volumeOnDisk(dir, 's', Int32Array.from([1, -1, 1, -1]), [4, 1, 1]);
  await runNode(sectionNode, { input: p, sign }, { path: 'p.png', mode: 'pvalues', plane: 'horizontal', index: 0, pcutoff: 0.05, zoom: 1 }, dir);
  const legend = readPictureInfo(readFileSync(join(dir, 'p.png')))!.legend!.map((l) => l.color);
  t.is(new Set(legend).size, legend.length, `every legend colour means one thing: ${legend}`);
  const pp = readPngPixels(join(dir, 'p.png'));
  t.is(pp.height, 1 + 2 * 32 + 24, 'two bars (one per sign) and the trend swatches');
});

test('overlay: each cell marked over the planes its size spans, plane numbers and a scale bar drawn', async (t) => {
  const dir = tempDir();
  const ref = { ...volumeOnDisk(dir, 'v', new Uint8Array(200 * 120 * 9), [200, 120, 9]), voxelSize: [2, 2, 5] as [number, number, number] };
  // one big cell (size 400 voxels of 20 µm³: radius ≈ 12.4 µm = 2 planes of 5 µm) at z 4, one small (size 4) at z 4
  const points = makePoints([50, 60, 4, 150, 60, 4], { size: [400, 4] });
  t.deepEqual(Array.from(cellZExtents(points, [2, 2, 5])!), [2, 0]);
  await runNode(overlayPointsNode, { input: ref, points: { kind: 'points', points } }, { z: [2, 3], marker: 'cross', markerSize: 2, percentiles: [0, 100], gap: 0 }, dir);
  const png = readPngPixels(join(dir, 'points.png'));
  t.deepEqual(png.rgb(50, 60), [255, 0, 0], 'the big cell reaches plane 2');
  t.deepEqual(png.rgb(150, 60), [0, 0, 0], 'the small one does not');
  t.deepEqual(png.rgb(7, 9), [255, 255, 0], "plane number 'z 2' top left (yellow)");
  const info = readPictureInfo(readFileSync(join(dir, 'points.png')))!;
  t.regex(info.description ?? '', /each cell on the planes its size spans, plane numbers top left, scale bar in µm/);
  // bar: 200 px x 2 µm = 400 µm wide tile -> a 50 µm bar of 25 px, white, bottom right
  t.deepEqual(png.rgb(200 - 8 - 1, 120 - 8 - 4), [255, 255, 255]);
  t.deepEqual(png.rgb(200 - 8 - 25, 120 - 8 - 4), [255, 255, 255]);
});
