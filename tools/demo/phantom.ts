// A seeded phantom on real anatomy, for the demo and the end-to-end test. From the real Allen CCFv3
// 2017 annotation at 50 µm (the in-box atlas) it makes:
//  - a pseudo-reference: a smooth per-region intensity image in atlas space (no Allen average template
//    ships, so the registration's moving image is painted from the annotation);
//  - a whole-brain "sample" imaged at 40 µm in another axis order (horizontal planes), related to the
//    atlas by a known transform (affine + smooth non-linear displacement): an autofluorescence channel
//    (the pseudo-reference pulled through the transform, with an illumination fall-off and noise) and a
//    c-Fos channel holding cells at known atlas positions, with known counts per region and hemisphere.
// Cells lie at least MARGIN atlas voxels from any other region or the other hemisphere, so a
// registration that is right to within that margin counts every cell in its true region.
//
// Conventions: coordinates [x, y, z] in voxels. `orient(s)` maps a sample voxel (as stored) to the
// atlas axis order with ClearMap's orientation tuple SAMPLE_ORIENTATION (what `resample` is given);
// in atlas axes the sample voxel o sits at u = (o + 0.5) * SAMPLE_UM / ATLAS_UM - 0.5 atlas voxels
// before the warp, and the warp maps u to the atlas voxel q = c + M (u - c) + t + D(u).
import { mkdirSync, readFileSync, writeFileSync, renameSync, rmSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Shape3 } from '../../engine/data/volume.js';
import { openVolume } from '../../nodes/io/lib/formats.js';
import { readVolumeRegion } from '../../nodes/io/lib/read-region.js';
import { gaussianRandom, seededRandom } from '../../engine/data/random.js';
import { boxBlur3, clamp16, trilinear, writeStack } from './volume-helpers.js';

type V3 = [number, number, number];

export const ATLAS_UM = 50;
export const SAMPLE_UM = 40;
/**
 * Sample axes → atlas axes (ClearMap orientation tuple: entry i = sample axis that becomes atlas axis
 * i). The sample is imaged in horizontal planes (x = left-right, y = anterior-posterior, z = dorsal-
 * ventral); the atlas is [left-right, dorsal-ventral, anterior-posterior].
 */
export const SAMPLE_ORIENTATION: V3 = [1, 3, 2];
/** Atlas voxels a cell keeps from any other region and from the other hemisphere. */
export const MARGIN = 1.5;
/** About this many cells are placed (densities vary per region and hemisphere). */
export const TARGET_CELLS = 15000;
/** Sample voxels between cell centres, so blobs stay separate maxima. */
const MIN_CELL_DISTANCE = 5;

/** The known warp, in atlas voxels: rotation (degrees) in the x-y and y-z planes, scale, shift, and a sinusoidal displacement of amplitude `bend`. */
export const WARP = { rotationDeg: [4, -2] as const, scale: [1.04, 0.97, 1.02] as const, shift: [2, -1.5, 1] as const, bend: 1.2 };

/** Package root (where package.json is), found from this file in src or dist. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('phantom: cannot find the package root');
    dir = up;
  }
  return dir;
}

/** The in-box atlas's 50 µm annotation and hemispheres (BrainGlobe 'asr': [x, y, z] = right→left, superior→inferior, anterior→posterior; hemispheres 1 = left, 2 = right). */
export function defaultAtlasFiles(): { annotation: string; hemispheres: string } {
  const inBox = join(packageRoot(), 'atlases', 'allen_mouse_50um');
  const files = { annotation: join(inBox, 'annotation.tiff'), hemispheres: join(inBox, 'hemispheres.tiff') };
  for (const f of Object.values(files)) if (!existsSync(f)) throw new Error(`phantom: the in-box atlas file ${f} is missing`);
  return files;
}

/** Hemisphere names of the in-box atlas's values. */
export const HEMISPHERES: Record<number, 'left' | 'right'> = { 1: 'left', 2: 'right' };

function permOf(o: V3): { axis: V3; flip: [boolean, boolean, boolean] } {
  return { axis: o.map((v) => Math.abs(v) - 1) as V3, flip: o.map((v) => v < 0) as [boolean, boolean, boolean] };
}

