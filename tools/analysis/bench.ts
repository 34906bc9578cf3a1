// Benchmarks for the analysis kernels at atlas size (Allen CCF 25 µm grid 456 x 528 x 320). Reports wall
// time and this process's CPU time (the latter is the fairer number on a shared machine) and peak RSS.
//   node dist/tools/analysis/bench.js voxelize <Spherical|Rectangular|Gaussian|Pixel> [points=1e6] [size=5]
//   node dist/tools/analysis/bench.js ttest                     kernel on 2 x 4 maps in memory, 16-plane slabs
//   node dist/tools/analysis/bench.js ttest-node <dir> [workers=2]   the ttest-voxels node on 2 x 4 int32 map
//                                                                files in <dir> (written once), engine worker pool
//   node dist/tools/analysis/bench.js count [points=1e6]        region counts on an atlas-size synthetic annotation
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { voxelize, type VoxelizeMethod } from '../../nodes/analysis/lib/voxelize.js';
import { tTestVoxels } from '../../nodes/analysis/lib/statistics.js';
import { ttestVoxelsNode } from '../../nodes/analysis/ttest-voxels/node.js';
import type { Shape3, TypedArray } from '../../engine/data/volume.js';
import { rawVolumeRef, readRawRegion } from '../../engine/data/raw-volume.js';
import { readRegion } from '../../engine/data/read.js';
import { ChunkPool } from '../../engine/scheduler/pool.js';
import { nodeParams } from '../../engine/workflow/validate.js';
import { makeSyntheticAtlas, seededRandom } from './synthetic-atlas.js';
import { LabelTree } from '../../nodes/analysis/lib/atlas/label-tree.js';
import { countPointsInRegions } from '../../nodes/analysis/lib/atlas/regions.js';

const shape: Shape3 = [456, 528, 320];
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;

function randomPoints(n: number, rnd: () => number): Float64Array {
  const p = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) { p[3 * i] = rnd() * shape[0]; p[3 * i + 1] = rnd() * shape[1]; p[3 * i + 2] = rnd() * shape[2]; }
  return p;
}

function timed<T>(label: string, f: () => T): T {
  const c0 = process.cpuUsage(), t0 = performance.now();
  const r = f();
  const cpu = process.cpuUsage(c0);
  console.log(`${label}: wall ${(performance.now() - t0).toFixed(0)} ms, cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, rss ${mb(process.memoryUsage().rss)}`);
  return r;
}

/** 2 x 4 heat maps of 2e5 points each (size-5 spheres); group B has 30% more cells in the x < 228 half. */
function makeMaps(): TypedArray[][] {
  const rnd = seededRandom(42);
  return [0, 1].map((g) => Array.from({ length: 4 }, () => {
    const pts = randomPoints(g ? 2.6e5 : 2e5, rnd);
    if (g) for (let i = 2e5; i < 2.6e5; i++) pts[3 * i] *= 0.5;
    return voxelize(pts, shape, { method: 'Spherical', size: [5, 5, 5] });
  }));
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'voxelize') {
  const method = (rest[0] ?? 'Spherical') as VoxelizeMethod;
  const n = Number(rest[1] ?? 1e6), size = Number(rest[2] ?? 5);
  const pts = randomPoints(n, seededRandom(1));
  const v = timed(`voxelize ${n} points ${method} size ${size} into ${shape.join('x')}`, () => voxelize(pts, shape, { method, size: [size, size, size] }));
  let s = 0; for (let i = 0; i < v.length; i++) s += v[i];
  console.log(`sum of heat map ${s.toFixed(1)} (${v.constructor.name})`);
} else if (mode === 'ttest') {
  const [A, B] = makeMaps();
  const plane = shape[0] * shape[1], N = plane * shape[2];
  for (const equalVar of [false, true]) {
    const p = new Float32Array(N), sign = new Int8Array(N);
    timed(`t-test kernel 2x4 maps ${shape.join('x')} (${equalVar ? 'pooled' : 'Welch'})`, () => {
      for (let z = 0; z < shape[2]; z += 16) {
        const a = z * plane, b = Math.min(shape[2], z + 16) * plane;
        tTestVoxels(A.map((v) => v.subarray(a, b)), B.map((v) => v.subarray(a, b)), p.subarray(a, b), sign.subarray(a, b), { equalVar });
      }
    });
    let sig = 0; for (let i = 0; i < N; i++) if (p[i] < 0.05) sig++;
    console.log(`  ${sig} voxels with p < 0.05`);
  }
} else if (mode === 'ttest-node') {
  const dir = rest[0];
  if (!dir) throw new Error('ttest-node needs a directory for the map files');
  const workers = Number(rest[1] ?? 2);
  mkdirSync(dir, { recursive: true });
  const files = [0, 1].map((g) => [0, 1, 2, 3].map((k) => join(dir, `map${g}${k}.raw`)));
  if (!files.flat().every(existsSync)) {
    makeMaps().forEach((grp, g) => grp.forEach((v, k) => writeFileSync(files[g][k], new Uint8Array(v.buffer, v.byteOffset, v.byteLength))));
  }
  const refs = files.map((grp) => grp.map((f) => rawVolumeRef(f, shape, 'int32', [25, 25, 25])));
  const work = join(dir, `work-${Date.now()}`);
  mkdirSync(work);
  const pool = new ChunkPool(workers);
  const c0 = process.cpuUsage(), t0 = performance.now();
  const out = await ttestVoxelsNode.run({ groupA: { kind: 'json', value: refs[0] }, groupB: { kind: 'json', value: refs[1] } }, nodeParams(ttestVoxelsNode), {
    nodeId: 'bench', workDir: work, baseDir: dir, outDir: dir, workers, log: console.log, progress: () => {},
    readVolume: (r, region) => readRegion(r, region),
    parallel: (tasks) => Promise.all(tasks.map((t) => pool.runTask(t))) as never,
    signal: new AbortController().signal,
  });
  const cpu = process.cpuUsage(c0);
  console.log(`ttest-voxels node, 2x4 int32 maps ${shape.join('x')}, ${workers} workers: wall ${(performance.now() - t0).toFixed(0)} ms (main-thread cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms), rss ${mb(process.memoryUsage().rss)}`);
  await pool.close();
  const p = await readRawRegion((out.pvalues as { args: Record<string, unknown> }).args, { z: [160, 161] });
  let sig = 0; for (let i = 0; i < p.data.length; i++) if (p.data[i] < 0.05) sig++;
  console.log(`  plane z=160: ${sig} voxels with p < 0.05`);
} else if (mode === 'count') {
  const atlas = makeSyntheticAtlas(1, shape);
  const tree = LabelTree.fromAllenJson(atlas.graph);
  const pts = randomPoints(Number(rest[0] ?? 1e6), seededRandom(3));
  for (const level of [undefined, 3]) {
    const c = timed(`count-regions ${pts.length / 3} points on a ${shape.join('x')} annotation${level === undefined ? '' : ` at level ${level}`}`,
      () => countPointsInRegions(pts, atlas.annotation, tree, { level, allIds: true }));
    console.log(`  ${c.ids.length} regions, ${c.unknownIds.length} unknown`);
  }
} else {
  console.error('usage: bench.js voxelize <method> [points] [size] | ttest | ttest-node <dir> [workers] | count [points]');
  process.exit(2);
}
