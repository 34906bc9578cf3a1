// Registration with the real native elastix 5.0.1 (/usr/bin/elastix, Debian package `elastix`) on a
// seeded synthetic brain phantom deformed by a known map. Lean parameter files keep this fast; the
// shipped ClearMap files are exercised by tools/alignment/try-registration.ts.
import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PointsArtefact, TransformArtefact, VolumeRef } from '../../../engine/core/artefacts.js';
import { rawVolumeRef } from '../../../engine/data/raw-volume.js';
import { readRegion } from '../../../engine/data/read.js';
import type { Shape3, Volume } from '../../../engine/data/volume.js';
import { elastixNode } from '../../../nodes/alignment/elastix/node.js';
import { transformImageNode } from '../../../nodes/alignment/transform-image/node.js';
import { transformPointsNode } from '../../../nodes/alignment/transform-points/node.js';
import { findElastix, parseOutputPoints, relevantLogLines, resolveParameterFile, runProcess, shippedParameterFiles } from '../../../nodes/alignment/lib/elastix.js';
import { affineMap, makeBrainPhantom, smoothWarpMap, TEST_AFFINE, warpVolume } from '../../../tools/alignment/synthetic.js';
import { fixturePath, makeContext, tempDir, removeTempDirs } from './_helpers.js';
import { nodeParams } from '../../../engine/workflow/validate.js';

test.after.always(removeTempDirs);

const SHAPE: Shape3 = [80, 96, 64];
const CENTRE: [number, number, number] = [(SHAPE[0] - 1) / 2, (SHAPE[1] - 1) / 2, (SHAPE[2] - 1) / 2];

function saveRef(v: Volume, name: string): VolumeRef {
  const dir = tempDir('align-elx-');
  const raw = join(dir, `${name}.raw`);
  writeFileSync(raw, new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength));
  return rawVolumeRef(raw, v.shape, v.dtype, v.voxelSize);
}

/** Landmarks inside the brain (voxel centres of the fixed image). */
function landmarks(n: number): Float64Array {
  const pts: number[] = [];
  for (let i = 0; i < n; i++) pts.push(18 + ((i * 37) % 44), 18 + ((i * 53) % 60), 14 + ((i * 29) % 36));
  return Float64Array.from(pts);
}

function landmarkErrors(mapped: Float64Array, pts: Float64Array, map: (p: [number, number, number]) => [number, number, number]) {
  let max = 0, sum = 0;
  const n = pts.length / 3;
  for (let i = 0; i < n; i++) {
    const e = map([pts[3 * i], pts[3 * i + 1], pts[3 * i + 2]]);
    const d = Math.hypot(e[0] - mapped[3 * i], e[1] - mapped[3 * i + 1], e[2] - mapped[3 * i + 2]);
    max = Math.max(max, d); sum += d;
  }
  return { max, mean: sum / n };
}

function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

