// The small seeded phantom (ellipsoid atlas with five Allen-named regions, 25 µm) used by the group-statistics data (groups.ts) and the pictures demo; the demo workflow itself runs on real anatomy (phantom.ts).
// A seeded phantom for the demo and the end-to-end test: a small atlas (reference image, annotation,
// Allen-style label tree), and a "sample" imaged at 4x the atlas resolution whose autofluorescence
// channel is the atlas reference under a known affine warp and whose signal channel holds cells placed
// at known atlas positions. So the region counts the pipeline should find are known exactly.
//
// Conventions: coordinates [x, y, z] in voxels; the sample at atlas resolution relates to the atlas by
// atlas = A(sampleAtAtlasRes) (an affine about the volume centre); full-resolution sample voxels relate
// to atlas-resolution voxels by pixel-centre alignment, full = (res + 0.5) * F - 0.5 (as cv2.resize).
import { mkdirSync, writeFileSync, renameSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Shape3 } from '../../engine/data/volume.js';
import { gaussianRandom, seededRandom } from '../../engine/data/random.js';
import { boxBlur3, clamp16, trilinear, writeStack } from './volume-helpers.js';

export const ATLAS_SHAPE: Shape3 = [60, 72, 52];
export const ATLAS_UM = 25;
export const FACTOR = 4;
export const SAMPLE_SHAPE: Shape3 = [ATLAS_SHAPE[0] * FACTOR, ATLAS_SHAPE[1] * FACTOR, ATLAS_SHAPE[2] * FACTOR];
export const SAMPLE_UM = ATLAS_UM / FACTOR;

/** Leaf regions with the number of cells placed in each (Allen ids and acronyms). */
export const REGIONS = {
  root: { id: 997, name: 'root', acronym: 'root', color: 'FFFFFF', parent: null as number | null },
  grey: { id: 8, name: 'Basic cell groups and regions', acronym: 'grey', color: 'BFDAE3', parent: 997 },
  CTX: { id: 688, name: 'Cerebral cortex', acronym: 'CTX', color: 'B0FFB8', parent: 8 },
  MO: { id: 500, name: 'Somatomotor areas', acronym: 'MO', color: '1F9D5A', parent: 688 },
  SS: { id: 453, name: 'Somatosensory areas', acronym: 'SS', color: '188064', parent: 688 },
  STR: { id: 477, name: 'Striatum', acronym: 'STR', color: '98D6F9', parent: 8 },
  TH: { id: 549, name: 'Thalamus', acronym: 'TH', color: 'FF7080', parent: 8 },
  fiber: { id: 1009, name: 'fiber tracts', acronym: 'fiber tracts', color: 'CCCCCC', parent: 997 },
};
export const CELLS_PER_LEAF: Record<number, number> = { 500: 700, 453: 800, 477: 250, 549: 300, 1009: 100 };
const REFERENCE_LEVEL: Record<number, number> = { 0: 60, 500: 900, 453: 1050, 477: 1500, 549: 1850, 1009: 2600 };

/** The known warp: atlas = R·S·(x − c) + c + t (rotation about z, anisotropic scale, shift), in atlas voxels. */
export const WARP = { rotationDeg: 4, scale: [1.04, 0.97, 1.0] as const, shift: [1.5, -1.0, 0.8] as const };

const centre = ATLAS_SHAPE.map((s) => (s - 1) / 2) as [number, number, number];

export function warpToAtlas(p: [number, number, number]): [number, number, number] {
  const a = (WARP.rotationDeg * Math.PI) / 180, c = Math.cos(a), s = Math.sin(a);
  const d = [0, 1, 2].map((i) => (p[i] - centre[i]) * WARP.scale[i]);
  return [c * d[0] - s * d[1] + centre[0] + WARP.shift[0], s * d[0] + c * d[1] + centre[1] + WARP.shift[1], d[2] + centre[2] + WARP.shift[2]];
}

export function warpFromAtlas(q: [number, number, number]): [number, number, number] {
  const a = (WARP.rotationDeg * Math.PI) / 180, c = Math.cos(a), s = Math.sin(a);
  const e = [q[0] - centre[0] - WARP.shift[0], q[1] - centre[1] - WARP.shift[1], q[2] - centre[2] - WARP.shift[2]];
  const d = [c * e[0] + s * e[1], -s * e[0] + c * e[1], e[2]];
  return [d[0] / WARP.scale[0] + centre[0], d[1] / WARP.scale[1] + centre[1], d[2] / WARP.scale[2] + centre[2]];
}

