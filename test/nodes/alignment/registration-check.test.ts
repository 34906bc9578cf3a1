// Fail fast before registering: extents that disagree, a wrong axis order and a flipped axis are
// each named; matching ones give no warning. NCC is Pearson's correlation.
import test from 'ava';
import type { Shape3, Volume } from '../../../engine/data/volume.js';
import { checkExtents, normalisedCrossCorrelation, orientationScores } from '../../../nodes/alignment/lib/registration-check.js';

const atlas = { shape: [228, 160, 264] as Shape3, voxelSize: [50, 50, 50] as [number, number, number] };

test('checkExtents: agreement, a size mismatch, and a permuted axis order', (t) => {
  t.deepEqual(checkExtents({ shape: [284, 200, 331], voxelSize: [40, 40, 40] }, atlas).warnings, []);
  const big = checkExtents({ shape: [228, 160, 264], voxelSize: [80, 80, 80] }, atlas);
  t.is(big.warnings.length, 1);
  t.regex(big.warnings[0], /the extents disagree: the sample is \[18\.24, 12\.80, 21\.12\] mm, the atlas \[11\.40, 8\.00, 13\.20\] mm \(x 60%, y 60%, z 60%\)/);
  const swapped = checkExtents({ shape: [160, 228, 264], voxelSize: [50, 50, 50] }, atlas);
  t.is(swapped.warnings.length, 2);
  t.regex(swapped.warnings[0], /x -30%, y 43%/);
  t.regex(swapped.warnings[1], /orientation looks wrong: the sample's axes \(y, x, z\) would match the atlas's \(x, y, z\)/);
  t.deepEqual(swapped.ratios.map((r) => +r.toFixed(3)), [0.702, 1.425, 1]);
  // left-right and anterior-posterior differ by only 16% in a mouse brain: extents cannot tell them apart
  t.deepEqual(checkExtents({ shape: [264, 160, 228], voxelSize: [50, 50, 50] }, atlas).warnings, []);
  // within the tolerance: 20% off on one axis is accepted at 30%, not at 10%
  t.deepEqual(checkExtents({ shape: [228, 160, 264], voxelSize: [60, 50, 50] }, atlas).warnings, []);
  t.is(checkExtents({ shape: [228, 160, 264], voxelSize: [60, 50, 50] }, atlas, 0.1).warnings.length, 1);
});

test('orientationScores: a flipped sample correlates best with the flip undone; NCC is Pearson correlation', (t) => {
  const shape: Shape3 = [24, 20, 16];
  const n = shape[0] * shape[1] * shape[2];
  const data = new Float32Array(n);
  for (let z = 0; z < shape[2]; z++) for (let y = 0; y < shape[1]; y++) for (let x = 0; x < shape[0]; x++) {
    // asymmetric along y: a bright blob near y = 4 and a ramp
    data[x + shape[0] * (y + shape[1] * z)] = Math.exp(-((x - 12) ** 2 + (y - 4) ** 2 + (z - 8) ** 2) / 18) + 0.02 * y;
  }
  const flipped = new Float32Array(n);
  for (let z = 0; z < shape[2]; z++) for (let y = 0; y < shape[1]; y++) for (let x = 0; x < shape[0]; x++) {
    flipped[x + shape[0] * (y + shape[1] * z)] = data[x + shape[0] * (shape[1] - 1 - y + shape[1] * z)];
  }
  const vol = (d: Float32Array): Volume => ({ data: d, shape, dtype: 'float32', voxelSize: [1, 1, 1], origin: [0, 0, 0] });
  const same = orientationScores(vol(data), vol(data), 1);
  t.true(same.identity > 0.999);
  t.deepEqual(same.best.flip, [false, false, false]);
  const wrong = orientationScores(vol(flipped), vol(data), 1);
  t.deepEqual(wrong.best.flip, [false, true, false]);
  t.true(wrong.best.ncc > wrong.identity + 0.15, `${wrong.best.ncc} vs ${wrong.identity}`);
  t.is(+normalisedCrossCorrelation([1, 2, 3, 4], [2, 4, 6, 8]).toFixed(12), 1);
  t.is(+normalisedCrossCorrelation([1, 2, 3, NaN], [3, 2, 1, 5]).toFixed(12), -1);
  t.true(Number.isNaN(normalisedCrossCorrelation([1, 1, 1], [1, 2, 3])));
});