test('elastix finds a known affine: landmarks map back within 1 voxel; images and labels follow (transformix)', async (t) => {
  const atlas = makeBrainPhantom(SHAPE, 7);
  const map = affineMap(TEST_AFFINE.A, TEST_AFFINE.t, CENTRE);
  const sample = warpVolume(atlas, SHAPE, map); // fixed = sample, moving = atlas, T = map (ClearMap's direction)
  const fixed = saveRef(sample, 'sample'), moving = saveRef(atlas, 'atlas');
  const ctx = makeContext('elastix');
  const t0 = performance.now();
  const { transform } = await elastixNode.run({ fixed, moving }, nodeParams(elastixNode, { parameterFiles: [fixturePath('test-affine.txt')], randomSeed: 121212 }), ctx);
  const seconds = (performance.now() - t0) / 1000;
  const dir = (transform as TransformArtefact).dir;
  t.true(dir.startsWith(ctx.workDir));
  for (const f of ['TransformParameters.0.txt', 'elastix.log', 'clearmap-transform.json']) t.true(existsSync(join(dir, f)), f);
  t.regex(readFileSync(join(dir, 'parameters', '0-test-affine.txt'), 'utf8'), /\(RandomSeed 121212\)/);

  const pts = landmarks(60);
  const ptsCtx = makeContext('transform-points');
  const out = (await transformPointsNode.run({ points: { kind: 'points', points: { coords: pts, properties: {} } }, transform }, nodeParams(transformPointsNode, {}), ptsCtx)).output as PointsArtefact;
  const err = landmarkErrors(out.points.coords, pts, map);
  t.log(`affine 80x96x64: elastix ${seconds.toFixed(1)} s, landmark error mean ${err.mean.toFixed(3)} max ${err.max.toFixed(3)} voxels`);
  t.true(err.max < 1, `max landmark error ${err.max}`);

  // the atlas image carried onto the fixed grid matches the sample
  const imgCtx = makeContext('transform-image');
  const moved = await readRegion((await transformImageNode.run({ image: moving, transform }, nodeParams(transformImageNode, {}), imgCtx)).output as VolumeRef);
  t.deepEqual(moved.shape, SHAPE);
  t.is(moved.dtype, 'float32');
  const before = meanAbsDiff(atlas.data, sample.data), after = meanAbsDiff(moved.data, sample.data);
  t.log(`mean |image - sample|: atlas ${before.toFixed(4)}, transformed atlas ${after.toFixed(4)}`);
  t.true(after < before / 5, `MAD ${before} -> ${after}`);

  // labels: order-0 interpolation keeps label values and matches the labels warped by the known map
  const labels = new Uint16Array(atlas.data.length);
  for (let i = 0; i < labels.length; i++) labels[i] = atlas.data[i] > 0.05 ? 1 + Math.min(5, Math.floor(atlas.data[i] * 6)) : 0;
  const labelRef = saveRef({ data: labels, shape: SHAPE, dtype: 'uint16', voxelSize: [1, 1, 1], origin: [0, 0, 0] }, 'labels');
  const movedLabels = await readRegion((await transformImageNode.run({ image: labelRef, transform }, nodeParams(transformImageNode, { interpolationOrder: 0 }), makeContext('labels'))).output as VolumeRef);
  t.is(movedLabels.dtype, 'uint16');
  const values = new Set(labels);
  let agree = 0;
  let k = 0;
  for (let z = 0; z < SHAPE[2]; z++) for (let y = 0; y < SHAPE[1]; y++) for (let x = 0; x < SHAPE[0]; x++, k++) {
    t.true(values.has(movedLabels.data[k]) || (() => { throw new Error(`interpolated label ${movedLabels.data[k]}`); })());
    const q = map([x, y, z]).map(Math.round);
    const inside = q.every((c, i) => c >= 0 && c < SHAPE[i]);
    const want = inside ? labels[q[0] + SHAPE[0] * (q[1] + SHAPE[1] * q[2])] : 0;
    if (want === movedLabels.data[k]) agree++;
  }
  t.log(`labels agreeing with the known warp: ${(100 * agree / labels.length).toFixed(2)} %`);
  t.true(agree / labels.length > 0.97);

  // points and images use the same transform in opposite directions: the atlas label at T(p) equals
  // the label the transformed label image shows at p (how ClearMap assigns cells to regions)
  const cells = landmarks(300);
  const inAtlas = (await transformPointsNode.run({ points: { kind: 'points', points: { coords: cells, properties: {} } }, transform }, nodeParams(transformPointsNode, {}), makeContext('cells'))).output as PointsArtefact;
  let same = 0;
  for (let i = 0; i < 300; i++) {
    const q = [0, 1, 2].map((a) => Math.round(inAtlas.points.coords[3 * i + a]));
    const atlasLabel = labels[q[0] + SHAPE[0] * (q[1] + SHAPE[1] * q[2])];
    const sampleLabel = movedLabels.data[cells[3 * i] + SHAPE[0] * (cells[3 * i + 1] + SHAPE[1] * cells[3 * i + 2])];
    if (atlasLabel === sampleLabel) same++;
  }
  t.log(`cells whose atlas label (via transform-points) equals the transformed label image: ${same}/300`);
  t.true(same >= 297, `${same}/300`);
});

