import test from 'ava';
import type { Shape3, Volume } from '../../../engine/data/volume.js';
import { makeVolume } from '../../../engine/data/volume.js';
import { inverseOrientation, orientVolume, parseOrientation, type OrientationTuple } from '../../../nodes/alignment/lib/orientation.js';
import { axisTaps, resampleGeometry, resampleStreaming, resampleVolume, tapInputs } from '../../../nodes/alignment/lib/resample.js';
import { loadFixture, maxAbsDiff } from './_helpers.js';

interface ScipyCase {
  name: string; orientation: OrientationTuple; interpolation: 'linear' | 'nearest';
  sourceShape: Shape3; sourceResolution: number[]; sinkResolution: number[]; sinkShape: Shape3;
  source: number[]; expected: number[];
}

test('resampling equals scipy.ndimage.zoom(grid_mode=True) + ClearMap reorientation for every orientation class', (t) => {
  const fx = loadFixture<{ cases: ScipyCase[] }>('resample-scipy.json');
  t.true(fx.cases.length >= 16);
  for (const c of fx.cases) {
    const g = resampleGeometry({ sourceShape: c.sourceShape, sourceResolution: c.sourceResolution, sinkResolution: c.sinkResolution, orientation: parseOrientation(c.orientation) });
    t.deepEqual(g.sinkShape, c.sinkShape, `${c.name}: sink shape`);
    const v = makeVolume(Float64Array.from(c.source), c.sourceShape);
    const r = resampleVolume(v, g, c.interpolation);
    t.deepEqual(r.shape, c.sinkShape, `${c.name}: result shape`);
    t.true(maxAbsDiff(r.data, c.expected) < 1e-6, `${c.name}: max |ours - scipy| = ${maxAbsDiff(r.data, c.expected)}`);
  }
});

test('uint16 linear resampling: hand-computed cv2 values, half-to-even rounding, and two rounding passes as ClearMap', (t) => {
  const id = parseOrientation([1, 2, 3]);
  // 4 -> 8 along x: src = (d + 0.5) / 2 - 0.5, clamped at both ends
  let v = makeVolume(Uint16Array.from([0, 100, 200, 300]), [4, 1, 1]);
  let r = resampleVolume(v, resampleGeometry({ sourceShape: [4, 1, 1], sourceResolution: [2, 1, 1], sinkResolution: [1, 1, 1], orientation: id }), 'linear');
  t.deepEqual(Array.from(r.data), [0, 25, 75, 125, 175, 225, 275, 300]);
  // 2 -> 1: the mean; 1.5 rounds to 2 and 2.5 rounds to 2 (cv2's cvRound is half-to-even)
  for (const [a, b, want] of [[1, 2, 2], [2, 3, 2], [3, 4, 4], [0, 1, 0]]) {
    v = makeVolume(Uint16Array.from([a, b]), [2, 1, 1]);
    r = resampleVolume(v, resampleGeometry({ sourceShape: [2, 1, 1], sourceResolution: [1, 1, 1], sinkShape: [1, 1, 1], orientation: id }), 'linear');
    t.is(r.data[0], want, `mean of ${a}, ${b}`);
  }
  // x,y pass stored as uint16, then z: plane 0 [1,2] -> 2, plane 1 [3,4] -> 4 (half-even), z -> 3.
  // A single trilinear pass would give 2.5 -> 2; ClearMap's two cv2.resize calls give 3.
  v = makeVolume(Uint16Array.from([1, 2, 3, 4]), [2, 1, 2]);
  r = resampleVolume(v, resampleGeometry({ sourceShape: [2, 1, 2], sourceResolution: [1, 1, 1], sinkShape: [1, 1, 1], orientation: id }), 'linear');
  t.is(r.data[0], 3);
});

test('sink sizes follow ClearMap resampleDataSize (ceil of size * resolution ratio, in oriented axes)', (t) => {
  // ClearMap Resampling._test: (100, 200, 303) at 1 µm -> 5 µm
  let g = resampleGeometry({ sourceShape: [100, 200, 303], sourceResolution: [1, 1, 1], sinkResolution: [5, 5, 5], orientation: parseOrientation([1, 2, 3]) });
  t.deepEqual(g.sinkShape, [20, 40, 61]);
  t.deepEqual(g.sinkResolution.map((x) => +x.toFixed(6)), [5, 5, +(303 / 61).toFixed(6)]);
  // oriented: result axes are (z, x, y) of the source
  g = resampleGeometry({ sourceShape: [100, 200, 303], sourceResolution: [1, 2, 3], sinkResolution: [10, 10, 10], orientation: parseOrientation([3, -1, 2]) });
  t.deepEqual(g.sinkShape, [91, 10, 40]);
  t.deepEqual(g.sinkShapeInSourceAxes, [10, 40, 91]);
  // the real stack of this project: 667 x 510 x 30 at 2 x 2 x 5 µm to 25 µm
  g = resampleGeometry({ sourceShape: [667, 510, 30], sourceResolution: [2, 2, 5], sinkResolution: [25, 25, 25], orientation: parseOrientation(null) });
  t.deepEqual(g.sinkShape, [54, 41, 6]);
  // floating-point noise does not add a voxel
  g = resampleGeometry({ sourceShape: [100, 10, 10], sourceResolution: [0.3, 1, 1], sinkResolution: [0.1, 1, 1], orientation: parseOrientation(null) });
  t.is(g.sinkShape[0], 300);
});

