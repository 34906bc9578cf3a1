// The detect composite: chunking invariance, accuracy on synthetic nuclei, parameter checks, node types.
import test from 'ava';
import { pointCount, makePoints, type Points } from '../../../engine/data/points.js';
import { makeVolume } from '../../../engine/data/volume.js';
import { detectCells } from '../../../nodes/detection/detect/kernel.js';
import { detectionNodeTypes, detectNode } from '../../../nodes/detection/index.js';
import { detectOverlap, resolveDetectParams } from '../../../nodes/detection/lib/params.js';
import { thresholdPoints } from '../../../nodes/detection/lib/threshold-points.js';
import { findExtendedMaxima } from '../../../nodes/detection/lib/extended-maxima.js';
import { removeBackground } from '../../../nodes/detection/lib/background.js';
import { filterDoG } from '../../../nodes/detection/lib/filters.js';
import { hMaxTransform } from '../../../lib/kernels/reconstruction.js';
import { localMaxima } from '../../../lib/kernels/maxima.js';
import { detectChunked } from '../../../tools/detection/detect-cli.js';
import { matchPoints, syntheticNuclei } from '../../../tools/detection/synthetic-nuclei.js';

// realistic parameters for nuclei of radius 3-6 voxels (see tools/detection/README.md)
export const SYNTHETIC_PARAMS = {
  removeBackgroundParameter: { size: [17, 17] },
  filterDoGParameter: { size: [11, 11, 7] },
  findExtendedMaximaParameter: { hMax: 20, size: 5, threshold: 20 },
  detectCellShapeParameter: { threshold: 150 },
};

const whole = (depth: number) => ({ index: 0, count: 1, read: [0, depth] as [number, number], core: [0, depth] as [number, number], depth });

function sortedRows(p: Points): number[][] {
  const names = Object.keys(p.properties);
  const rows: number[][] = [];
  for (let i = 0; i < pointCount(p); i++) rows.push([p.coords[3 * i + 2], p.coords[3 * i + 1], p.coords[3 * i], ...names.map((n) => p.properties[n][i])]);
  return rows.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
}

const stack = syntheticNuclei({ shape: [128, 128, 48], cells: 130, seed: 5, gain: 2, readNoise: 20 });

test('chunked detection (slabs + declared overlap, joined by core z) equals whole-stack detection', async (t) => {
  // nuclei here reach < 5 planes from their centre above the shape threshold, so cellReach 5 suffices
  const params = { ...SYNTHETIC_PARAMS, cellReach: 5 };
  const wholePts = await detectCells(stack.volume, whole(48), params);
  const overlap = detectOverlap(resolveDetectParams(params));
  t.is(overlap, 3 + 2 + 15 + 1);
  const chunked = await detectChunked(stack.volume, params, 16, overlap);
  t.true(pointCount(wholePts) > 100);
  t.deepEqual(Object.keys(chunked.properties), ['raw', 'dog', 'background', 'size']);
  t.deepEqual(sortedRows(chunked), sortedRows(wholePts));
});

test('synthetic nuclei at realistic noise: precision and recall >= 0.95 (one-to-one within 3 voxels)', async (t) => {
  const s = syntheticNuclei({ shape: [160, 160, 40], cells: 170, seed: 21, gain: 2, readNoise: 20 });
  const pts = await detectCells(s.volume, whole(40), SYNTHETIC_PARAMS);
  const m = matchPoints(pts.coords, s.centres, 3);
  t.log(`truth ${s.centres.length / 3}, detected ${pointCount(pts)}, precision ${m.precision.toFixed(3)}, recall ${m.recall.toFixed(3)}`);
  t.true(m.precision >= 0.95 && m.recall >= 0.95);
});

test('points come back in global coordinates: a slab with origin z0 shifts z by z0', async (t) => {
  const sub = makeVolume(stack.volume.data.slice(128 * 128 * 10, 128 * 128 * 30), [128, 128, 20], { origin: [0, 0, 10] });
  const pts = await detectCells(sub, { index: 1, count: 3, read: [10, 30], core: [14, 26], depth: 48 }, SYNTHETIC_PARAMS);
  const zs = Array.from({ length: pointCount(pts) }, (_, i) => pts.coords[3 * i + 2]);
  t.true(zs.length > 0 && zs.every((z) => z >= 10 && z < 30));
  await t.throwsAsync(detectCells(sub, { index: 1, count: 3, read: [12, 30], core: [14, 26], depth: 48 }, SYNTHETIC_PARAMS), { message: /origin z 10 does not match/ });
});