/** Region id of an atlas position (continuous), from nested ellipsoids split front/back. */
export function regionAt(x: number, y: number, z: number): number {
  const [X, Y, Z] = ATLAS_SHAPE;
  const u = (x - centre[0]) / (0.42 * X), v = (y - centre[1]) / (0.43 * Y), w = (z - centre[2]) / (0.40 * Z);
  const r = Math.sqrt(u * u + v * v + w * w);
  if (r > 1) return 0;
  if (r > 0.72) return v < 0 ? REGIONS.MO.id : REGIONS.SS.id;
  if (r > 0.56) return REGIONS.fiber.id;
  return v < -0.05 ? REGIONS.STR.id : REGIONS.TH.id;
}

export interface Phantom {
  annotation: Uint16Array;
  reference: Uint16Array;
  cfos: Uint16Array;
  autofluo: Uint16Array;
  /** Cell centres in atlas voxels and in full-resolution sample voxels. */
  cellsAtlas: Float64Array;
  cellsSample: Float64Array;
  cellRegion: Int32Array;
  counts: Record<number, number>;
}

export function makePhantom(seed = 2024): Phantom {
  const rand = seededRandom(seed);
  const gauss = gaussianRandom(rand);
  const [X, Y, Z] = ATLAS_SHAPE;
  const n = X * Y * Z;
  const annotation = new Uint16Array(n);
  const refF = new Float32Array(n);
  for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) {
    const i = x + X * (y + Y * z);
    const id = regionAt(x, y, z);
    annotation[i] = id;
    // smooth texture so the B-spline stage has something to lock onto
    const tex = 1 + 0.12 * Math.sin(x / 3.1) * Math.cos(y / 4.3) + 0.08 * Math.sin(z / 2.7 + y / 5.9);
    refF[i] = REFERENCE_LEVEL[id] * (id ? tex : 1);
  }
  // soften region edges (1-voxel box blur, 3 passes ~ Gaussian) as a real tissue image would be
  const blurred = boxBlur3(refF, ATLAS_SHAPE, 3);
  const reference = Uint16Array.from(blurred, (v) => Math.round(v));

  // cells: uniform inside each leaf region, at least 1.5 atlas voxels from any other region
  const cellsA: number[] = [], region: number[] = [];
  const minDistSample = 5; // full-res voxels between cell centres, so blobs don't merge
  const placed: Array<[number, number, number]> = [];
  for (const [idStr, count] of Object.entries(CELLS_PER_LEAF)) {
    const id = Number(idStr);
    let got = 0, tries = 0;
    while (got < count) {
      if (++tries > count * 2000) throw new Error(`phantom: cannot place ${count} cells in region ${id}`);
      const p: [number, number, number] = [rand() * (X - 1), rand() * (Y - 1), rand() * (Z - 1)];
      if (regionAt(...p) !== id) continue;
      let interior = true;
      for (const d of [[1.5, 0, 0], [-1.5, 0, 0], [0, 1.5, 0], [0, -1.5, 0], [0, 0, 1.5], [0, 0, -1.5], [1.1, 1.1, 0], [-1.1, -1.1, 0], [1.1, -1.1, 0], [-1.1, 1.1, 0]]) {
        if (regionAt(p[0] + d[0], p[1] + d[1], p[2] + d[2]) !== id) { interior = false; break; }
      }
      if (!interior) continue;
      const s = toSample(warpFromAtlas(p));
      if (s.some((c, k) => c < 4 || c > SAMPLE_SHAPE[k] - 5)) continue;
      if (placed.some((q) => (q[0] - s[0]) ** 2 + (q[1] - s[1]) ** 2 + (q[2] - s[2]) ** 2 < minDistSample ** 2)) continue;
      placed.push(s);
      cellsA.push(...p);
      region.push(id);
      got++;
    }
  }

  // the sample: autofluorescence = warped reference, signal = dim tissue + cells + noise
  const [SX, SY, SZ] = SAMPLE_SHAPE;
  const sn = SX * SY * SZ;
  const autofluo = new Uint16Array(sn);
  const signalF = new Float32Array(sn);
  for (let z = 0; z < SZ; z++) for (let y = 0; y < SY; y++) for (let x = 0; x < SX; x++) {
    const res = [(x + 0.5) / FACTOR - 0.5, (y + 0.5) / FACTOR - 0.5, (z + 0.5) / FACTOR - 0.5] as [number, number, number];
    const q = warpToAtlas(res);
    const v = trilinear(blurred, ATLAS_SHAPE, q[0], q[1], q[2], REFERENCE_LEVEL[0]);
    const i = x + SX * (y + SY * z);
    autofluo[i] = clamp16(v + 15 * gauss());
    signalF[i] = 120 + 0.15 * v;
  }
  const sigma = 1.6, rad = 5;
  for (const s of placed) {
    const amp = 900 + 900 * rand();
    const [cx, cy, cz] = s;
    for (let z = Math.max(0, Math.floor(cz) - rad); z <= Math.min(SZ - 1, Math.floor(cz) + rad); z++)
      for (let y = Math.max(0, Math.floor(cy) - rad); y <= Math.min(SY - 1, Math.floor(cy) + rad); y++)
        for (let x = Math.max(0, Math.floor(cx) - rad); x <= Math.min(SX - 1, Math.floor(cx) + rad); x++) {
          const d2 = (x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2;
          signalF[x + SX * (y + SY * z)] += amp * Math.exp(-d2 / (2 * sigma * sigma));
        }
  }
  const cfos = Uint16Array.from(signalF, (v) => clamp16(v + 25 * gauss()));
  const counts: Record<number, number> = {};
  for (const id of region) counts[id] = (counts[id] ?? 0) + 1;
  return {
    annotation, reference, cfos, autofluo,
    cellsAtlas: Float64Array.from(cellsA), cellsSample: Float64Array.from(placed.flat()), cellRegion: Int32Array.from(region), counts,
  };
}

