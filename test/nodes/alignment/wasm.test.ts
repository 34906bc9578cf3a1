// The zero-install path: WebAssembly elastix for registration and the TypeScript evaluation of elastix
// transforms for points, checked against native elastix/transformix on the same data.
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PointsArtefact, TransformArtefact, VolumeRef } from '../../../engine/core/artefacts.js';
import { rawVolumeRef } from '../../../engine/data/raw-volume.js';
import type { Shape3, Volume } from '../../../engine/data/volume.js';
import { elastixNode } from '../../../nodes/alignment/elastix/node.js';
import { transformPointsNode } from '../../../nodes/alignment/transform-points/node.js';
import { affineMap, makeBrainPhantom, smoothWarpMap, TEST_AFFINE, warpVolume } from '../../../tools/alignment/synthetic.js';
import { fixturePath, makeContext, tempDir, removeTempDirs } from './_helpers.js';
import { nodeParams } from '../../../engine/workflow/validate.js';

test.after.always(removeTempDirs);

const SHAPE: Shape3 = [80, 96, 64];
const CENTRE: [number, number, number] = [(SHAPE[0] - 1) / 2, (SHAPE[1] - 1) / 2, (SHAPE[2] - 1) / 2];

function saveRef(v: Volume, name: string): VolumeRef {
  const raw = join(tempDir('wasm-elx-'), `${name}.raw`);
  writeFileSync(raw, new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength));
  return rawVolumeRef(raw, v.shape, v.dtype, v.voxelSize);
}

function landmarks(n: number): Float64Array {
  const pts: number[] = [];
  for (let i = 0; i < n; i++) pts.push(18 + ((i * 37) % 44) + 0.3, 18 + ((i * 53) % 60) + 0.6, 14 + ((i * 29) % 36) + 0.1);
  return Float64Array.from(pts);
}

async function mapPoints(transform: TransformArtefact, pts: Float64Array, backend: string): Promise<Float64Array> {
  const r = await transformPointsNode.run({ points: { kind: 'points', points: { coords: pts, properties: {} } }, transform }, nodeParams(transformPointsNode, { backend }), makeContext(`tp-${backend}`));
  return (r.output as PointsArtefact).points.coords;
}

function maxDistance(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i += 3) m = Math.max(m, Math.hypot(a[i] - b[i], a[i + 1] - b[i + 1], a[i + 2] - b[i + 2]));
  return m;
}

test('the built-in point transformer equals native transformix on an affine + B-spline result', async (t) => {
  const atlas = makeBrainPhantom(SHAPE, 11);
  const sample = warpVolume(atlas, SHAPE, smoothWarpMap(SHAPE, 2.5));
  const { transform } = await elastixNode.run({ fixed: saveRef(sample, 'sample'), moving: saveRef(atlas, 'atlas') },
    nodeParams(elastixNode, { parameterFiles: [fixturePath('test-affine.txt'), fixturePath('test-bspline.txt')], backend: 'native' }), makeContext('elastix-native'));
  const pts = landmarks(200);
  const native = await mapPoints(transform as TransformArtefact, pts, 'native');
  const ours = await mapPoints(transform as TransformArtefact, pts, 'wasm');
  const d = maxDistance(native, ours);
  t.log(`max |transformix - built-in| = ${d.toExponential(2)} voxels over 200 points`);
  t.true(d < 1e-4, `${d}`);
  t.true(maxDistance(native, pts) > 0.5, 'the transform is not the identity');
});

test('WebAssembly elastix recovers the known affine offline, within 1 voxel of truth and of native elastix', async (t) => {
  const atlas = makeBrainPhantom(SHAPE, 7);
  const map = affineMap(TEST_AFFINE.A, TEST_AFFINE.t, CENTRE);
  const fixed = saveRef(warpVolume(atlas, SHAPE, map), 'sample'), moving = saveRef(atlas, 'atlas');
  const params = { parameterFiles: [fixturePath('test-affine.txt')], randomSeed: 121212 };
  const wasmCtx = makeContext('elastix-wasm');
  const t0 = performance.now();
  const wasm = (await elastixNode.run({ fixed, moving }, nodeParams(elastixNode, { ...params, backend: 'wasm' }), wasmCtx)).transform as TransformArtefact;
  const wasmSeconds = (performance.now() - t0) / 1000;
  t.true(wasmCtx.logs.some((l) => /wasm/.test(l)), 'the choice is logged');
  const t1 = performance.now();
  const native = (await elastixNode.run({ fixed, moving }, nodeParams(elastixNode, { ...params, backend: 'native' }), makeContext('elastix-native2'))).transform as TransformArtefact;
  const nativeSeconds = (performance.now() - t1) / 1000;
  const pts = landmarks(60);
  const viaWasm = await mapPoints(wasm, pts, 'wasm');
  const viaNative = await mapPoints(native, pts, 'native');
  const truth = new Float64Array(pts.length);
  for (let i = 0; i < pts.length; i += 3) truth.set(map([pts[i], pts[i + 1], pts[i + 2]]), i);
  t.log(`affine 80x96x64: wasm ${wasmSeconds.toFixed(1)} s, native ${nativeSeconds.toFixed(1)} s; max error wasm ${maxDistance(viaWasm, truth).toFixed(3)}, native ${maxDistance(viaNative, truth).toFixed(3)}, wasm vs native ${maxDistance(viaWasm, viaNative).toFixed(3)} voxels`);
  t.true(maxDistance(viaWasm, truth) < 1);
  t.true(maxDistance(viaWasm, viaNative) < 1);
});