test('elastix affine + B-spline recovers a smooth warp: landmarks within 2 voxels', async (t) => {
  const atlas = makeBrainPhantom(SHAPE, 11);
  const map = smoothWarpMap(SHAPE, 2.5);
  const sample = warpVolume(atlas, SHAPE, map);
  const ctx = makeContext('elastix-warp');
  const t0 = performance.now();
  const { transform } = await elastixNode.run({ fixed: saveRef(sample, 'sample'), moving: saveRef(atlas, 'atlas') },
    nodeParams(elastixNode, { parameterFiles: [fixturePath('test-affine.txt'), fixturePath('test-bspline.txt')] }), ctx);
  const seconds = (performance.now() - t0) / 1000;
  t.true(existsSync(join((transform as TransformArtefact).dir, 'TransformParameters.1.txt')));
  const pts = landmarks(80);
  const out = (await transformPointsNode.run({ points: { kind: 'points', points: { coords: pts, properties: {} } }, transform }, nodeParams(transformPointsNode, {}), makeContext('tp'))).output as PointsArtefact;
  const err = landmarkErrors(out.points.coords, pts, map);
  const identity = landmarkErrors(pts, pts, map);
  t.log(`warp 80x96x64 (amplitude 2.5): elastix ${seconds.toFixed(1)} s, landmark error mean ${err.mean.toFixed(3)} max ${err.max.toFixed(3)} voxels (unregistered: mean ${identity.mean.toFixed(2)} max ${identity.max.toFixed(2)})`);
  t.true(err.max < 2, `max landmark error ${err.max}`);
  t.true(err.mean < identity.mean / 2);
});

test('bad inputs give clear errors naming the param, file, or quoting elastix.log', async (t) => {
  const small = makeBrainPhantom([8, 8, 8], 3);
  const big = makeBrainPhantom(SHAPE, 5);
  const fixed = saveRef(big, 'big'), tiny = saveRef(small, 'tiny');
  const ctx = makeContext('errors');
  // missing parameter file
  let e = await t.throwsAsync(elastixNode.run({ fixed, moving: fixed }, nodeParams(elastixNode, { parameterFiles: ['Par0000affine', 'no/such/params.txt'] }), ctx));
  t.regex(e!.message, /^parameterFiles\[1\]: elastix parameter file 'no\/such\/params.txt' not found .*shipped files: Par0000affine.txt, Par0000bspline.txt/);
  // a 2-d parameter file for 3-d volumes
  const p2 = join(ctx.workDir, 'two-d.txt');
  writeFileSync(p2, readFileSync(fixturePath('test-affine.txt'), 'utf8').replace('(FixedImageDimension 3)', '(FixedImageDimension 2)'));
  e = await t.throwsAsync(elastixNode.run({ fixed, moving: fixed }, nodeParams(elastixNode, { parameterFiles: [p2] }), ctx));
  t.regex(e!.message, /^parameterFiles\[0\]: .*two-d.txt sets \(FixedImageDimension 2\) but the volumes are 3-d/);
  // elastix itself fails: the moving image is far too small, samples map outside it
  e = await t.throwsAsync(elastixNode.run({ fixed, moving: tiny }, nodeParams(elastixNode, { parameterFiles: [fixturePath('test-affine.txt')] }), makeContext('fail')));
  t.regex(e!.message, /^elastix \(test-affine.txt\) exited with code \d+; .*elastix.log says:/s);
  t.regex(e!.message, /Too many samples map outside moving image buffer/);
  // transform-image with an image of another size than the registration's moving image
  const small8 = translationTransform([0, 0, 0], [8, 8, 8]);
  e = await t.throwsAsync(transformImageNode.run({ image: fixed, transform: small8 }, nodeParams(transformImageNode, {}), makeContext('mismatch')));
  t.regex(e!.message, /^transform-image: input 'image' is \[80,96,64\] but the registration's moving image was \[8,8,8\]/);
  // a transform directory without TransformParameters files
  e = await t.throwsAsync(transformPointsNode.run({ points: { kind: 'points', points: { coords: Float64Array.from([1, 2, 3]), properties: {} } }, transform: { kind: 'transform', dir: ctx.workDir } }, nodeParams(transformPointsNode, {}), ctx));
  t.regex(e!.message, /holds no TransformParameters\.N\.txt/);
  // shipped parameter files resolve by name, with or without .txt
  t.deepEqual(shippedParameterFiles(), ['Par0000affine.txt', 'Par0000bspline.txt']);
  t.regex(resolveParameterFile('Par0000bspline', '/', 'parameterFiles[0]'), /nodes\/alignment\/lib\/elastix-params\/Par0000bspline.txt$/);
  t.is(findElastix({ ELASTIX_PATH: '/nonexistent', PATH: '' }).elastix, '/usr/bin/elastix');
});

test('elastix runs are reproducible: the same inputs give identical TransformParameters (fixed RandomSeed, 2 threads)', async (t) => {
  const shape: Shape3 = [48, 56, 40];
  const atlas = makeBrainPhantom(shape, 3);
  const sample = warpVolume(atlas, shape, affineMap(TEST_AFFINE.A, TEST_AFFINE.t, [23.5, 27.5, 19.5]));
  const fixed = saveRef(sample, 'sample'), moving = saveRef(atlas, 'atlas');
  const runs = await Promise.all([1, 2].map(async (i) => {
    const { transform } = await elastixNode.run({ fixed, moving }, nodeParams(elastixNode, { parameterFiles: [fixturePath('test-affine.txt')] }), makeContext(`repeat${i}`));
    const text = readFileSync(join((transform as TransformArtefact).dir, 'TransformParameters.0.txt'), 'utf8');
    return /\(TransformParameters ([^)]*)\)/.exec(text)![1];
  }));
  t.is(runs[0], runs[1]);
  t.is(runs[0].split(' ').length, 12);
});

