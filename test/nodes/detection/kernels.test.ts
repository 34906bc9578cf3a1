// Detection kernels on hand-checkable volumes and against small scipy/skimage fixtures
// (tools/detection/make-fixtures.py -> test/fixtures/detection/kernels.json).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeVolume, type Shape3 } from '../../../engine/data/volume.js';
import { correlate3d } from '../../../lib/kernels/correlate.js';
import { dogSigmas, filterKernel3d, gaussian1d } from '../../../lib/kernels/filter-kernel.js';
import { labelComponents } from '../../../lib/kernels/label.js';
import { localMaxima, regionalMaxima } from '../../../lib/kernels/maxima.js';
import { centresOfMass, labelSizes } from '../../../lib/kernels/measure.js';
import { diskElement, morphPlane, openPlane } from '../../../lib/kernels/morphology2d.js';
import { hMaxTransform, reconstructByDilation, reconstructionRise26 } from '../../../lib/kernels/reconstruction.js';
import { runningExtremum } from '../../../lib/kernels/running-extrema.js';
import { seededWatershed } from '../../../lib/kernels/watershed.js';
import { removeBackground } from '../../../nodes/detection/lib/background.js';
import { filterDoG, filterLinear } from '../../../nodes/detection/lib/filters.js';
import { rng } from '../../../tools/detection/synthetic-nuclei.js';

const fixturePath = fileURLToPath(new URL('../../../../test/fixtures/detection/kernels.json', import.meta.url));
const fx = JSON.parse(readFileSync(fixturePath, 'utf8'));

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

test('running min/max equals a direct window scan, windows clipped at the ends', (t) => {
  const r = rng(3);
  for (const n of [1, 5, 17, 64]) for (const L of [1, 2, 3, 7, 20]) {
    const line = Float64Array.from({ length: n }, () => Math.round(r() * 100));
    const out = new Float64Array(n + L - 1), work = new Float64Array(2 * (n + 3 * L));
    for (const isMin of [true, false]) {
      runningExtremum(line, 0, n, L, isMin, out, work);
      for (let s = -(L - 1); s < n; s++) {
        let e = isMin ? Infinity : -Infinity;
        for (let i = Math.max(0, s); i <= Math.min(n - 1, s + L - 1); i++) e = isMin ? Math.min(e, line[i]) : Math.max(e, line[i]);
        if (out[s + L - 1] !== e) { t.fail(`n=${n} L=${L} s=${s} ${isMin ? 'min' : 'max'}: ${out[s + L - 1]} != ${e}`); return; }
      }
    }
  }
  t.pass();
});

test("disk structuring elements are ClearMap's structureElement('Disk', size)", (t) => {
  for (const [key, [sx, sy]] of [['7x7', [7, 7]], ['6x4', [6, 4]], ['5x9', [5, 9]], ['2x2', [2, 2]]] as const) {
    const se = diskElement(sx, sy);
    // fixture is (x, y) flattened x fastest, our mask is [j * sx + i] with i along x: same order
    t.deepEqual(Array.from(se.mask), fx.disk2d[key], `disk ${key}`);
  }
  t.deepEqual(Array.from(diskElement(7, 7).mask.subarray(0, 7)), [0, 0, 0, 1, 0, 0, 0]);
  t.throws(() => diskElement(1, 7), { message: /size must be two integers >= 2/ });
});

test('grey erosion / dilation by chords equal a brute-force min/max over the element (OpenCV placement, outside ignored)', (t) => {
  const r = rng(11);
  const X = 23, Y = 17;
  const img = Float64Array.from({ length: X * Y }, () => Math.round(r() * 1000));
  for (const [sx, sy] of [[3, 3], [7, 7], [6, 4], [5, 9], [21, 21]]) {
    const se = diskElement(sx, sy);
    for (const isMin of [true, false]) {
      const out = new Float64Array(X * Y);
      morphPlane(img, 0, X, Y, se, isMin, out);
      let worst = 0;
      for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) {
        let e = isMin ? Infinity : -Infinity;
        for (let j = 0; j < sy; j++) for (let i = 0; i < sx; i++) {
          if (!se.mask[j * sx + i]) continue;
          const a = x + i - (sx >> 1), b = y + j - (sy >> 1);
          if (a < 0 || a >= X || b < 0 || b >= Y) continue;
          e = isMin ? Math.min(e, img[b * X + a]) : Math.max(e, img[b * X + a]);
        }
        worst = Math.max(worst, Math.abs(out[y * X + x] - e));
      }
      t.is(worst, 0, `${isMin ? 'erosion' : 'dilation'} ${sx}x${sy}`);
    }
  }
});