test('bad parameters are rejected with the parameter named', async (t) => {
  const msg = (p: Record<string, unknown>) => detectNode.check!(p).join('\n');
  t.regex(msg({ removeBackgroundParameter: { size: [-3, 7] } }), /removeBackgroundParameter\.size\[0\] must be >= 2, got -3/);
  t.regex(msg({ findExtendedMaximaParameter: { size: 4 } }), /findExtendedMaximaParameter\.size must be an odd integer/);
  t.regex(msg({ findIntensityParameter: { size: [3, 4, 3] } }), /findIntensityParameter\.size\[1\] must be odd/);
  t.regex(msg({ filterDoGParameter: { size: [7, 7] } }), /filterDoGParameter\.size must be a list of 3 integers/);
  t.regex(msg({ findExtendedMaximaParameter: { hMax: -1 } }), /findExtendedMaximaParameter\.hMax must be within/);
  t.regex(msg({ dogSize: 3 }), /unknown parameter 'dogSize'/);
  t.regex(msg({ filterDoGParameter: { sizes: [3, 3, 3] } }), /unknown parameter 'filterDoGParameter\.sizes'/);
  t.is(detectNode.check!({ removeBackgroundParameter: { size: [0, 0] } }).length, 2, 'one message per problem');
  t.deepEqual(detectNode.check!({}), []);
  const v = makeVolume(new Uint16Array(8 * 8 * 2), [8, 8, 2]);
  await t.throwsAsync(detectCells(v, whole(2), { detectCellShapeParameter: { threshold: 70000 } }), { message: /detectCellShapeParameter\.threshold 70000 is outside the range \[0, 65535\] of the uint16 image/ });
});

test('empty and flat images give no cells', async (t) => {
  const v = makeVolume(new Uint16Array(32 * 32 * 6).fill(500), [32, 32, 6]);
  t.is(pointCount(await detectCells(v, whole(6), SYNTHETIC_PARAMS)), 0);
  t.is(pointCount(await detectCells(v, whole(6), {})), 0);
});

test('without a cell-shape threshold: three intensity columns from a box around each maximum', async (t) => {
  const X = 20, Y = 20, Z = 5;
  const data = new Uint16Array(X * Y * Z);
  data[10 + X * (10 + Y * 2)] = 1000; data[11 + X * (10 + Y * 2)] = 300;
  const pts = await detectCells(makeVolume(data, [X, Y, Z]), whole(Z), {
    removeBackgroundParameter: { size: null }, findExtendedMaximaParameter: { threshold: 1 }, detectCellShapeParameter: { threshold: null },
  });
  t.is(pointCount(pts), 1);
  t.deepEqual(Array.from(pts.coords), [10, 10, 2]);
  t.deepEqual(Object.keys(pts.properties), ['raw', 'dog', 'background']);
  t.is(pts.properties.raw[0], 1000);
});