/** A hand-written elastix result directory holding a pure translation p -> p + shift. */
function translationTransform(shift: [number, number, number], shape: Shape3): TransformArtefact {
  const dir = tempDir('align-translation-');
  writeFileSync(join(dir, 'TransformParameters.0.txt'), [
    '(Transform "TranslationTransform")', '(NumberOfParameters 3)', `(TransformParameters ${shift.join(' ')})`,
    '(InitialTransformParametersFileName "NoInitialTransform")', '(HowToCombineTransforms "Compose")',
    '(FixedImageDimension 3)', '(MovingImageDimension 3)', '(FixedInternalImagePixelType "float")', '(MovingInternalImagePixelType "float")',
    `(Size ${shape.join(' ')})`, '(Index 0 0 0)', '(Spacing 1 1 1)', '(Origin 0 0 0)', '(Direction 1 0 0 0 1 0 0 0 1)', '(UseDirectionCosines "true")',
    '(ResampleInterpolator "FinalBSplineInterpolator")', '(FinalBSplineInterpolationOrder 3)', '(Resampler "DefaultResampler")',
    '(DefaultPixelValue 0)', '(ResultImageFormat "mhd")', '(ResultImagePixelType "float")', '(CompressResultImage "false")', '',
  ].join('\n'));
  writeFileSync(join(dir, 'clearmap-transform.json'), JSON.stringify({ fixed: { shape, voxelSize: [1, 1, 1], describe: 'fixed' }, moving: { shape, voxelSize: [1, 1, 1], describe: 'moving' }, parameterFiles: [] }));
  return { kind: 'transform', dir };
}

