import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePoints } from '../../../engine/data/points.js';
import { readPictureInfo } from '../../../nodes/pictures/lib/picture-info.js';
import { overlayLabelsNode, overlayPointsNode, sectionNode, tilesNode } from '../../../nodes/pictures/index.js';
import { filesIn, readPngPixels, readPngText, runNode, tempDir, volumeOnDisk } from './_helpers.js';

type Rgb = [number, number, number];
const grey = (g: number): Rgb => [g, g, g];

/** 4×3×5 stack: plane 1 holds 0, 17, …, 187; plane 3 holds 255, 238, …, 68; the others 60000. */
function stack(dir: string) {
  const data = new Uint16Array(4 * 3 * 5).fill(60000);
  for (let i = 0; i < 12; i++) { data[12 + i] = 17 * i; data[36 + i] = 255 - 17 * i; }
  return { ref: volumeOnDisk(dir, 'stack', data, [4, 3, 5]), data };
}

test('tiles: every 2nd plane of z [1, 5) as a 1×2 grid; contrast from those planes only; exact pixels', async (t) => {
  const dir = tempDir();
  const { ref } = stack(dir);
  const out = join(dir, 'out');
  const params = { path: 'qc/tiles.png', z: [1, 5], step: 2, percentiles: [0, 100], gap: 1, background: '#ff00ff' };
  const { result, reads } = await runNode(tilesNode, { input: ref }, params, out);
  const file = join(out, 'qc', 'tiles.png');
  t.deepEqual(result.picture, { kind: 'file', path: file });
  // only planes 1 and 3 were read (the 60000-valued planes would have changed the contrast)
  t.deepEqual(reads.map((r) => r.z), [[1, 2], [3, 4]]);
  const png = readPngPixels(file);
  t.deepEqual([png.width, png.height, png.depth], [11, 5, 8]);
  for (let y = 0; y < 3; y++) {
    for (let x = 0; x < 4; x++) {
      const i = x + 4 * y;
      // limits are [0, 255], so the grey level is the value itself
      t.deepEqual(png.rgb(1 + x, 1 + y), grey(17 * i), `plane 1 (${x},${y})`);
      t.deepEqual(png.rgb(6 + x, 1 + y), grey(255 - 17 * i), `plane 3 (${x},${y})`);
    }
  }
  for (const [x, y] of [[0, 0], [5, 2], [10, 4], [3, 0], [7, 4]]) t.deepEqual(png.rgb(x, y), [255, 0, 255], `gap (${x},${y})`);
  // the PNG says what it shows (tEXt chunk, read by any PNG reader and by the report)
  t.deepEqual(readPictureInfo(readFileSync(file)), {
    description: 'planes z = 1, 3 (step 2) of a 4×3×5 stack; grey over [0, 255] (percentiles 0–100 of these planes)',
  });
  t.regex(readPngText(file).ClearMap, /"description":"planes z = 1, 3/);
  // no temp files left next to the result; a second run writes the same bytes
  t.deepEqual(filesIn(join(out, 'qc')), ['tiles.png']);
  const out2 = join(dir, 'out2');
  await runNode(tilesNode, { input: ref }, params, out2);
  t.deepEqual(readFileSync(join(out2, 'qc', 'tiles.png')), readFileSync(file));
});

test('tiles: fixed columns, inverse grey and an x/y window read as a window', async (t) => {
  const dir = tempDir();
  const { ref } = stack(dir);
  const { reads } = await runNode(tilesNode, { input: ref },
    { z: [1, 4], step: 2, x: [1, 3], y: [0, 2], columns: 1, percentiles: [0, 100], inverse: true, gap: 0 }, dir);
  t.deepEqual(reads.map((r) => [r.x, r.y, r.z]), [[[1, 3], [0, 2], [1, 2]], [[1, 3], [0, 2], [3, 4]]]);
  const png = readPngPixels(join(dir, 'tiles.png'));
  t.deepEqual([png.width, png.height], [2, 4]);
  // window values: plane 1 → 17, 34, 85, 102; plane 3 → 238, 221, 170, 153; limits [17, 238]
  const level = (v: number) => 255 - Math.round((255 * (v - 17)) / 221);
  t.deepEqual(png.rgb(0, 0), grey(255));
  t.deepEqual(png.rgb(1, 1), grey(level(102)));
  t.deepEqual(png.rgb(0, 2), grey(0));
  t.deepEqual(png.rgb(1, 3), grey(level(153)));
  t.is(level(102), 157); // 255 − round(255·85/221) = 255 − 98
});

test('overlay-points: cross markers coloured by class, only points of the planes drawn', async (t) => {
  const dir = tempDir();
  const data = new Uint8Array(9 * 9 * 3);
  data[81 + 8] = 255; // plane 1, (8, 0) white
  const ref = volumeOnDisk(dir, 'v', data, [9, 9, 3]);
  const points = makePoints(
    [2, 2, 1, 6, 6, 1.4, 4, 4, 0, 6, 2, 2.6, 2.9, 7.9, 1.9],
    { cls: [5, 7, 5, 7, 5] },
  );
  const { logs } = await runNode(overlayPointsNode, { input: ref, points: { kind: 'points', points } }, {
    z: [1, 2], classColumn: 'cls', colors: ['#ff0000', '#0000ff'], marker: 'cross', markerSize: 1, percentiles: [0, 100], gap: 0, planeNumbers: false, scaleBar: false,
  }, dir);
  const png = readPngPixels(join(dir, 'points.png'));
  t.deepEqual([png.width, png.height], [9, 9]);
  const red: Rgb = [255, 0, 0], blue: Rgb = [0, 0, 255];
  for (const [x, y] of [[2, 2], [1, 2], [3, 2], [2, 1], [2, 3]]) t.deepEqual(png.rgb(x, y), red, `class 5 (${x},${y})`);
  for (const [x, y] of [[6, 6], [5, 6], [7, 6], [6, 5], [6, 7]]) t.deepEqual(png.rgb(x, y), blue, `class 7 (${x},${y})`);
  // coordinates are truncated to the voxel, as ClearMap indexes arrays: (2.9, 7.9, 1.9) is voxel (2, 7, 1)
  for (const [x, y] of [[2, 7], [1, 7], [3, 7], [2, 6], [2, 8]]) t.deepEqual(png.rgb(x, y), red, `truncated point (${x},${y})`);
  // corners of the crosses, and the points of planes 0 and 3 are not drawn
  for (const [x, y] of [[1, 1], [3, 3], [4, 4], [6, 2], [3, 8]]) t.deepEqual(png.rgb(x, y), grey(0), `(${x},${y})`);
  t.deepEqual(png.rgb(8, 0), grey(255));
  t.regex(logs.join('\n'), /3 point marks on 1 planes, classes 5, 7/);
  t.deepEqual(readPictureInfo(readFileSync(join(dir, 'points.png')))!.legend, [{ label: 'cls = 5', color: '#ff0000' }, { label: 'cls = 7', color: '#0000ff' }]);
  await t.throwsAsync(runNode(overlayPointsNode, { input: ref, points: { kind: 'points', points } }, { classColumn: 'nope' }, dir),
    { message: /node 'pic': params\.classColumn: the points have no column 'nope'/ });
});

test("overlay-labels: ClearMap's jet colours replace the grey (alpha 1) or blend (alpha 0.5)", async (t) => {
  const dir = tempDir();
  const ref = volumeOnDisk(dir, 'v', Uint8Array.from([0, 255, 0, 255, 0, 255]), [3, 2, 1]);
  const labels = volumeOnDisk(dir, 'l', Uint16Array.from([0, 1, 2, 0, 2, 1]), [3, 2, 1]);
  await runNode(overlayLabelsNode, { input: ref, labels }, { alpha: 1, percentiles: [0, 100], gap: 0 }, dir);
  let png = readPngPixels(join(dir, 'labels.png'));
  // jet over ids 1..2: id 1 → jet(0) = (0, 0, 0.5), id 2 → jet(1) = (0.5, 0, 0); label 0 keeps the grey
  const id1: Rgb = [0, 0, 128], id2: Rgb = [128, 0, 0];
  t.deepEqual([png.rgb(0, 0), png.rgb(1, 0), png.rgb(2, 0)], [grey(0), id1, id2]);
  t.deepEqual([png.rgb(0, 1), png.rgb(1, 1), png.rgb(2, 1)], [grey(255), id2, id1]);
  await runNode(overlayLabelsNode, { input: ref, labels }, { path: 'half.png', alpha: 0.5, percentiles: [0, 100], gap: 0, zoom: 2 }, dir);
  png = readPngPixels(join(dir, 'half.png'));
  t.deepEqual([png.width, png.height], [6, 4]);
  t.deepEqual([png.rgb(2, 0), png.rgb(3, 1)], [[128, 128, 192], [128, 128, 192]]); // 255·0.5 + (0, 0, 128)·0.5, rounded; zoomed ×2
  t.deepEqual(png.rgb(5, 1), [64, 0, 0]);
  const wrong = volumeOnDisk(dir, 'w', new Uint16Array(4), [2, 2, 1]);
  await t.throwsAsync(runNode(overlayLabelsNode, { input: ref, labels: wrong }, {}, dir), { message: /input 'labels' has shape \[2,2,1\] but 'input' has \[3,2,1\]/ });
});

test('section: coronal plane of a heat map, reading only that plane; atlas outline; zoom', async (t) => {
  const dir = tempDir();
  // 3×4×2 heat map: the coronal plane y = 1 holds 0, 51, 102 (z = 0) and 153, 204, 255 (z = 1)
  const heat = new Float32Array(24).fill(9999);
  [0, 51, 102].forEach((v, x) => { heat[x + 3 * 1] = v; });
  [153, 204, 255].forEach((v, x) => { heat[x + 3 * 1 + 12] = v; });
  const atlas = new Uint16Array(24).fill(1);
  for (let z = 0; z < 2; z++) atlas[2 + 3 + 12 * z] = 2; // (2, 1, z) is region 2
  const heatRef = volumeOnDisk(dir, 'heat', heat, [3, 4, 2]);
  const atlasRef = volumeOnDisk(dir, 'atlas', atlas, [3, 4, 2]);
  const { reads } = await runNode(sectionNode, { input: heatRef }, { plane: 'coronal', index: 1, colormap: 'grey', percentiles: [0, 100], zoom: 1, colorBar: false }, dir);
  t.deepEqual(reads.map((r) => r.y), [[1, 2]]);
  let png = readPngPixels(join(dir, 'section.png'));
  t.deepEqual([png.width, png.height], [3, 2]);
  t.deepEqual([0, 1, 2].map((x) => png.rgb(x, 0)), [grey(0), grey(51), grey(102)]);
  t.deepEqual([0, 1, 2].map((x) => png.rgb(x, 1)), [grey(153), grey(204), grey(255)]);

  await runNode(sectionNode, { input: heatRef, atlas: atlasRef }, { path: 'hot.png', index: 1, percentiles: [0, 100], outlineAlpha: 1, zoom: 2, colorBar: false }, dir);
  png = readPngPixels(join(dir, 'hot.png'));
  t.deepEqual([png.width, png.height], [6, 4]);
  // 'hot': 0 → (0.0416, 0, 0); the boundary between regions 1 and 2 is drawn at x = 1, zoomed ×2
  t.deepEqual(png.rgb(0, 0), [11, 0, 0]);
  t.deepEqual(png.rgb(1, 1), [11, 0, 0]);
  for (const [x, y] of [[2, 0], [3, 1], [2, 3], [3, 2]]) t.deepEqual(png.rgb(x, y), [255, 255, 255], `outline (${x},${y})`);
  t.deepEqual(png.rgb(5, 3), [255, 255, 255]); // 255 is the top of 'hot' (white)
  t.notDeepEqual(png.rgb(4, 0), [255, 255, 255]);
});

test('section: p-value map in two colours by the sign of the difference (ClearMap colorPValues)', async (t) => {
  const dir = tempDir();
  const p = volumeOnDisk(dir, 'p', Float32Array.from([0.01, 0.5]), [2, 1, 1]);
  const sign = volumeOnDisk(dir, 's', Int32Array.from([1, -1]), [2, 1, 1]);
  await runNode(sectionNode, { input: p, sign }, { mode: 'pvalues', plane: 'horizontal', index: 0, pmax: 1, zoom: 1, colorBar: false }, dir);
  let png = readPngPixels(join(dir, 'section.png'));
  // (pmax − p)/pmax · colour: 0.99·red, 0.5·green
  t.deepEqual([png.rgb(0, 0), png.rgb(1, 0)], [[252, 0, 0], [0, 128, 0]]);
  // pmax from the section (0.5) and a cutoff: the non-significant negative voxel takes the trend colour
  await runNode(sectionNode, { input: p, sign }, { path: 'cut.png', mode: 'pvalues', plane: 'horizontal', pcutoff: 0.05, negativeTrendColor: '#0000ff', zoom: 1, colorBar: false }, dir);
  png = readPngPixels(join(dir, 'cut.png'));
  t.deepEqual([png.rgb(0, 0), png.rgb(1, 0)], [[250, 0, 0], [0, 0, 0]]); // 0.49/0.5·255; (0.5 − 0.5)·blue
  t.deepEqual(readPictureInfo(readFileSync(join(dir, 'cut.png')))!.legend!.map((l) => `${l.label} ${l.color}`), [
    'first group higher (p < 0.05) #ff0000', 'first group lower (p < 0.05) #00ff00', 'higher, p ≥ 0.05 #ff8c00', 'lower, p ≥ 0.05 #0000ff',
  ]);
  await t.throwsAsync(runNode(sectionNode, { input: p }, { mode: 'pvalues' }, dir), { message: /params\.mode 'pvalues' needs the input 'sign'/ });
});

test('bad params are rejected with the node and param named', async (t) => {
  const dir = tempDir();
  const { ref } = stack(dir);
  await t.throwsAsync(runNode(tilesNode, { input: ref }, { path: '../escape.png' }, dir), { message: /node 'pic': params\.path: '\.\.\/escape\.png' leaves the output directory/ });
  await t.throwsAsync(runNode(tilesNode, { input: ref }, { path: '/tmp/abs.png' }, dir), { message: /params\.path: .* is absolute; result paths must be relative/ });
  await t.throwsAsync(runNode(tilesNode, { input: ref }, { z: [3, 99] }, dir), { message: /node 'pic': params\.z: \[3, 99\) is not a non-empty range inside \[0, 5\)/ });
  await t.throwsAsync(runNode(tilesNode, { input: ref }, { percentiles: [90, 10] }, dir), { message: /params\.percentiles: \[90,10\] must be increasing/ });
  await t.throwsAsync(runNode(tilesNode, {}, {}, dir), { message: /node 'pic': input 'input' is not connected/ });
  await t.throwsAsync(runNode(sectionNode, { input: ref }, { plane: 'sagittal', index: 4 }, dir), { message: /params\.index 4 is outside the sagittal planes \[0, 4\)/ });
  t.deepEqual(filesIn(dir).filter((f) => f.endsWith('.png')), []);
});
