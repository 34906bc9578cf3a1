import test from 'ava';
import { contrastLimits, greyImage, percentiles } from '../../../nodes/pictures/lib/contrast.js';
import { labelColor } from '../../../nodes/pictures/lib/colormaps.js';
import { downsample, gridShape, selectPlanes, subsample } from '../../../nodes/pictures/lib/planes.js';

// A 4×3 plane with values 0, 10, …, 110 (x fastest).
const plane = Uint16Array.from({ length: 12 }, (_, i) => 10 * i);

test('percentiles interpolate linearly between order statistics, as numpy.percentile', (t) => {
  // n = 12: rank(10 %) = 1.1 → 10 + 0.1·10 = 11; rank(90 %) = 9.9 → 90 + 0.9·10 = 99
  t.deepEqual(percentiles([plane], [10, 90]).map((v) => +v.toFixed(9)), [11, 99]);
  t.deepEqual(percentiles([plane], [0, 50, 100]), [0, 55, 110]);
  // the float path (sorting) agrees with the 16-bit path (histogram), and NaN is ignored
  const f = Float32Array.from([...plane, NaN].reverse());
  t.deepEqual(percentiles([f], [10, 90]).map((v) => +v.toFixed(9)), [11, 99]);
  // values of several planes count together
  t.deepEqual(percentiles([plane.subarray(0, 6), plane.subarray(6)], [10, 90]).map((v) => +v.toFixed(9)), [11, 99]);
  t.throws(() => percentiles([new Float32Array([NaN])], [50]), { message: /no values/ });
});

test('grey mapping of a 4×3 plane with 10–90 % contrast gives the hand-computed levels', (t) => {
  const limits = contrastLimits([plane], [10, 90]);
  const img = greyImage(plane, 4, 3, limits);
  // round(255 · (v − 11) / 88), clipped to 0..255
  const expected = [0, 0, 26, 55, 84, 113, 142, 171, 200, 229, 255, 255];
  t.deepEqual(Array.from({ length: 12 }, (_, i) => img.data[4 * i]), expected);
  for (let i = 0; i < 12; i++) {
    t.is(img.data[4 * i + 1], expected[i]);
    t.is(img.data[4 * i + 2], expected[i]);
    t.is(img.data[4 * i + 3], 255);
  }
  const inv = greyImage(plane, 4, 3, limits, true);
  t.deepEqual(Array.from({ length: 12 }, (_, i) => inv.data[4 * i]), expected.map((g) => 255 - g));
});

test('constant planes get limits [v, v + 1] as ClearMap (no division by zero)', (t) => {
  t.deepEqual(contrastLimits([new Uint8Array([7, 7, 7])], [0, 100]), [7, 8]);
  t.throws(() => contrastLimits([plane], [90, 10]), { message: /increasing/ });
});

test('plane selection, grid shape and downsampling', (t) => {
  t.deepEqual(selectPlanes([1, 8], 3, 20), { indices: [1, 4, 7], clipped: false });
  t.deepEqual(selectPlanes([0, 30], 1, 20).indices.length, 20);
  t.true(selectPlanes([0, 30], 1, 20).clipped);
  // ClearMap automatic tiling: floor(sqrt(n)) rows
  t.deepEqual(gridShape(2, null), { rows: 1, columns: 2 });
  t.deepEqual(gridShape(5, null), { rows: 2, columns: 3 });
  t.deepEqual(gridShape(9, null), { rows: 3, columns: 3 });
  t.deepEqual(gridShape(5, 2), { rows: 3, columns: 2 });
  // 5×3 plane, factor 2: 3×2 block means; edge blocks average the pixels they have
  const p = { values: Float64Array.from({ length: 15 }, (_, i) => i), width: 5, height: 3 };
  const d = downsample(p, 2);
  t.deepEqual([d.width, d.height], [3, 2]);
  t.deepEqual(Array.from(d.values), [(0 + 1 + 5 + 6) / 4, (2 + 3 + 7 + 8) / 4, (4 + 9) / 2, (10 + 11) / 2, (12 + 13) / 2, 14]);
  t.deepEqual(Array.from(subsample(p, 2).values), [0, 2, 4, 10, 12, 14]);
});

test("label colours: ClearMap's jet ends, and 'distinct' gives valid bytes that differ for neighbouring ids", (t) => {
  t.deepEqual(labelColor(1, 1, 'jet'), [255, 0, 0]);
  t.deepEqual(labelColor(1, 3, 'jet'), [0, 0, 128]);
  t.deepEqual(labelColor(2, 3, 'jet'), [125, 255, 122]); // t = 0.5 → LUT entry 128 of 255: jet(0.502) = (0.4902, 1, 0.4784)
  const seen = new Set<string>();
  for (let id = 1; id < 2000; id++) {
    const c = labelColor(id, 2000, 'distinct');
    t.true(c.every((v) => Number.isInteger(v) && v >= 0 && v <= 255), `id ${id}: ${c}`);
    seen.add(c.join());
  }
  t.true(seen.size > 300, `${seen.size} colours for 1999 ids`);
  t.deepEqual(labelColor(549, 2, 'distinct'), labelColor(549, 70000, 'distinct'), 'a region keeps its colour');
  t.notDeepEqual(labelColor(500, 0, 'distinct'), labelColor(501, 0, 'distinct'));
});