test('orientation: bad tuples are rejected with a message naming the param', (t) => {
  for (const bad of [[1, 1, 3], [0, 2, 3], [1, 2], [1.5, 2, 3], [4, 2, 3], [1, 2, 3, 4], 'Up', 3, { x: 1 }]) {
    const e = t.throws(() => parseOrientation(bad, 'orientation'));
    t.regex(e!.message, /^orientation: /, JSON.stringify(bad));
    t.regex(e!.message, /signed permutation|appears twice|±1/, JSON.stringify(bad));
  }
  t.deepEqual(parseOrientation('Right').tuple, [-1, 2, 3]);
  t.deepEqual(parseOrientation(undefined).tuple, [1, 2, 3]);
  const e = t.throws(() => resampleGeometry({ sourceShape: [4, 4, 4], sourceResolution: [1, -1, 1], sinkResolution: [1, 1, 1], orientation: parseOrientation(null) }));
  t.regex(e!.message, /^sourceResolution: expected three positive numbers/);
  const e2 = t.throws(() => resampleGeometry({ sourceShape: [4, 4, 4], sourceResolution: [1, 1, 1], orientation: parseOrientation(null) }));
  t.regex(e2!.message, /sinkResolution .* or sinkShape/);
});

function allOrientations(): OrientationTuple[] {
  const perms = [[1, 2, 3], [1, 3, 2], [2, 1, 3], [2, 3, 1], [3, 1, 2], [3, 2, 1]];
  const out: OrientationTuple[] = [];
  for (const p of perms) for (let s = 0; s < 8; s++) out.push(p.map((a, i) => ((s >> i) & 1 ? -a : a)) as OrientationTuple);
  return out;
}

test('orientVolume is numpy transpose(permutation) then reversal, and the inverse orientation undoes it (all 48)', (t) => {
  const shape: Shape3 = [3, 4, 5];
  const v = makeVolume(Float64Array.from({ length: 60 }, (_, i) => i), shape);
  for (const tuple of allOrientations()) {
    const o = parseOrientation(tuple);
    const r = orientVolume(v, o);
    // definition, index by index
    let ok = true;
    for (let z = 0; z < r.shape[2] && ok; z++) for (let y = 0; y < r.shape[1] && ok; y++) for (let x = 0; x < r.shape[0]; x++) {
      const out = [x, y, z];
      const src = [0, 0, 0];
      for (let i = 0; i < 3; i++) {
        const a = o.permutation[i];
        src[a] = o.flip[i] ? shape[a] - 1 - out[i] : out[i];
      }
      if (r.data[x + r.shape[0] * (y + r.shape[1] * z)] !== v.data[src[0] + 3 * (src[1] + 4 * src[2])]) { ok = false; break; }
    }
    t.true(ok, `orientation ${tuple}`);
    const back = orientVolume(r, inverseOrientation(o));
    t.deepEqual(back.shape, shape);
    t.deepEqual(Array.from(back.data), Array.from(v.data), `inverse of ${tuple}`);
  }
});

test('streaming resampling (reading only the needed planes, slab by slab) equals whole-volume resampling', async (t) => {
  const shape: Shape3 = [37, 29, 41];
  const data = new Uint16Array(37 * 29 * 41);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 4001 + (i % 37) * 11;
  const v: Volume = makeVolume(data, shape, { voxelSize: [2, 2, 5] });
  for (const [tuple, interp] of [[[1, 2, 3], 'linear'], [[-3, 1, 2], 'linear'], [[2, -1, -3], 'nearest']] as const) {
    const g = resampleGeometry({ sourceShape: shape, sourceResolution: [2, 2, 5], sinkResolution: [7, 3, 11], orientation: parseOrientation(tuple) });
    const whole = resampleVolume(v, g, interp);
    const reads: [number, number][] = [];
    const streamed = await resampleStreaming(async ([z0, z1]) => {
      reads.push([z0, z1]);
      return { ...v, data: v.data.slice(z0 * 37 * 29, z1 * 37 * 29), shape: [37, 29, z1 - z0], origin: [0, 0, z0] };
    }, g, 'uint16', interp, { slabPlanes: 4 });
    t.deepEqual(streamed.shape, whole.shape);
    t.deepEqual(Array.from(streamed.data), Array.from(whole.data), `${tuple} ${interp}`);
    const readPlanes = reads.reduce((s, [a, b]) => s + b - a, 0);
    const needed = tapInputs(axisTaps(41, g.sinkShapeInSourceAxes[2], interp));
    t.is(readPlanes, needed.length, 'each needed plane is read once');
    t.true(reads.every(([a, b]) => b - a <= 4));
  }
});

test('axis taps: which input planes an output z-range needs', (t) => {
  const tz = axisTaps(30, 6, 'linear'); // 5 µm -> 25 µm: src = (d + 0.5) * 5 - 0.5
  t.deepEqual(tapInputs(tz), [2, 7, 12, 17, 22, 27]); // exactly on planes: weights 0, one plane each
  t.deepEqual(tapInputs(tz, [2, 4]), [12, 17]);
  const tz2 = axisTaps(30, 4, 'linear'); // src = (d + 0.5) * 7.5 - 0.5 = 3.25, 10.75, ...
  t.deepEqual(tapInputs(tz2), [3, 4, 10, 11, 18, 19, 25, 26]);
  const up = axisTaps(3, 6, 'nearest');
  t.deepEqual(Array.from(up.i0), [0, 0, 1, 1, 2, 2]);
  // 6 -> 4: centre-aligned floor((d + 0.5) * 1.5) vs cv2.INTER_NEAREST floor(d * 1.5)
  t.deepEqual(Array.from(axisTaps(6, 4, 'nearest').i0), [0, 2, 3, 5]);
  t.deepEqual(Array.from(axisTaps(6, 4, 'nearest-cv2').i0), [0, 1, 3, 4]);
  t.deepEqual(Array.from(axisTaps(3, 7, 'nearest-cv2').i0), [0, 0, 0, 1, 1, 2, 2]);
});