test('opening removes a bright ellipse narrower than the disk and keeps one wider than it', (t) => {
  const X = 60, Y = 40;
  const plane = new Float64Array(X * Y).fill(100);
  const ellipse = (cx: number, cy: number, ax: number, ay: number) => {
    for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) if (((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 <= 1) plane[y * X + x] = 500;
  };
  ellipse(15, 20, 3, 2);   // fits nowhere inside a 9x9 disk: removed by the opening
  ellipse(42, 20, 12, 8);  // contains the disk: survives
  const out = new Float64Array(X * Y);
  openPlane(plane, 0, X, Y, diskElement(9, 9), out);
  t.is(out[20 * X + 15], 100, 'small ellipse opened away');
  t.is(out[20 * X + 42], 500, 'large ellipse centre kept');
  t.is(out[5 * X + 5], 100);
  // background removal = img - opening: the small ellipse stays, the large one and the floor vanish
  const vol = makeVolume(Uint16Array.from(plane), [X, Y, 1]);
  const bg = removeBackground(vol, [9, 9]);
  t.is(bg.dtype, 'uint16');
  t.is(bg.data[20 * X + 15], 400);
  t.is(bg.data[20 * X + 42], 0);
});

test('background removal matches the reference (cv2 semantics) for odd and even disks', (t) => {
  const v = makeVolume(Uint16Array.from(fx.volume.data), fx.volume.shape as Shape3);
  t.deepEqual(Array.from(removeBackground(v, [5, 5]).data), fx.background55);
  t.deepEqual(Array.from(removeBackground(v, [4, 6]).data), fx.background46);
});

test('filter kernels: ClearMap DoG kernel values, Gaussian normalisation, LoG/sphere/disk sanity', (t) => {
  const k = filterKernel3d('dog', [5, 4, 3]);
  t.true(maxAbsDiff(k.weights, fx.dogKernel.weights) < 1e-12);
  const k2 = filterKernel3d('dog', [7, 7, 5], { sigma: [1.5, 1.5, 1.0], sigma2: [3.0] });
  t.true(maxAbsDiff(k2.weights, fx.dogKernelSigma.weights) < 1e-12);
  const g = filterKernel3d('gaussian', [5, 5, 3]);
  t.true(Math.abs(g.weights.reduce((s, w) => s + w, 0) - 1) < 1e-12);
  t.true(Math.abs(k.weights.reduce((s, w) => s + w, 0)) < 1e-12, 'DoG sums to 0');
  const disk = filterKernel3d('disk', [5, 5, 5]);
  const on = disk.weights.filter((w) => w > 0);
  t.true(on.every((w) => Math.abs(w - on[0]) < 1e-15), 'disk is flat');
  t.is(disk.weights[0], 0, 'corner outside the disk');
  const sigmas = dogSigmas([7, 7, 5]);
  t.true(Math.abs(sigmas.sigma2[0] - 7 / (2 * Math.sqrt(2 * Math.log(2)))) < 1e-12);
  t.true(Math.abs(sigmas.sigma[0] - sigmas.sigma2[0] / 1.5) < 1e-12);
});

test('DoG and Gaussian correlation match scipy.ndimage.correlate (reflect) within float32 rounding', (t) => {
  const v = makeVolume(Uint16Array.from(fx.volume.data), fx.volume.shape as Shape3);
  const dog = filterDoG(v, [5, 5, 3]);
  t.is(dog.dtype, 'float32');
  t.true(maxAbsDiff(dog.data, fx.dog553) < 2e-3, `DoG max diff ${maxAbsDiff(dog.data, fx.dog553)}`);
  const gauss = filterLinear(v, 'gaussian', [5, 3, 3], [1.2, 0.8, 0.8]);
  t.true(maxAbsDiff(gauss.data, fx.gauss533) < 2e-3, `gaussian max diff ${maxAbsDiff(gauss.data, fx.gauss533)}`);
  // separable path == general 3D path with the full kernel (same boundary handling)
  const full = filterKernel3d('gaussian', [5, 3, 3], { sigma: [1.2, 0.8, 0.8] });
  const direct = new Float32Array(v.data.length);
  const P = 13 * 11;
  correlate3d(Float32Array.from(v.data), v.shape, full.weights, full.size, (z, plane) => direct.set(Float32Array.from(plane), z * P));
  t.true(maxAbsDiff(direct, gauss.data) < 1e-3);
  t.deepEqual(Array.from(gaussian1d(3, 1)).map((x) => +x.toFixed(6)), [0.274069, 0.451863, 0.274069]);
});

test('h-max on a staircase: reconstruct(img - h, img) caps the summit plateau at top - h', (t) => {
  // a 1-voxel-thick staircase along x: 0 10 20 30 20 10 0
  const img = Float32Array.from([0, 10, 20, 30, 20, 10, 0]);
  const r = hMaxTransform(img, [7, 1, 1], 15);
  t.deepEqual(Array.from(r), [0, 10, 15, 15, 15, 10, 0]);
  // two summits: 30 and 22 separated by a valley at 5; h = 10 keeps both (22 - 5 > 10) as separate maxima
  const two = Float32Array.from([0, 30, 5, 22, 0]);
  t.deepEqual(Array.from(hMaxTransform(two, [5, 1, 1], 10)), [0, 20, 5, 12, 0]);
  // h = 20 flattens the lower summit into the valley's level
  t.deepEqual(Array.from(hMaxTransform(two, [5, 1, 1], 20)), [0, 10, 5, 5, 0]);
  t.throws(() => reconstructByDilation(Float32Array.from([2]), Float32Array.from([1]), [1, 1, 1]), { message: /seed \(2\) exceeds mask \(1\)/ });
});

test('h-max transform and local maxima match skimage / scipy on a 3D volume', (t) => {
  const shape = fx.volume.shape as Shape3;
  const dog = Float32Array.from(fx.dog553);
  const hm = hMaxTransform(dog, shape, 15);
  t.true(maxAbsDiff(hm, fx.hmax15) === 0, `h-max max diff ${maxAbsDiff(hm, fx.hmax15)}`);
  t.deepEqual(Array.from(localMaxima(Float32Array.from(fx.hmax15), shape, [5, 5, 5])), fx.localMax5);
  t.deepEqual(Array.from(localMaxima(dog, shape, [3, 3, 3])), fx.localMax3_raw);
});

test('the rise of an h-max transform from cut faces is max(R, reconstruction from the faces) where that exceeds R, marks exactly those voxels and leaves R as it was', (t) => {
  const rand = rng(7);
  for (const [shape, levels] of [[[9, 7, 6], 4], [[16, 11, 9], 50], [[5, 5, 5], 0]] as [Shape3, number][]) {
    const [X, Y, Z] = shape, P = X * Y, N = P * Z;
    // quantised values make plateaus and ties; levels 0 = continuous
    const f = Float32Array.from({ length: N }, () => (levels ? Math.floor(rand() * levels) : rand() * 100));
    const R = hMaxTransform(f, shape, levels ? 2 : 20);
    let min = Infinity, max = -Infinity;
    for (const v of f) { min = Math.min(min, v); max = Math.max(max, v); }
    const faces: number[] = [];
    const seed = new Float32Array(N).fill(min);
    for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) {
      const i = x + X * (y + Y * z);
      if (z === Z - 1 || x === 0) { faces.push(i); seed[i] = f[i]; }
    }
    const E = reconstructByDilation(seed, f, shape, 26);
    const J = Float32Array.from(R), rose = new Uint8Array(N);
    const risen = reconstructionRise26(J, f, shape, faces, rose, [min, max]);
    let wrong = 0, flags = 0;
    for (let i = 0; i < N; i++) {
      if (E[i] > R[i] ? risen.get(i) !== E[i] : risen.has(i)) wrong++;
      if ((rose[i] === 1) !== (E[i] > R[i])) flags++;
    }
    t.is(wrong, 0, `values, shape ${shape}`);
    t.is(flags, 0, `rose flags, shape ${shape}`);
    t.true(risen.size > 0, 'something rose');
    t.deepEqual(J, R, 'R restored');
  }
});