function toSample(res: [number, number, number]): [number, number, number] {
  return res.map((c) => (c + 0.5) * FACTOR - 0.5) as [number, number, number];
}

/** Allen structure-graph JSON of the phantom atlas. */
export function labelGraph(): unknown {
  const nodes = Object.values(REGIONS).map((r) => ({ id: r.id, name: r.name, acronym: r.acronym, color_hex_triplet: r.color, parent_structure_id: r.parent, children: [] as unknown[] }));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const n of nodes) if (n.parent_structure_id !== null) byId.get(n.parent_structure_id)!.children.push(n);
  return { msg: [byId.get(997)] };
}

/**
 * Write the phantom data set into `dir` (atomically: built in a temp folder, then renamed), unless it
 * is already there. Layout: atlas/{reference,annotation}.tif, atlas/labels.json,
 * sample/cfos/Z\d{4}.tif (per-plane files, as LaVision writes), sample/autofluo.tif, truth.json.
 */
export async function writePhantom(dir: string, seed = 2024): Promise<{ dir: string; created: boolean }> {
  if (existsSync(join(dir, 'truth.json'))) return { dir, created: false };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'atlas'), { recursive: true });
  mkdirSync(join(tmp, 'sample', 'cfos'), { recursive: true });
  const p = makePhantom(seed);
  await writeStack(join(tmp, 'atlas', 'reference.tif'), p.reference, ATLAS_SHAPE, ATLAS_UM);
  await writeStack(join(tmp, 'atlas', 'annotation.tif'), p.annotation, ATLAS_SHAPE, ATLAS_UM);
  writeFileSync(join(tmp, 'atlas', 'labels.json'), JSON.stringify(labelGraph(), null, 1));
  await writeStack(join(tmp, 'sample', 'cfos', 'Z\\d{4}.tif'), p.cfos, SAMPLE_SHAPE, SAMPLE_UM);
  await writeStack(join(tmp, 'sample', 'autofluo.tif'), p.autofluo, SAMPLE_SHAPE, SAMPLE_UM);
  writeFileSync(join(tmp, 'truth.json'), JSON.stringify({
    seed, atlasShape: ATLAS_SHAPE, atlasVoxelUm: ATLAS_UM, sampleShape: SAMPLE_SHAPE, sampleVoxelUm: SAMPLE_UM, warp: WARP,
    countsPerLeafRegion: p.counts,
    cells: Array.from({ length: p.cellRegion.length }, (_, i) => ({ region: p.cellRegion[i], atlas: Array.from(p.cellsAtlas.subarray(3 * i, 3 * i + 3)), sample: Array.from(p.cellsSample.subarray(3 * i, 3 * i + 3)) })),
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
