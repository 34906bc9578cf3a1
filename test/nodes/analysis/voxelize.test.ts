// Voxelization: parity with a line-by-line port of ClearMap's VoxelizationCode.pyx
// (test/fixtures/analysis/voxelize.json), exact footprints, weights, points outside the grid.
import test from 'ava';
import { loadFixture } from './_helpers.js';
import { voxelize, kernelOffsets } from '../../../nodes/analysis/lib/voxelize.js';
import type { Shape3 } from '../../../engine/data/volume.js';

const fx = loadFixture('voxelize.json');

function sum(a: ArrayLike<number>): number { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]; return s; }

test('Spherical and Rectangular equal ClearMap (ported Cython) voxel for voxel, with and without weights', (t) => {
  const pts = Float64Array.from(fx.points);
  for (const c of fx.cases) {
    for (const method of ['Spherical', 'Rectangular'] as const) {
      const out = voxelize(pts, fx.shape as Shape3, { method, size: c.size, weights: c.weighted ? fx.weights : undefined });
      t.is(out instanceof Float32Array, c.weighted, `${method} ${c.size} dtype`);
      const want: number[] = c[method];
      let bad = 0;
      for (let i = 0; i < want.length; i++) if (out[i] !== want[i]) bad++;
      t.is(bad, 0, `${method} size ${c.size} weighted=${c.weighted}: ${bad} voxels differ`);
    }
    t.is(kernelOffsets('Spherical', c.size).dx.length, c.sphereOffsets, `sphere footprint size ${c.size}`);
  }
});

test('exact footprints of an isolated point: ClearMap sphere 5 = 27 voxels, 7 = 93, rectangle 5 = 64, pixel 1', (t) => {
  const shape: Shape3 = [20, 20, 20];
  const p = Float64Array.of(10.4, 10.9, 10.0);
  const s5 = voxelize(p, shape, { method: 'Spherical', size: [5, 5, 5] });
  t.is(sum(s5), 27);
  t.is(s5[10 + 20 * 10 + 400 * 10], 1);
  t.is(s5[9 + 20 * 9 + 400 * 9], 1, 'corner of the 3x3x3 ball');
  t.is(s5[12 + 20 * 10 + 400 * 10], 0, 'offset +2 is outside ClearMap\'s size-5 sphere');
  t.is(sum(voxelize(p, shape, { method: 'Spherical', size: [7, 7, 7] })), 93);
  const r5 = voxelize(p, shape, { method: 'Rectangular', size: [5, 5, 5] });
  t.is(sum(r5), 64);
  t.is(r5[8 + 20 * 10 + 400 * 10], 0, 'rectangle runs -1..+2');
  t.is(r5[12 + 20 * 10 + 400 * 10], 1);
  const px = voxelize(Float64Array.of(0, 0, 0, 19.99, 19.5, 19, 3.5, 4.5, 5.5, 3.2, 4.1, 5.9), shape, { method: 'Pixel' });
  t.is(sum(px), 4);
  t.is(px[0], 1, 'coordinate 0 is kept (ClearMap skipped it)');
  t.is(px[3 + 20 * 4 + 400 * 5], 2);
  t.true(px instanceof Int32Array);
});

test('points outside are ignored, never wrapped; partial kernels at the border are clipped', (t) => {
  const shape: Shape3 = [10, 8, 6];
  // all at least 2 voxels outside, beyond the reach (±1) of size-3 kernels
  const outside = Float64Array.of(-5, 3, 3, 3, 30, 3, 3, 3, 8.5, 12, 0, 0, -2.5, 4, 4, 4, -9, 2, NaN, 1, 1);
  for (const method of ['Spherical', 'Rectangular', 'Gaussian', 'Pixel'] as const) {
    t.is(sum(voxelize(outside, shape, { method, size: [3, 3, 3] })), 0, method);
  }
  // a point just outside can still reach in: Rectangular size 3 covers offsets 0..1 (ClearMap's range(0, 2))
  t.is(sum(voxelize(Float64Array.of(-0.01, 4, 4), shape, { method: 'Rectangular', size: [3, 3, 3] })), 4);
  // a size-5 sphere centred on voxel (0, 0, 0) keeps only the octant inside: 2 x 2 x 2 voxels
  const corner = voxelize(Float64Array.of(0.5, 0.5, 0.5), shape, { method: 'Spherical', size: [5, 5, 5] });
  t.is(sum(corner), 8);
  // centred just past the last x voxel: only the -1 offset layer (9 voxels) lands inside
  const edge = voxelize(Float64Array.of(10.2, 4, 3), shape, { method: 'Spherical', size: [5, 5, 5] });
  t.is(sum(edge), 9);
  t.is(edge[9 + 10 * 4 + 80 * 3], 1);
});

test('weights scale contributions; Gaussian is symmetric, peak 1, float32', (t) => {
  const shape: Shape3 = [15, 15, 15];
  const p = Float64Array.of(7.5, 7.5, 7.5, 7.2, 7.9, 7.0);
  const w = voxelize(p, shape, { method: 'Spherical', size: [5, 5, 5], weights: [2.5, -1] });
  t.true(w instanceof Float32Array);
  t.is(w[7 + 15 * 7 + 225 * 7], 1.5);
  t.is(sum(w), 27 * 1.5);
  const g = voxelize(Float64Array.of(7.5, 7.5, 7.5), shape, { method: 'Gaussian', size: [7, 7, 7], sigma: [1, 2, 1] });
  const at = (x: number, y: number, z: number) => g[x + 15 * y + 225 * z];
  t.is(at(7, 7, 7), 1);
  t.is(at(6, 7, 7), at(8, 7, 7));
  t.true(Math.abs(at(8, 7, 7) - Math.exp(-0.5)) < 1e-7);
  t.true(Math.abs(at(7, 9, 7) - Math.exp(-0.5)) < 1e-7, 'sigma per axis');
  t.is(at(10, 7, 7), at(4, 7, 7));
  t.true(at(10, 7, 7) > 0 && at(11, 7, 7) === 0, 'footprint radius (7-1)/2 = 3');
});

test('bad input gets clear errors', (t) => {
  t.throws(() => voxelize(Float64Array.of(1, 2), [4, 4, 4]), { message: /3 coordinates each/ });
  t.throws(() => voxelize(Float64Array.of(1, 2, 3), [4, 0, 4]), { message: /shape must be 3 positive integers/ });
  t.throws(() => voxelize(Float64Array.of(1, 2, 3), [4, 4, 4], { method: 'Cubic' as any }), { message: /method 'Cubic' not supported/ });
  t.throws(() => voxelize(Float64Array.of(1, 2, 3), [4, 4, 4], { weights: [1, 2] }), { message: /2 weights for 1 points/ });
  t.throws(() => voxelize(Float64Array.of(1, 2, 3), [4, 4, 4], { size: [0, 5, 5] }), { message: /size must be 3 numbers >= 1/ });
});