/** Geometry shared by the generator and the truth. */
export class PhantomGeometry {
  readonly centre: V3;
  readonly M: number[][];
  readonly Minv: number[][];
  /** Sample shape in atlas axes, and as stored (sample axes). */
  readonly orientedShape: Shape3;
  readonly sampleShape: Shape3;
  constructor(readonly atlasShape: Shape3) {
    this.centre = atlasShape.map((s) => (s - 1) / 2) as V3;
    const [a, b] = WARP.rotationDeg.map((d) => (d * Math.PI) / 180);
    const rxy = [[Math.cos(a), -Math.sin(a), 0], [Math.sin(a), Math.cos(a), 0], [0, 0, 1]];
    const ryz = [[1, 0, 0], [0, Math.cos(b), -Math.sin(b)], [0, Math.sin(b), Math.cos(b)]];
    const r = mul(rxy, ryz);
    this.M = r.map((row) => row.map((v, j) => v * WARP.scale[j]));
    this.Minv = inv3(this.M);
    this.orientedShape = atlasShape.map((s) => Math.round((s * ATLAS_UM) / SAMPLE_UM)) as Shape3;
    const { axis } = permOf(SAMPLE_ORIENTATION);
    const shape = [0, 0, 0] as Shape3;
    axis.forEach((src, i) => { shape[src] = this.orientedShape[i]; });
    this.sampleShape = shape;
  }
  /** Smooth displacement (atlas voxels) at u. */
  bend(u: V3): V3 {
    const [X, Y, Z] = this.atlasShape, A = WARP.bend;
    return [A * Math.sin((2 * Math.PI * u[1]) / Y + 0.7), A * Math.sin((2 * Math.PI * u[2]) / Z + 1.9), A * Math.sin((2 * Math.PI * u[0]) / X + 0.3)];
  }
  /** Sample voxel (as stored) → atlas-axis sample voxel o. */
  orient(s: V3): V3 {
    const { axis, flip } = permOf(SAMPLE_ORIENTATION);
    return axis.map((src, i) => (flip[i] ? this.sampleShape[src] - 1 - s[src] : s[src])) as V3;
  }
  unorient(o: V3): V3 {
    const { axis, flip } = permOf(SAMPLE_ORIENTATION);
    const s = [0, 0, 0] as V3;
    axis.forEach((src, i) => { s[src] = flip[i] ? this.sampleShape[src] - 1 - o[i] : o[i]; });
    return s;
  }
  /** Atlas-axis sample voxel → atlas voxel. */
  toAtlas(o: V3): V3 {
    const f = SAMPLE_UM / ATLAS_UM, c = this.centre, M = this.M;
    const u = o.map((v) => (v + 0.5) * f - 0.5) as V3;
    const d = this.bend(u), e = [u[0] - c[0], u[1] - c[1], u[2] - c[2]];
    return [0, 1, 2].map((i) => c[i] + M[i][0] * e[0] + M[i][1] * e[1] + M[i][2] * e[2] + WARP.shift[i] + d[i]) as V3;
  }
  /** Atlas voxel → atlas-axis sample voxel (fixed-point inversion; the displacement is small and smooth). */
  fromAtlas(q: V3): V3 {
    const c = this.centre, Mi = this.Minv, f = SAMPLE_UM / ATLAS_UM;
    let u: V3 = [...q];
    for (let k = 0; k < 30; k++) {
      const d = this.bend(u);
      const r = [0, 1, 2].map((i) => q[i] - c[i] - WARP.shift[i] - d[i]);
      const next = [0, 1, 2].map((i) => c[i] + Mi[i][0] * r[0] + Mi[i][1] * r[1] + Mi[i][2] * r[2]) as V3;
      const moved = Math.abs(next[0] - u[0]) + Math.abs(next[1] - u[1]) + Math.abs(next[2] - u[2]);
      u = next;
      if (moved < 1e-10) break;
    }
    return u.map((v) => (v + 0.5) / f - 0.5) as V3;
  }
}

function mul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => [0, 1, 2].map((j) => row[0] * b[0][j] + row[1] * b[1][j] + row[2] * b[2][j]));
}

