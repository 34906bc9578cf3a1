// Seeded synthetic light-sheet-like stacks with known nuclei, for detection tests and benchmarks.
// Nuclei are Gaussian-ish blobs (sigma = 0.6 * radius, optionally flattened in z as with 2x2x5 µm
// voxels) on a smooth background gradient, with shot noise (Gaussian approximation of Poisson,
// scaled by `gain`) and Gaussian read noise; values are rounded and clipped to uint16.
import { makeVolume, type Volume } from '../../engine/data/volume.js';
import { seededRandom } from '../../engine/data/random.js';

export interface SyntheticOptions {
  shape: [number, number, number];
  /** Number of nuclei placed (fewer if they cannot be placed with the minimum separation). */
  cells: number;
  seed?: number;
  /** Radius range in voxels (x/y), drawn uniformly. */
  radius?: [number, number];
  /** z radius = radius * zScale (voxels are usually longer in z). */
  zScale?: number;
  /** Peak amplitude range above background. */
  amplitude?: [number, number];
  /** Background level at the origin and its gradient per voxel along x, y, z. */
  background?: number;
  gradient?: [number, number, number];
  /** Shot noise: variance = gain * signal. 0 disables. */
  gain?: number;
  /** Read noise std. */
  readNoise?: number;
  /** Extra distance between nucleus surfaces, in voxels (keeps them resolvable). */
  spacing?: number;
}

export interface SyntheticStack {
  volume: Volume<Uint16Array>;
  /** True centres [x, y, z] interleaved. */
  centres: Float64Array;
  radii: Float64Array;
}

/** The shared seeded generator (mulberry32). */
export const rng = seededRandom;

export function syntheticNuclei(o: SyntheticOptions): SyntheticStack {
  const [X, Y, Z] = o.shape;
  const rand = rng(o.seed ?? 1);
  const [r0, r1] = o.radius ?? [3, 6];
  const zScale = o.zScale ?? 0.6;
  const [a0, a1] = o.amplitude ?? [400, 1200];
  const bg = o.background ?? 300;
  const grad = o.gradient ?? [0.15, 0.1, 1];
  const gain = o.gain ?? 1;
  const read = o.readNoise ?? 10;
  const spacing = o.spacing ?? 2;

  // place nuclei by rejection sampling with a minimum distance (in x/y voxel units, z rescaled)
  const cx: number[] = [], cy: number[] = [], cz: number[] = [], cr: number[] = [];
  const margin = 1;
  for (let tries = 0; cx.length < o.cells && tries < o.cells * 200; tries++) {
    const r = r0 + (r1 - r0) * rand();
    const x = margin + rand() * (X - 2 * margin), y = margin + rand() * (Y - 2 * margin), z = margin * zScale + rand() * (Z - 2 * margin * zScale);
    let ok = true;
    for (let j = 0; j < cx.length && ok; j++) {
      const dx = x - cx[j], dy = y - cy[j], dz = (z - cz[j]) / zScale;
      const need = r + cr[j] + spacing;
      if (dx * dx + dy * dy + dz * dz < need * need) ok = false;
    }
    if (ok) { cx.push(x); cy.push(y); cz.push(z); cr.push(r); }
  }

  const signal = new Float32Array(X * Y * Z);
  for (let i = 0; i < cx.length; i++) {
    const s = 0.6 * cr[i], sz = s * zScale, amp = a0 + (a1 - a0) * rand();
    const ext = Math.ceil(3 * s), extZ = Math.ceil(3 * sz);
    for (let z = Math.max(0, Math.floor(cz[i]) - extZ); z <= Math.min(Z - 1, Math.ceil(cz[i]) + extZ); z++) {
      const dz = (z - cz[i]) / sz;
      for (let y = Math.max(0, Math.floor(cy[i]) - ext); y <= Math.min(Y - 1, Math.ceil(cy[i]) + ext); y++) {
        const dy = (y - cy[i]) / s;
        const row = X * (y + Y * z);
        for (let x = Math.max(0, Math.floor(cx[i]) - ext); x <= Math.min(X - 1, Math.ceil(cx[i]) + ext); x++) {
          const dx = (x - cx[i]) / s;
          signal[row + x] += amp * Math.exp(-0.5 * (dx * dx + dy * dy + dz * dz));
        }
      }
    }
  }

  const data = new Uint16Array(X * Y * Z);
  let spare = NaN;
  const gauss = () => {
    if (!Number.isNaN(spare)) { const v = spare; spare = NaN; return v; }
    let u = rand(); if (u < 1e-12) u = 1e-12;
    const m = Math.sqrt(-2 * Math.log(u)), t = 2 * Math.PI * rand();
    spare = m * Math.sin(t);
    return m * Math.cos(t);
  };
  for (let z = 0, p = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++, p++) {
    const mean = bg + grad[0] * x + grad[1] * y + grad[2] * z + signal[p];
    const v = mean + Math.sqrt(gain * mean) * gauss() + read * gauss();
    data[p] = v < 0 ? 0 : v > 65535 ? 65535 : Math.round(v);
  }
  const centres = new Float64Array(cx.length * 3);
  for (let i = 0; i < cx.length; i++) { centres[3 * i] = cx[i]; centres[3 * i + 1] = cy[i]; centres[3 * i + 2] = cz[i]; }
  return { volume: makeVolume(data, [X, Y, Z], { voxelSize: [2, 2, 5] }), centres, radii: Float64Array.from(cr) };
}

/**
 * One-to-one matching of detected to true points within maxDist (greedy on increasing distance, which
 * is optimal enough for well-separated points). Returns matched pairs and precision / recall.
 */
export function matchPoints(detected: Float64Array, truth: Float64Array, maxDist: number, zScale = 1): { pairs: [number, number][]; precision: number; recall: number } {
  const nd = detected.length / 3, nt = truth.length / 3;
  const cand: [number, number, number][] = [];
  // grid bucketing on x/y keeps this near-linear
  const cell = Math.max(1, maxDist);
  const grid = new Map<string, number[]>();
  for (let j = 0; j < nt; j++) {
    const k = `${Math.floor(truth[3 * j] / cell)},${Math.floor(truth[3 * j + 1] / cell)}`;
    (grid.get(k) ?? grid.set(k, []).get(k)!).push(j);
  }
  for (let i = 0; i < nd; i++) {
    const gx = Math.floor(detected[3 * i] / cell), gy = Math.floor(detected[3 * i + 1] / cell);
    for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) {
      for (const j of grid.get(`${gx + a},${gy + b}`) ?? []) {
        const dx = detected[3 * i] - truth[3 * j], dy = detected[3 * i + 1] - truth[3 * j + 1], dz = (detected[3 * i + 2] - truth[3 * j + 2]) * zScale;
        const d = Math.sqrt(dx * dx + dy * dy + dz * dz);
        if (d <= maxDist) cand.push([d, i, j]);
      }
    }
  }
  cand.sort((p, q) => p[0] - q[0] || p[1] - q[1] || p[2] - q[2]);
  const usedD = new Uint8Array(nd), usedT = new Uint8Array(nt);
  const pairs: [number, number][] = [];
  for (const [, i, j] of cand) if (!usedD[i] && !usedT[j]) { usedD[i] = 1; usedT[j] = 1; pairs.push([i, j]); }
  return { pairs, precision: nd ? pairs.length / nd : 1, recall: nt ? pairs.length / nt : 1 };
}