test("thresholdPoints keeps [low, high] on a row, as ClearMap's thresholdPoints", async (t) => {
  const p = makePoints([0, 0, 0, 1, 1, 1, 2, 2, 2], { raw: [5, 50, 500], dog: [1, 2, 3], background: [1, 1, 1], size: [10, 20, 1000] });
  t.deepEqual(Array.from(thresholdPoints(p, { threshold: [20, 900], row: 3 }).properties.size), [20]);
  t.deepEqual(Array.from(thresholdPoints(p, { threshold: 50, row: 'raw' }).properties.raw), [50, 500]);
  t.deepEqual(Array.from(thresholdPoints(p, { threshold: [null, 2], row: 1 }).coords), [0, 0, 0, 1, 1, 1]);
  t.throws(() => thresholdPoints(p, { threshold: 1, row: 7 }), { message: /row 7 is not a column of the points \(columns: 0=raw, 1=dog/ });
  const node = detectionNodeTypes.find((n) => n.type === 'threshold-points')!;
  t.regex(node.check!({ threshold: [10, 5] }).join(), /low 10 exceeds high 5/);
  if (node.kind !== 'whole') return t.fail();
  const out = await node.run({ points: { kind: 'points', points: p } }, { threshold: [20, 900], row: 3 }, {} as never);
  t.is(pointCount((out.points as { points: Points }).points), 1);
});

test('node types: names, ports, schemas with defaults, overlaps from params', (t) => {
  t.deepEqual(detectionNodeTypes.map((n) => n.type), ['detect', 'illumination', 'background', 'dog', 'filter', 'maxima', 'shape', 'intensity', 'threshold-points']);
  for (const n of detectionNodeTypes) {
    t.is(n.params.type, 'object');
    for (const [k, s] of Object.entries(n.params.properties)) t.true('description' in s || 'default' in s, `${n.type}.${k} documented`);
    if (n.kind === 'chunk') t.truthy(n.kernel.module.startsWith('file:'));
  }
  t.is(detectNode.overlap({}), 2 + 18);
  t.is(detectNode.overlap({ filterDoGParameter: { size: [7, 7, 9] }, cellReach: 3 }), 4 + 2 + 9);
  const dog = detectionNodeTypes.find((n) => n.type === 'dog')!;
  if (dog.kind === 'chunk') { t.is(dog.overlap({ size: [5, 5, 7] }), 3); t.is(dog.outputDtype!('uint16', {}), 'float32'); }
  const bg = detectionNodeTypes.find((n) => n.type === 'background')!;
  t.regex(bg.check!({ size: [7, 0] }).join(), /size\[1\] must be >= 2, got 0/);
});

test('chunk node kernels resolve: module URL imports and exports the named function', async (t) => {
  for (const n of detectionNodeTypes) {
    if (n.kind !== 'chunk') continue;
    const mod = await import(n.kernel.module);
    t.is(typeof mod[n.kernel.export], 'function', `${n.type}: ${n.kernel.export}`);
  }
});

test('illumination correction divides by the flat field (text line along y) and rescales by its mean', async (t) => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'flat-'));
  try {
    const line = join(dir, 'flat.csv');
    writeFileSync(line, '1\n2\n4\n');
    const v = makeVolume(Uint16Array.from([100, 100, 100, 100, 100, 100]), [2, 3, 1]);
    const node = detectionNodeTypes.find((n) => n.type === 'illumination')!;
    if (node.kind !== 'chunk') return t.fail();
    const { illuminationKernel } = await import('../../../nodes/detection/illumination/kernel.js');
    const out = await illuminationKernel(v, whole(1), { flatfield: line, scaling: 'Mean' });
    // rows y = 0, 1, 2 divided by 1, 2, 4 then times mean(F) = 7/3, truncated to uint16
    t.deepEqual(Array.from(out.data), [233, 233, 116, 116, 58, 58]);
    t.is(out.dtype, 'uint16');
    const raw = await illuminationKernel(v, whole(1), { flatfield: line, scaling: null });
    t.is(raw.dtype, 'float32');
    t.deepEqual(Array.from(raw.data), [100, 100, 50, 50, 25, 25]);
    t.is(node.outputDtype!('uint16', { flatfield: line, scaling: null }), 'float32');
    writeFileSync(line, '1\n2\n');
    await t.throwsAsync(illuminationKernel(v, whole(1), { flatfield: line }), { message: /has 2 values but the image has 3 rows/ });
    t.is(await illuminationKernel(v, whole(1), {}), v, 'no flat field: unchanged');
    // relative paths resolve against the workflow folder the engine passes in the chunk context
    writeFileSync(line, '2\n2\n2\n');
    const rel = await illuminationKernel(v, whole(1), { flatfield: 'flat.csv', scaling: null }, { inputs: {}, baseDir: dir });
    t.deepEqual(Array.from(rel.data), [50, 50, 50, 50, 50, 50]);
    // flatfield is a `format: 'path'` param: the engine resolves it and puts the file's identity in the cache key
    const { pathParamFiles } = await import('../../../engine/workflow/paths.js');
    const { fileIdentities } = await import('../../../engine/cache/keys.js');
    const [id] = fileIdentities(pathParamFiles(node.params, { flatfield: 'flat.csv' }, dir).flatfield) as { size: number }[];
    t.is(id.size, 6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('filter node: mean of a constant is the constant; sphere/disk/log kernels run through the 3D path', async (t) => {
  const { filterKernel } = await import('../../../nodes/detection/filter/kernel.js');
  const v = makeVolume(new Uint16Array(9 * 8 * 5).fill(40), [9, 8, 5]);
  for (const ftype of ['mean', 'gaussian', 'sphere', 'disk']) {
    const out = filterKernel(v, whole(5), { ftype, size: [3, 3, 3] });
    t.true(Array.from(out.data).every((x) => Math.abs(x - 40) < 1e-4), `${ftype} keeps a constant`);
  }
  const log = filterKernel(v, whole(5), { ftype: 'log', size: [5, 5, 3] });
  t.is(log.dtype, 'float32');
  t.throws(() => filterKernel(v, whole(5), { ftype: 'median' }), { message: /ftype must be one of mean, gaussian, log, dog, sphere, disk/ });
});

test('extended maxima: raising values below threshold - hMax before the h-max transform keeps exactly the same maxima', (t) => {
  const dog = filterDoG(removeBackground(stack.volume, [17, 17]), [11, 11, 7]).data;
  for (const [h, thr] of [[20, 30], [10, 40], [5, 5]]) {
    const fast = findExtendedMaxima(dog, stack.volume.shape, h, [5, 5, 5], thr);
    const plain = localMaxima(hMaxTransform(dog, stack.volume.shape, h), stack.volume.shape, [5, 5, 5]);
    for (let i = 0; i < plain.length; i++) if (plain[i] && !(dog[i] >= thr)) plain[i] = 0;
    let n = 0, differ = 0;
    for (let i = 0; i < plain.length; i++) { n += plain[i]; if (plain[i] !== fast[i]) differ++; }
    t.true(n > 50, `h ${h} threshold ${thr}: ${n} maxima`);
    t.is(differ, 0, `h ${h} threshold ${thr}`);
  }
});