test('labelling: diagonal neighbours join with 26- but not 6-connectivity; counts match scipy', (t) => {
  const m = new Uint8Array(27);
  m[0] = 1; m[1 + 3 * (1 + 3 * 1)] = 1; m[2] = 1; m[3] = 1; // (0,0,0) (1,1,1) (2,0,0) (0,1,0)
  const six = labelComponents(m, [3, 3, 3], 6);
  t.is(six.count, 3);
  t.deepEqual([six.labels[0], six.labels[3], six.labels[2], six.labels[13]], [1, 1, 2, 3], 'numbered in raster order');
  t.is(labelComponents(m, [3, 3, 3], 26).count, 1);
  const mask = Uint8Array.from(fx.labelMask.mask);
  t.is(labelComponents(mask, fx.labelMask.shape, 6).count, fx.labelMask.count6);
  t.is(labelComponents(mask, fx.labelMask.shape, 26).count, fx.labelMask.count26);
  const { labels, count } = labelComponents(mask, fx.labelMask.shape, 6);
  const sizes = labelSizes(labels, count);
  t.is(sizes.reduce((s, v) => s + v, 0), mask.reduce((s, v) => s + v, 0));
});

test('centres of mass are intensity weighted', (t) => {
  const labels = Int32Array.from([1, 1, 0, 2]);
  const w = Float64Array.from([1, 3, 9, 5]);
  t.deepEqual(Array.from(centresOfMass(w, labels, [4, 1, 1], 2)), [0.75, 0, 0, 3, 0, 0]);
});