test('transformix maps points p -> T(p) with sub-voxel precision (a known translation), and images by T^-1', async (t) => {
  const shift: [number, number, number] = [1.5, -2, 0.25];
  const transform = translationTransform(shift, [10, 12, 14]);
  const coords = Float64Array.from([0, 0, 0, 3.3, 4.6, 5.9, 9, 11, 13]);
  const out = (await transformPointsNode.run({ points: { kind: 'points', points: { coords, properties: { raw: Float64Array.from([7, 8, 9]) } } }, transform }, nodeParams(transformPointsNode, {}), makeContext('shift'))).output as PointsArtefact;
  t.true(Array.from(out.points.coords).every((v, i) => Math.abs(v - (coords[i] + shift[i % 3])) < 1e-5), `${Array.from(out.points.coords)}`);
  t.deepEqual(Array.from(out.points.properties.raw), [7, 8, 9]);
  // ClearMap's 'index' point files: transformix rounds each input point to a whole voxel first
  const asIdx = (await transformPointsNode.run({ points: { kind: 'points', points: { coords, properties: {} } }, transform }, nodeParams(transformPointsNode, { indices: true }), makeContext('shift-idx'))).output as PointsArtefact;
  t.true(Array.from(asIdx.points.coords).every((v, i) => Math.abs(v - (Math.round(coords[i]) + shift[i % 3])) < 1e-5), `${Array.from(asIdx.points.coords)}`);
  // an image moves the other way: result(p) = image(p + shift); integer x-shift, nearest interpolation
  const img = new Uint16Array(10 * 12 * 14).map((_, i) => i % 10);
  const ref = saveRef({ data: img, shape: [10, 12, 14], dtype: 'uint16', voxelSize: [1, 1, 1], origin: [0, 0, 0] }, 'ramp');
  const moved = await readRegion((await transformImageNode.run({ image: ref, transform: translationTransform([2, 0, 0], [10, 12, 14]) }, nodeParams(transformImageNode, { interpolationOrder: 0 }), makeContext('img'))).output as VolumeRef);
  t.deepEqual(Array.from(moved.data.slice(0, 10)), [2, 3, 4, 5, 6, 7, 8, 9, 0, 0]);
  // cubic interpolation of a uint16 step overshoots: values are clamped to 0..65535, never wrapped
  const step = new Uint16Array(10 * 12 * 14).map((_, i) => (i % 10 < 5 ? 0 : 60000));
  const stepRef = saveRef({ data: step, shape: [10, 12, 14], dtype: 'uint16', voxelSize: [1, 1, 1], origin: [0, 0, 0] }, 'step');
  const cubic = await readRegion((await transformImageNode.run({ image: stepRef, transform: translationTransform([0.5, 0, 0], [10, 12, 14]) }, nodeParams(transformImageNode, { interpolationOrder: 3 }), makeContext('cubic'))).output as VolumeRef);
  const row = Array.from(cubic.data.slice(10 * 12 * 7 + 10 * 6, 10 * 12 * 7 + 10 * 6 + 10));
  t.is(row[1], 0, `undershoot clamped: ${row}`);
  t.is(row[5], 65535, `overshoot clamped: ${row}`);
  t.is(row[4], 30000);
});

test('a cancelled run (the node abort signal) stops the process and says so', async (t) => {
  const ac = new AbortController();
  // a sleep far longer than ava's timeout: if cancelling did not stop it, the test times out and fails
  const run = runProcess('/bin/sleep', ['3600'], { signal: ac.signal });
  setTimeout(() => ac.abort(), 100);
  const e = await t.throwsAsync(run);
  t.is(e!.message, '/bin/sleep was cancelled');
});

test('transformix output parsing and log quoting', (t) => {
  const line = 'Point\t0\t; InputIndex = [ 20 20 16 ]\t; InputPoint = [ 20.000000 20.000000 16.000000 ]\t; OutputIndexFixed = [ 25 17 16 ]\t; OutputPoint = [ 24.755101 17.024759 16.188378 ]\t; Deformation = [ 4.755101 -2.975241 0.188378 ]';
  t.deepEqual(Array.from(parseOutputPoints(line + '\n', 1, 'outputpoints.txt')), [24.755101, 17.024759, 16.188378]);
  t.throws(() => parseOutputPoints(line + '\n', 2, 'outputpoints.txt'), { message: /1 output points for 2 input points/ });
  const lines = relevantLogLines('a\nb\nDescription: ITK ERROR: Too many samples map outside moving image buffer: 64 / 61440\nc\nErrors occurred!\n');
  t.deepEqual(lines, ['Description: ITK ERROR: Too many samples map outside moving image buffer: 64 / 61440', 'Errors occurred!']);
});
