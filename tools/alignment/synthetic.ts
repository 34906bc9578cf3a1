// Seeded synthetic "atlas-like" volumes for registration tests: a smooth ellipsoidal brain with a
// soft edge, a brighter cortex-like shell, ventricle-like dark holes and many smooth blobs of tissue
// contrast. Deterministic for a seed, float32, values about 0..1.
import type { Shape3, Volume } from '../../engine/data/volume.js';
import { seededRandom } from '../../engine/data/random.js';

export { seededRandom };

interface Blob { c: [number, number, number]; s: number; a: number }

export function makeBrainPhantom(shape: Shape3 = [80, 96, 64], seed = 1): Volume<Float32Array> {
  const [X, Y, Z] = shape;
  const rnd = seededRandom(seed);
  const cx = (X - 1) / 2, cy = (Y - 1) / 2, cz = (Z - 1) / 2;
  const rx = X * 0.4, ry = Y * 0.42, rz = Z * 0.38;
  const blobs: Blob[] = [];
  for (let i = 0; i < 160; i++) {
    // blob centres inside the ellipsoid
    let p: [number, number, number];
    do {
      p = [(rnd() * 2 - 1), (rnd() * 2 - 1), (rnd() * 2 - 1)];
    } while (p[0] ** 2 + p[1] ** 2 + p[2] ** 2 > 0.8);
    blobs.push({ c: [cx + p[0] * rx, cy + p[1] * ry, cz + p[2] * rz], s: 1.8 + rnd() * 3, a: (rnd() - 0.4) * 0.8 });
  }
  const data = new Float32Array(X * Y * Z);
  let k = 0;
  for (let z = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++, k++) {
        const r = Math.sqrt(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 + ((z - cz) / rz) ** 2);
        const inside = 1 / (1 + Math.exp((r - 1) * 18)); // soft brain edge
        if (inside < 1e-4) continue;
        const shell = Math.exp(-(((r - 0.88) / 0.07) ** 2)) * 0.5; // cortex-like bright rim
        // two dark ventricles, left and right of the midline
        const vl = Math.exp(-(((x - cx + rx * 0.25) / 4) ** 2 + ((y - cy) / 9) ** 2 + ((z - cz) / 5) ** 2));
        const vr = Math.exp(-(((x - cx - rx * 0.25) / 4) ** 2 + ((y - cy) / 9) ** 2 + ((z - cz) / 5) ** 2));
        let v = 0.45 + shell - 0.35 * (vl + vr);
        for (const b of blobs) {
          const d2 = (x - b.c[0]) ** 2 + (y - b.c[1]) ** 2 + (z - b.c[2]) ** 2;
          if (d2 < 16 * b.s * b.s) v += b.a * Math.exp(-d2 / (2 * b.s * b.s));
        }
        data[k] = Math.max(0, v) * inside;
      }
    }
  }
  return { data, shape, dtype: 'float32', voxelSize: [1, 1, 1], origin: [0, 0, 0] };
}

/** Trilinear sample of `v` at a continuous voxel position (voxel centres at integers); 0 outside. */
export function sampleTrilinear(v: Volume, x: number, y: number, z: number): number {
  const [X, Y, Z] = v.shape;
  if (x < 0 || y < 0 || z < 0 || x > X - 1 || y > Y - 1 || z > Z - 1) return 0;
  const x0 = Math.min(Math.floor(x), X - 2 < 0 ? 0 : X - 2), y0 = Math.min(Math.floor(y), Y - 2 < 0 ? 0 : Y - 2), z0 = Math.min(Math.floor(z), Z - 2 < 0 ? 0 : Z - 2);
  const fx = x - x0, fy = y - y0, fz = z - z0;
  const d = v.data;
  const i = x0 + X * (y0 + Y * z0);
  const sx = 1, sy = X, sz = X * Y;
  const c00 = d[i] * (1 - fx) + d[i + sx] * fx;
  const c10 = d[i + sy] * (1 - fx) + d[i + sy + sx] * fx;
  const c01 = d[i + sz] * (1 - fx) + d[i + sz + sx] * fx;
  const c11 = d[i + sz + sy] * (1 - fx) + d[i + sz + sy + sx] * fx;
  return (c00 * (1 - fy) + c10 * fy) * (1 - fz) + (c01 * (1 - fy) + c11 * fy) * fz;
}

/** F(p) = M(map(p)) on a grid of `shape`: the "sample" that elastix should map back onto M with T = map. */
export function warpVolume(moving: Volume, shape: Shape3, map: (p: [number, number, number]) => [number, number, number]): Volume<Float32Array> {
  const [X, Y, Z] = shape;
  const data = new Float32Array(X * Y * Z);
  let k = 0;
  for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++, k++) {
    const q = map([x, y, z]);
    data[k] = sampleTrilinear(moving, q[0], q[1], q[2]);
  }
  return { data, shape, dtype: 'float32', voxelSize: [1, 1, 1], origin: [0, 0, 0] };
}

/** The affine the registration tests recover: ~6° rotation about z, anisotropic scaling, shear, shift. */
export const TEST_AFFINE = {
  A: [[1.04 * Math.cos(0.1), -Math.sin(0.1), 0.02], [Math.sin(0.1), 0.97 * Math.cos(0.1), 0], [0.01, 0.03, 1.02]],
  t: [3, -2, 1.5] as [number, number, number],
};

/** An affine map p -> A (p - c) + c + t about the volume centre c. */
export function affineMap(A: number[][], t: [number, number, number], c: [number, number, number]) {
  return (p: [number, number, number]): [number, number, number] => {
    const d = [p[0] - c[0], p[1] - c[1], p[2] - c[2]];
    return [0, 1, 2].map((i) => A[i][0] * d[0] + A[i][1] * d[1] + A[i][2] * d[2] + c[i] + t[i]) as [number, number, number];
  };
}

/** A smooth sinusoidal displacement of amplitude `amp` voxels (one period across each axis). */
export function smoothWarpMap(shape: Shape3, amp: number) {
  const [X, Y, Z] = shape;
  return (p: [number, number, number]): [number, number, number] => [
    p[0] + amp * Math.sin((2 * Math.PI * p[1]) / Y) * Math.cos((Math.PI * p[2]) / Z),
    p[1] + amp * Math.sin((2 * Math.PI * p[2]) / Z) * Math.cos((Math.PI * p[0]) / X),
    p[2] + amp * 0.7 * Math.sin((2 * Math.PI * p[0]) / X) * Math.cos((Math.PI * p[1]) / Y),
  ];
}