function inv3(m: number[][]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [[A / det, -(b * i - c * h) / det, (b * f - c * e) / det], [B / det, (a * i - c * g) / det, -(a * f - c * d) / det], [C / det, -(a * h - b * g) / det, (a * e - b * d) / det]];
}

/** A number in [0, 1) fixed by an integer (region ids → intensities and densities, independent of iteration order). */
function hashUnit(n: number, salt: number): number {
  let h = (Math.imul(n ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(salt + 1, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** Pseudo-reference intensity of a region: a smooth per-region level (background dark). */
export function regionIntensity(id: number): number {
  return id === 0 ? 60 : 500 + Math.round(2200 * hashUnit(id, 1));
}

export interface Phantom {
  geometry: PhantomGeometry;
  reference: Uint16Array;
  cfos: Uint16Array;
  autofluo: Uint16Array;
  /** Cell centres in atlas voxels and in sample voxels (as stored). */
  cellsAtlas: Float64Array;
  cellsSample: Float64Array;
  cellRegion: Int32Array;
  cellHemisphere: Int32Array;
}

const INTERIOR_OFFSETS: V3[] = [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1], [0.72, 0.72, 0], [-0.72, -0.72, 0], [0.72, -0.72, 0], [-0.72, 0.72, 0],
  [0.72, 0, 0.72], [-0.72, 0, -0.72], [0, 0.72, 0.72], [0, -0.72, -0.72], [0.72, 0, -0.72], [-0.72, 0, 0.72], [0, 0.72, -0.72], [0, -0.72, 0.72]];

export async function makePhantom(files = defaultAtlasFiles(), seed = 2024): Promise<Phantom> {
  const rand = seededRandom(seed);
  const gauss = gaussianRandom(rand);
  const ann = await readVolumeRegion((await openVolume(files.annotation)).ref.args);
  const hem = await readVolumeRegion((await openVolume(files.hemispheres)).ref.args);
  if (ann.shape.some((s, i) => s !== hem.shape[i])) throw new Error(`phantom: ${files.annotation} is [${ann.shape}] but ${files.hemispheres} is [${hem.shape}]`);
  const atlasShape = ann.shape;
  const [X, Y, Z] = atlasShape;
  const g = new PhantomGeometry(atlasShape);
  const label = ann.data, side = hem.data;
  const at = (x: number, y: number, z: number) => x + X * (y + Y * z);

  // pseudo-reference: per-region level, softened (3 box passes ~ Gaussian, sigma ~1.4 voxels)
  const refF = new Float32Array(label.length);
  for (let i = 0; i < label.length; i++) refF[i] = regionIntensity(label[i]);
  const blurred = boxBlur3(refF, atlasShape, 3);
  const reference = Uint16Array.from(blurred, (v) => Math.round(v));

  // cells: per region and hemisphere, uniform over the voxels deep inside it (MARGIN from anything else)
  const keyAt = (q: V3): number => {
    const x = Math.round(q[0]), y = Math.round(q[1]), z = Math.round(q[2]);
    if (x < 0 || y < 0 || z < 0 || x >= X || y >= Y || z >= Z) return -1;
    const i = at(x, y, z);
    return label[i] === 0 ? -1 : label[i] * 2 + (side[i] === 2 ? 1 : 0);
  };
  const interior = (q: V3, key: number) => INTERIOR_OFFSETS.every((d) => keyAt([q[0] + MARGIN * d[0], q[1] + MARGIN * d[1], q[2] + MARGIN * d[2]]) === key);
  const candidates = new Map<number, number[]>();
  for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) {
    const k = keyAt([x, y, z]);
    if (k < 0 || !interior([x, y, z], k)) continue;
    let list = candidates.get(k);
    if (!list) candidates.set(k, list = []);
    list.push(at(x, y, z));
  }
  const keys = [...candidates.keys()].sort((a, b) => a - b);
  // density: a per-region factor in [0.3, 3] (log-uniform) and a per-hemisphere factor in [0.8, 1.25]
  const weight = (k: number) => Math.exp(Math.log(0.3) + Math.log(10) * hashUnit(k >> 1, 2)) * ((k & 1) ? Math.exp(Math.log(0.8) + Math.log(1.25 / 0.8) * hashUnit(k >> 1, 3)) : 1);
  const total = keys.reduce((s, k) => s + weight(k) * candidates.get(k)!.length, 0);
  const [SX, SY, SZ] = g.sampleShape;
  const cellSize = MIN_CELL_DISTANCE;
  const grid = new Map<string, V3[]>();
  const gridKey = (s: V3) => `${Math.floor(s[0] / cellSize)},${Math.floor(s[1] / cellSize)},${Math.floor(s[2] / cellSize)}`;
  const tooClose = (s: V3) => {
    const [gx, gy, gz] = s.map((v) => Math.floor(v / cellSize));
    for (let dz = -1; dz <= 1; dz++) for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      for (const p of grid.get(`${gx + dx},${gy + dy},${gz + dz}`) ?? []) {
        if ((p[0] - s[0]) ** 2 + (p[1] - s[1]) ** 2 + (p[2] - s[2]) ** 2 < MIN_CELL_DISTANCE ** 2) return true;
      }
    }
    return false;
  };
  const cellsA: number[] = [], cellsS: number[] = [], region: number[] = [], hemisphere: number[] = [];
  for (const k of keys) {
    const list = candidates.get(k)!;
    const want = Math.round((TARGET_CELLS * weight(k) * list.length) / total);
    let got = 0;
    for (let tries = 0; got < want && tries < want * 50; tries++) {
      const i = list[Math.floor(rand() * list.length)];
      const q: V3 = [i % X + rand() - 0.5, Math.floor(i / X) % Y + rand() - 0.5, Math.floor(i / (X * Y)) + rand() - 0.5];
      if (!interior(q, k) || keyAt(q) !== k) continue;
      const s = g.unorient(g.fromAtlas(q));
      if (s[0] < 4 || s[1] < 4 || s[2] < 4 || s[0] > SX - 5 || s[1] > SY - 5 || s[2] > SZ - 5 || tooClose(s)) continue;
      const gk = gridKey(s);
      grid.set(gk, [...(grid.get(gk) ?? []), s]);
      cellsA.push(...q);
      cellsS.push(...s);
      region.push(k >> 1);
      hemisphere.push(side[at(Math.round(q[0]), Math.round(q[1]), Math.round(q[2]))]);
      got++;
    }
  }

  // the sample, voxel by voxel in storage order: pull the pseudo-reference through the warp
  const sn = SX * SY * SZ;
  const autofluo = new Uint16Array(sn);
  const signalF = new Float32Array(sn);
  const depthAxis = 2; // light-sheet planes: illumination falls off along the stored z
  for (let z = 0; z < SZ; z++) for (let y = 0; y < SY; y++) for (let x = 0; x < SX; x++) {
    const s: V3 = [x, y, z];
    const q = g.toAtlas(g.orient(s));
    const v = trilinear(blurred, atlasShape, q[0], q[1], q[2], regionIntensity(0));
    const light = 1 - 0.15 * (s[depthAxis] / g.sampleShape[depthAxis]);
    const i = x + SX * (y + SY * z);
    autofluo[i] = clamp16(v * light + 20 * gauss());
    signalF[i] = 100 + 0.08 * v;
  }
  const sigma = 1.6, rad = 5;
  for (let c = 0; c < region.length; c++) {
    const amp = 900 + 900 * rand();
    const cx = cellsS[3 * c], cy = cellsS[3 * c + 1], cz = cellsS[3 * c + 2];
    for (let z = Math.max(0, Math.floor(cz) - rad); z <= Math.min(SZ - 1, Math.floor(cz) + rad); z++)
      for (let y = Math.max(0, Math.floor(cy) - rad); y <= Math.min(SY - 1, Math.floor(cy) + rad); y++)
        for (let x = Math.max(0, Math.floor(cx) - rad); x <= Math.min(SX - 1, Math.floor(cx) + rad); x++) {
          const d2 = (x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2;
          signalF[x + SX * (y + SY * z)] += amp * Math.exp(-d2 / (2 * sigma * sigma));
        }
  }
  const cfos = Uint16Array.from(signalF, (v) => clamp16(v + 25 * gauss()));
  return {
    geometry: g, reference, cfos, autofluo,
    cellsAtlas: Float64Array.from(cellsA), cellsSample: Float64Array.from(cellsS), cellRegion: Int32Array.from(region), cellHemisphere: Int32Array.from(hemisphere),
  };
}

/** Known counts: region id → { left, right } cells (exclusive of child regions: cells lie in annotation labels). */
export function countsPerRegion(p: Pick<Phantom, 'cellRegion' | 'cellHemisphere'>): Record<string, { left: number; right: number }> {
  const out: Record<string, { left: number; right: number }> = {};
  for (let i = 0; i < p.cellRegion.length; i++) {
    const side = HEMISPHERES[p.cellHemisphere[i]];
    if (!side) throw new Error(`phantom: hemisphere value ${p.cellHemisphere[i]} is neither 1 (left) nor 2 (right)`);
    (out[p.cellRegion[i]] ??= { left: 0, right: 0 })[side]++;
  }
  return out;
}

/** Bump when the phantom's data changes, so an existing demo-data folder is rebuilt. */
export const PHANTOM_VERSION = 'allen-50um-1';

function phantomVersionOf(truthFile: string): unknown {
  try { return (JSON.parse(readFileSync(truthFile, 'utf8')) as { phantom?: unknown }).phantom; } catch { return undefined; }
}

/**
 * Write the phantom data set into `dir` (atomically: built in a temp folder, then renamed), unless it
 * is already there. Layout: atlas/reference.tif (the pseudo-reference, atlas space),
 * sample/cfos/Z\d{4}.tif (per-plane files, as LaVision writes), sample/autofluo.tif, truth.json.
 */
export async function writePhantom(dir: string, seed = 2024, files = defaultAtlasFiles()): Promise<{ dir: string; created: boolean }> {
  // data from an earlier phantom (e.g. the small ellipsoid one) is replaced, never reused
  if (existsSync(join(dir, 'truth.json')) && phantomVersionOf(join(dir, 'truth.json')) === PHANTOM_VERSION) return { dir, created: false };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'atlas'), { recursive: true });
  mkdirSync(join(tmp, 'sample', 'cfos'), { recursive: true });
  const p = await makePhantom(files, seed);
  const g = p.geometry;
  await writeStack(join(tmp, 'atlas', 'reference.tif'), p.reference, g.atlasShape, ATLAS_UM);
  await writeStack(join(tmp, 'sample', 'cfos', 'Z\\d{4}.tif'), p.cfos, g.sampleShape, SAMPLE_UM);
  await writeStack(join(tmp, 'sample', 'autofluo.tif'), p.autofluo, g.sampleShape, SAMPLE_UM);
  const n = p.cellRegion.length;
  writeFileSync(join(tmp, 'truth.json'), JSON.stringify({
    phantom: PHANTOM_VERSION, seed, annotation: files.annotation, hemispheres: files.hemispheres,
    atlasShape: g.atlasShape, atlasVoxelUm: ATLAS_UM, sampleShape: g.sampleShape, sampleVoxelUm: SAMPLE_UM, sampleOrientation: SAMPLE_ORIENTATION,
    warp: WARP, margin: MARGIN, cellCount: n,
    countsPerRegion: countsPerRegion(p),
    cells: Array.from({ length: n }, (_, i) => ({
      region: p.cellRegion[i], hemisphere: p.cellHemisphere[i],
      atlas: Array.from(p.cellsAtlas.subarray(3 * i, 3 * i + 3), (v) => +v.toFixed(4)),
      sample: Array.from(p.cellsSample.subarray(3 * i, 3 * i + 3), (v) => +v.toFixed(4)),
    })),
  }));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { dir, created: true };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2] ?? 'workflows/demo-data';
  const t0 = performance.now();
  const r = await writePhantom(out);
  console.log(r.created ? `phantom written to ${out} in ${((performance.now() - t0) / 1000).toFixed(1)} s` : `phantom already in ${out}`);
}