test('watershed splits two touching spheres at the midplane and matches skimage', (t) => {
  const [X, Y, Z] = fx.watershed.shape as Shape3;
  const img = Float64Array.from(fx.watershed.image as number[]);
  const markers = new Int32Array(X * Y * Z);
  markers[8 + X * (8 + Y * 6)] = 1; markers[15 + X * (8 + Y * 6)] = 2;
  const mask = Uint8Array.from(img, (v) => (v > 100 ? 1 : 0));
  const neg = img.map((v) => -v);
  const ws = seededWatershed(neg, markers, mask, [X, Y, Z], 6);
  // the image is mirror-symmetric about the plane x = 12 (blobs at 8.2 and 15.8)
  let left = 0, right = 0, wrongSide = 0, midplane = 0;
  for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) {
    const l = ws[x + X * (y + Y * z)];
    if (l && x === 12) midplane++;
    if (l === 1) { left++; if (x > 12) wrongSide++; }
    if (l === 2) { right++; if (x < 12) wrongSide++; }
  }
  t.is(wrongSide, 0, 'every voxel goes to the sphere on its side');
  t.true(midplane > 0 && Math.abs(left - right) <= midplane, `sizes ${left} vs ${right} differ by at most the ${midplane} tied midplane voxels`);
  let differ = 0;
  for (let i = 0; i < ws.length; i++) if (ws[i] !== fx.watershed.labels[i]) differ++;
  t.true(differ <= 0.01 * (left + right), `${differ} voxels differ from skimage`);
  t.is(ws.filter((l, i) => l !== 0 && !mask[i]).length, 0, 'nothing outside the mask');
});

test('regional maxima: whole plateaus without a higher neighbour, unlike a box test', (t) => {
  // 1D profile: plateau 5,5 (a maximum), a shoulder plateau 3,3 next to 4 (not a maximum), a peak 4
  const v = Float32Array.from([1, 5, 5, 2, 3, 3, 4, 0]);
  t.deepEqual(Array.from(regionalMaxima(v, [8, 1, 1], 26)), [0, 1, 1, 0, 0, 0, 1, 0]);
  // the h-max staircase: the capped summit is one regional maximum plateau of three voxels
  const h = Float32Array.from([0, 10, 15, 15, 15, 10, 0]);
  t.deepEqual(Array.from(regionalMaxima(h, [7, 1, 1])), [0, 0, 1, 1, 1, 0, 0]);
  // diagonal neighbours: a higher diagonal voxel disqualifies with 26- but not with 6-connectivity
  const d = Float32Array.from([2, 0, 0, 3]); // 2x2 plane: (0,0)=2, (1,1)=3
  t.deepEqual(Array.from(regionalMaxima(d, [2, 2, 1], 26)), [0, 0, 0, 1]);
  t.deepEqual(Array.from(regionalMaxima(d, [2, 2, 1], 6)), [1, 0, 0, 1]);
});

test('watershed: the bucket queue of 8/16-bit images gives the same labels as the heap (ties, plateaus, mask)', async (t) => {
  const { seededWatershed } = await import('../../../lib/kernels/watershed.js');
  const r = rng(5);
  for (let k = 0; k < 40; k++) {
    const shape: Shape3 = [3 + Math.floor(r() * 8), 3 + Math.floor(r() * 8), 1 + Math.floor(r() * 5)];
    const n = shape[0] * shape[1] * shape[2];
    const img = Uint16Array.from({ length: n }, () => Math.floor(r() * (k % 2 ? 4 : 5000)));
    const markers = Int32Array.from({ length: n }, () => (r() < 0.06 ? 1 + Math.floor(r() * 5) : 0));
    const mask = Uint8Array.from({ length: n }, () => (r() < 0.85 ? 1 : 0));
    for (const descending of [false, true]) {
      t.deepEqual(seededWatershed(img, markers, mask, shape, 6, descending), seededWatershed(Float64Array.from(img), markers, mask, shape, 6, descending));
    }
  }
});
