import test from 'ava';
import type { Shape3 } from '../../../engine/data/volume.js';
import { makeVolume } from '../../../engine/data/volume.js';
import { parseOrientation, type OrientationTuple } from '../../../nodes/alignment/lib/orientation.js';
import { resampleGeometry, resampleVolume, type ResampleGeometry } from '../../../nodes/alignment/lib/resample.js';
import { resamplePoints, resamplePointsInverse } from '../../../nodes/alignment/lib/resample-points.js';


const CLASSES: [string, OrientationTuple][] = [
  ['identity', [1, 2, 3]], ['flip', [-1, 2, -3]], ['permutation', [3, 1, 2]], ['flip+permutation', [-2, 3, -1]],
];
const SOURCE: Shape3 = [23, 17, 13];

function geometries(tuple: OrientationTuple): [string, ResampleGeometry][] {
  const o = parseOrientation(tuple);
  return [
    ['down', resampleGeometry({ sourceShape: SOURCE, sourceResolution: [2, 2, 5], sinkResolution: [7, 5, 11].map((_, i) => [7, 5, 11][i]), orientation: o })],
    ['up', resampleGeometry({ sourceShape: SOURCE, sourceResolution: [5, 4, 6], sinkResolution: [2, 3, 1.7], orientation: o })],
  ];
}

test('a point at a voxel centre lands on the voxel the (nearest) image resampling puts that voxel in', (t) => {
  const [X, Y, Z] = SOURCE;
  // every voxel carries its own index as its value, so the result says where each voxel went
  const ids = makeVolume(Float64Array.from({ length: X * Y * Z }, (_, i) => i), SOURCE);
  for (const [name, tuple] of CLASSES) {
    for (const [dir, g] of geometries(tuple)) {
      const r = resampleVolume(ids, g, 'nearest');
      const [mx, my, mz] = r.shape;
      let worst = 0;
      const coords = new Float64Array(r.data.length * 3);
      for (let k = 0; k < r.data.length; k++) {
        const id = r.data[k];
        coords[3 * k] = id % X; coords[3 * k + 1] = Math.floor(id / X) % Y; coords[3 * k + 2] = Math.floor(id / (X * Y));
      }
      const mapped = resamplePoints(coords, g);
      // the mapped point must lie within this result voxel's share of the source voxel
      const tol = [0, 1, 2].map((j) => 0.5 * Math.max(1, g.sinkShape[j] / g.sourceShape[g.orientation.permutation[j]]) + 1e-9);
      for (let k = 0; k < r.data.length; k++) {
        const d = [k % mx, Math.floor(k / mx) % my, Math.floor(k / (mx * my))];
        for (let j = 0; j < 3; j++) worst = Math.max(worst, Math.abs(mapped[3 * k + j] - d[j]) - tol[j]);
      }
      t.true(worst <= 0, `${name} ${dir}: a point is ${worst} voxels beyond its voxel (result [${mx},${my},${mz}])`);
      if (dir === 'down') {
        // downsampling: rounding the mapped point gives exactly the voxel
        let exact = true;
        for (let k = 0; k < r.data.length && exact; k++) {
          const d = [k % mx, Math.floor(k / mx) % my, Math.floor(k / (mx * my))];
          for (let j = 0; j < 3; j++) if (Math.round(mapped[3 * k + j]) !== d[j]) exact = false;
        }
        t.true(exact, `${name} ${dir}: rounded points hit their voxels`);
      }
    }
  }
});

test('linear image resampling of a coordinate ramp equals resamplePointsInverse of the result voxel', (t) => {
  const [X, Y, Z] = SOURCE;
  for (const [name, tuple] of CLASSES) {
    for (const [dir, g] of geometries(tuple)) {
      for (let axis = 0; axis < 3; axis++) {
        // f(x, y, z) = coordinate along `axis`; linear interpolation reproduces it exactly away from clamped edges
        const ramp = makeVolume(Float64Array.from({ length: X * Y * Z }, (_, i) => [i % X, Math.floor(i / X) % Y, Math.floor(i / (X * Y))][axis]), SOURCE);
        const r = resampleVolume(ramp, g, 'linear');
        const [mx, my] = r.shape;
        const centres = new Float64Array(r.data.length * 3);
        for (let k = 0; k < r.data.length; k++) { centres[3 * k] = k % mx; centres[3 * k + 1] = Math.floor(k / mx) % my; centres[3 * k + 2] = Math.floor(k / (mx * my)); }
        const back = resamplePointsInverse(centres, g);
        let worst = 0, checked = 0;
        for (let k = 0; k < r.data.length; k++) {
          const s = back[3 * k + axis];
          if (s < 0 || s > SOURCE[axis] - 1) continue; // cv2 clamps outside the outer voxel centres
          worst = Math.max(worst, Math.abs(r.data[k] - s));
          checked++;
        }
        t.true(checked > r.data.length / 3, `${name} ${dir} axis ${axis}: ${checked} voxels checked`);
        t.true(worst < 1e-9, `${name} ${dir} axis ${axis}: max |image - inverse point| = ${worst}`);
      }
    }
  }
});

test('resamplePointsInverse undoes resamplePoints, in both conventions', (t) => {
  const pts = Float64Array.from([0, 0, 0, 22, 16, 12, 3.25, 7.5, 11.9, 10, 10, 6]);
  for (const [, tuple] of CLASSES) {
    for (const [, g] of geometries(tuple)) {
      for (const conv of ['voxel-centre', 'clearmap'] as const) {
        const back = resamplePointsInverse(resamplePoints(pts, g, conv), g, conv);
        t.true(Array.from(back).every((v, i) => Math.abs(v - pts[i]) < 1e-9), `${tuple} ${conv}`);
      }
    }
  }
});

test("convention 'clearmap' reproduces ClearMap 0.9.2's formulas (p * m / n, reversal size - p)", (t) => {
  const g = resampleGeometry({ sourceShape: [100, 200, 300], sourceResolution: [1, 1, 1], sinkShape: [10, 20, 30], orientation: parseOrientation([-1, 2, 3]) });
  const p = Float64Array.from([10, 20, 30]);
  t.deepEqual(Array.from(resamplePoints(p, g, 'clearmap')), [10 - 1, 2, 3]);
  // voxel centres: (10 + 0.5) / 10 - 0.5 = 0.55, reversed 10 - 1 - 0.55
  t.deepEqual(Array.from(resamplePoints(p, g, 'voxel-centre')).map((v) => +v.toFixed(9)), [8.45, 1.55, 2.55]);
  const gp = resampleGeometry({ sourceShape: [100, 200, 300], sourceResolution: [1, 1, 1], sinkShape: [30, 10, 20], orientation: parseOrientation([3, -1, 2]) });
  // ClearMap: scale per source axis, permute to (z, x, y), then reverse the new y: 10 - x'
  t.deepEqual(Array.from(resamplePoints(p, gp, 'clearmap')), [3, 10 - 1, 2]);
  t.throws(() => resamplePoints(p, g, 'centre' as never), { message: /^convention: expected one of voxel-centre, clearmap/ });
});
