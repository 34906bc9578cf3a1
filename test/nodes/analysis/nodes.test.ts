// The analysis node types run through their contract (run(inputs, params, ctx)) on files: the context
// reads volumes with the engine's readRegion, outputs are MHD/RAW files read back from disk.
import test from 'ava';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeContext, WholeNodeType } from '../../../engine/core/node-type.js';
import type { Artefact, VolumeRef } from '../../../engine/core/artefacts.js';
import { readRegion } from '../../../engine/data/read.js';
import { writeMhdHeader, rawVolumeRef } from '../../../engine/data/raw-volume.js';
import { makePoints } from '../../../engine/data/points.js';
import { tableToCsv, type Table } from '../../../engine/data/table.js';
import type { Shape3, TypedArray, DType } from '../../../engine/data/volume.js';
import { analysisNodeTypes } from '../../../nodes/analysis/index.js';
import { voxelize } from '../../../nodes/analysis/lib/voxelize.js';
import { tTestVoxels, tTestIndependent, groupStatistics, benjaminiHochberg, colorPValues } from '../../../nodes/analysis/lib/statistics.js';
import { makeSyntheticAtlas, writeSyntheticAtlas, seededRandom } from '../../../tools/analysis/synthetic-atlas.js';
import { openVolume } from '../../../nodes/io/lib/formats.js';
import { ChunkPool } from '../../../engine/scheduler/pool.js';
import { resolvePathParams } from '../../../engine/workflow/paths.js';

/** A node type whose run() sees its path params resolved against ctx.baseDir, as the engine passes them. */
const node = (name: string): WholeNodeType => {
  const t = analysisNodeTypes.find((n) => n.type === name) as WholeNodeType;
  return { ...t, run: (inputs, params, ctx) => t.run(inputs, resolvePathParams(t.params, params, ctx.baseDir), ctx) };
};
const root = mkdtempSync(join(tmpdir(), 'cm-analysis-nodes-'));
let dirs = 0;
test.after.always(() => rmSync(root, { recursive: true, force: true }));

/** The test context: volumes read with the engine's readRegion; parallel tasks run in this thread, or on the engine's worker pool if given. */
function context(nodeId: string, pool?: ChunkPool): NodeContext {
  const workDir = join(root, `work-${dirs++}`);
  mkdirSync(workDir);
  return {
    nodeId, workDir, baseDir: root, outDir: join(root, 'out'), workers: 1,
    log: () => {}, progress: () => {},
    readVolume: (ref, region) => readRegion(ref, region),
    parallel: pool ? (tasks) => Promise.all(tasks.map((t) => pool.runTask(t))) as any : async (tasks) => Promise.all(tasks.map(async (t) => ((await import(t.module)) as Record<string, (a: unknown) => unknown>)[t.export](t.args))) as any,
    signal: new AbortController().signal,
  };
}

async function readAll(ref: Artefact): Promise<TypedArray> {
  return (await readRegion(ref as VolumeRef)).data;
}

function writeVolume(name: string, data: TypedArray, shape: Shape3, dtype: DType): string {
  writeFileSync(join(root, `${name}.raw`), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  writeMhdHeader(join(root, `${name}.mhd`), `${name}.raw`, shape, dtype, [25, 25, 25]);
  return `${name}.mhd`;
}

function randomCells(n: number, seed: number, shape: Shape3, shift = 0): Float64Array {
  const rnd = seededRandom(seed);
  const p = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) { p[3 * i] = rnd() * shape[0] * (1 - shift) + shift * shape[0]; p[3 * i + 1] = rnd() * shape[1]; p[3 * i + 2] = rnd() * shape[2]; }
  return p;
}

const atlasFiles = writeSyntheticAtlas(join(root, 'atlas'), 5, [32, 40, 24]);
const atlas = makeSyntheticAtlas(5, [32, 40, 24]);
const shape = atlas.annotation.shape;

test('analysisNodeTypes: eight whole nodes with unique names and object param schemas', (t) => {
  t.deepEqual(analysisNodeTypes.map((n) => n.type).sort(), ['atlas', 'color-pvalues', 'count-regions', 'group-maps', 'isolate-region', 'ttest-regions', 'ttest-voxels', 'voxelize']);
  for (const n of analysisNodeTypes) { t.is(n.kind, 'whole'); t.is(n.params.type, 'object'); }
});

test('voxelize node: heat map on the reference grid equals the kernel; weights column; clear errors', async (t) => {
  const reference = (await openVolume(atlasFiles.mhd)).ref;
  const coords = randomCells(500, 1, shape);
  const raw = Float64Array.from({ length: 500 }, (_, i) => (i % 7) + 1);
  const points: Artefact = { kind: 'points', points: makePoints(coords, { raw }) };
  const out = await node('voxelize').run({ points, reference }, { method: 'Spherical', size: [5, 5, 5] }, context('vox'));
  const ref = out.heatmap as VolumeRef;
  t.deepEqual(ref.shape, shape); t.is(ref.dtype, 'int32'); t.deepEqual(ref.voxelSize, [25, 25, 25]);
  t.deepEqual(Array.from(await readAll(ref)), Array.from(voxelize(coords, shape, { size: [5, 5, 5] })));
  const w = await node('voxelize').run({ points }, { method: 'Rectangular', size: [3, 3, 3], weights: 'raw', shape: [10, 12, 14] }, context('voxw'));
  t.is((w.heatmap as VolumeRef).dtype, 'float32');
  t.deepEqual(Array.from(await readAll(w.heatmap)), Array.from(voxelize(coords, [10, 12, 14], { method: 'Rectangular', size: [3, 3, 3], weights: raw })));
  await t.throwsAsync(node('voxelize').run({ points, reference }, { shape: [4, 4, 4] }, context('vox-err0')), { message: /param 'shape' \[4,4,4\] differs from the reference volume's shape \[32,40,24\]/ });
  await t.throwsAsync(node('voxelize').run({ points }, {}, context('vox-err')), { message: /node 'vox-err': wire a 'reference' volume or set param 'shape'/ });
  // isolate-region keeps the heat map inside CTX (and its layers) only
  const iso = await node('isolate-region').run({ input: ref, annotation: reference }, { labels: 'atlas/structure_graph.json', region: 'CTX' }, context('iso'));
  const heat = await readAll(ref), kept = await readAll(iso.output);
  const ctxIds = new Set([688, 500, 453, 107, 219, 299, 12993, 12994, 12995]);
  let inside = 0;
  for (let i = 0; i < heat.length; i++) {
    const want = ctxIds.has(atlas.annotation.data[i]) ? heat[i] : 0;
    if (kept[i] !== want) { t.fail(`voxel ${i}: ${kept[i]} instead of ${want}`); break; }
    if (want) inside++;
  }
  t.true(inside > 0);
  await t.throwsAsync(node('isolate-region').run({ input: ref, annotation: reference }, { labels: 'atlas/structure_graph.json', region: 'XYZ' }, context('iso2')), { message: /param 'region': .*no region with acronym 'XYZ'/ });
  await t.throwsAsync(node('voxelize').run({ points }, { shape: [4, 4, 4], weights: 'dog' }, context('vox-err2')), { message: /column 'dog', but the points have \[raw\]/ });
});

test('count-regions node: table rows per region, unknown labels reported, level mapping', async (t) => {
  const annotation = (await openVolume(atlasFiles.mhd)).ref;
  const coords = randomCells(3000, 2, shape);
  const points: Artefact = { kind: 'points', points: makePoints(coords) };
  const out = await node('count-regions').run({ points, annotation }, { labels: 'atlas/annotation_info.csv', countColumn: 'sample1' }, context('count'));
  const table = (out.table as { table: Table }).table;
  t.deepEqual(table.columns, ['id', 'acronym', 'name', 'parent', 'level', 'sample1', 'volume_mm3', 'density', 'total_count', 'total_volume_mm3', 'total_density', 'structure_id_path']);
  t.is(table.rows.reduce((s, r) => s + (r[5] as number), 0), 3000);
  t.deepEqual((out.unknown as { value: { unknownIds: number[] } }).value.unknownIds, []);
  t.true(table.rows.some((r) => r[1] === 'MO1' && (r[5] as number) > 0));
  const l2 = await node('count-regions').run({ points, annotation }, { labels: 'atlas/structure_graph.json', level: 2 }, context('count2'));
  const rows2 = (l2.table as { table: Table }).table.rows;
  const ctx = rows2.find((r) => r[1] === 'CTX')!;
  const ctxDescendants = ['MO1', 'MO2/3', 'MO5', 'SS1', 'SS2/3', 'SS4'];
  t.is(ctx[5], table.rows.filter((r) => ctxDescendants.includes(r[1] as string)).reduce((s, r) => s + (r[5] as number), 0));
  // a label file missing a region the annotation uses: its rows are kept and reported
  const partial = atlas.csv.split('\n').filter((l) => !l.startsWith('803,')).join('\n');
  writeFileSync(join(root, 'partial.csv'), partial);
  const u = await node('count-regions').run({ points, annotation }, { labels: 'partial.csv' }, context('count3'));
  const unknown = (u.unknown as { value: { unknownIds: number[]; pointsWithUnknownLabel: number } }).value;
  t.deepEqual(unknown.unknownIds, [803]);
  t.true(unknown.pointsWithUnknownLabel > 0);
  const row = (u.table as { table: Table }).table.rows.find((r) => r[0] === 803)!;
  t.is(row[2], '(not in label table)');
  t.is(row[5], unknown.pointsWithUnknownLabel);
});

test('ttest-voxels and group-maps nodes stream slabs and equal the kernels on whole arrays', async (t) => {
  const maps: { A: Int32Array[]; B: Int32Array[] } = { A: [], B: [] };
  const files: { A: string[]; B: string[] } = { A: [], B: [] };
  for (const g of ['A', 'B'] as const) for (let k = 0; k < 3; k++) {
    const v = voxelize(randomCells(400, (g === 'A' ? 10 : 20) + k, shape, g === 'A' ? 0 : 0.3), shape, { size: [5, 5, 5] }) as Int32Array;
    maps[g].push(v); files[g].push(writeVolume(`map${g}${k}`, v, shape, 'int32'));
  }
  const n = shape[0] * shape[1] * shape[2];
  for (const equalVar of [false, true]) {
    // slabBytes forces slabs of 2 planes: 12 slabs
    const out = await node('ttest-voxels').run({}, { groupA: files.A, groupB: files.B, equalVar, slabBytes: 6 * 32 * 40 * 8 * 2 }, context('tt'));
    const p = new Float32Array(n), s = new Float32Array(n);
    tTestVoxels(maps.A, maps.B, p, s, { equalVar });
    t.deepEqual(Array.from(await readAll(out.pvalues)), Array.from(p));
    t.deepEqual(Array.from(await readAll(out.sign)), Array.from(s));
    t.true(s.some((v) => v > 0) && s.some((v) => v < 0));
    if (!equalVar) {
      // colour the result: slab-streamed output equals colorPValues on the whole arrays
      const c = await node('color-pvalues').run({ pvalues: out.pvalues, sign: out.sign }, { positive: [255, 0, 0], negative: [0, 255, 0] }, context('color'));
      const path = (c.colored as { path: string }).path;
      t.regex(readFileSync(path, 'utf8'), /ElementNumberOfChannels = 3/);
      const want = colorPValues(p, s, { positive: [255, 0, 0], negative: [0, 255, 0] });
      const got = new Float32Array(readFileSync(path.replace('.mhd', '.raw')).buffer.slice(0));
      t.deepEqual(Array.from(got), Array.from(want.data));
    }
  }
  // the same on the engine's worker pool (2 threads): slab tasks write their parts of the outputs in place
  const pool = new ChunkPool(2);
  try {
    // refs read by the engine's raw reader: nodes/io's reader cannot load in pool workers yet (geotiff's
    // web-worker polyfill mistakes any worker thread for its own worker; reported to the lead)
    const raw = (g: 'A' | 'B') => ({ kind: 'json' as const, value: files[g].map((f) => rawVolumeRef(join(root, f.replace('.mhd', '.raw')), shape, 'int32', [25, 25, 25])) });
    const out = await node('ttest-voxels').run({ groupA: raw('A'), groupB: raw('B') }, { slabBytes: 6 * 32 * 40 * 8 * 3 }, context('tt-pool', pool));
    const p = new Float32Array(n);
    tTestVoxels(maps.A, maps.B, p, undefined);
    t.deepEqual(Array.from(await readAll(out.pvalues)), Array.from(p));
  } finally {
    await pool.close();
  }
  // inputs wired as json lists of volume references take precedence over params
  const refs = await Promise.all(files.A.map(async (f) => (await openVolume(join(root, f))).ref));
  const gm = await node('group-maps').run({ group: { kind: 'json', value: refs } }, { slabBytes: 1 }, context('gm'));
  const o = { mean: new Float32Array(n), std: new Float32Array(n), var: new Float32Array(n) };
  groupStatistics(maps.A, o);
  for (const k of ['mean', 'std', 'var'] as const) t.deepEqual(Array.from(await readAll(gm[k])), Array.from(o[k]), k);
  // errors name the problem
  writeVolume('small', new Int32Array(8), [2, 2, 2], 'int32');
  await t.throwsAsync(node('ttest-voxels').run({}, { groupA: files.A, groupB: [...files.B.slice(1), 'small.mhd'] }, context('tt-err')),
    { message: /groupB\[2\] .*small\.mhd.* has shape \[2,2,2\], but groupA\[0\] .* has \[32,40,24\]/ });
  await t.throwsAsync(node('ttest-voxels').run({}, { groupA: files.A.slice(0, 1), groupB: files.B }, context('tt-err2')), { message: /groupA has 1 heat map\(s\)/ });
  await t.throwsAsync(node('ttest-voxels').run({}, { groupB: files.B }, context('tt-err3')), { message: /wire a json list to input 'groupA' or set param 'groupA'/ });
});

test('ttest-regions node: per-region Welch test on count tables, BH column, rows matched by id', async (t) => {
  const annotation = (await openVolume(atlasFiles.mhd)).ref;
  const paths: { A: string[]; B: string[] } = { A: [], B: [] };
  const tables: { A: Table[]; B: Table[] } = { A: [], B: [] };
  for (const g of ['A', 'B'] as const) for (let k = 0; k < 4; k++) {
    const coords = randomCells(g === 'A' ? 2000 : 2600, 100 + k + (g === 'A' ? 0 : 50), shape);
    const out = await node('count-regions').run({ points: { kind: 'points', points: makePoints(coords) }, annotation }, { labels: 'atlas/annotation_info.csv' }, context('c'));
    const table = (out.table as { table: Table }).table;
    tables[g].push(table);
    const f = `counts${g}${k}.csv`;
    writeFileSync(join(root, f), tableToCsv(table));
    paths[g].push(f);
  }
  const res = await node('ttest-regions').run({}, { groupA: paths.A, groupB: paths.B }, context('tr'));
  const out = (res.table as { table: Table }).table;
  t.deepEqual(out.columns, ['id', 'acronym', 'name', 'parent', 'level', 'mean_A', 'std_A', 'mean_B', 'std_B', 't', 'p', 'sign', 'p_bh', 'q']);
  const col = (c: string) => out.columns.indexOf(c);
  const countOf = (tb: Table, id: number) => (tb.rows.find((r) => r[0] === id)?.[5] as number) ?? 0;
  for (const r of out.rows) {
    const id = r[0] as number;
    const want = tTestIndependent(tables.A.map((tb) => countOf(tb, id)), tables.B.map((tb) => countOf(tb, id)), false);
    t.is(r[col('p')], Number.isNaN(want.p) ? 1 : want.p, `region ${id}`);
  }
  const bh = benjaminiHochberg(out.rows.map((r) => r[col('p')] as number));
  t.deepEqual(out.rows.map((r) => r[col('p_bh')]), Array.from(bh));
  t.true(out.rows.some((r) => (r[col('sign')] as number) < 0), 'group B has more cells');
  const wired = await node('ttest-regions').run({ groupA: { kind: 'json', value: tables.A }, groupB: { kind: 'json', value: tables.B } }, {}, context('tr2'));
  t.deepEqual((wired.table as { table: Table }).table.rows, out.rows);
  await t.throwsAsync(node('ttest-regions').run({}, { groupA: paths.A, groupB: paths.B, countColumn: 'cells' }, context('tr3')), { message: /countsA0\.csv: no column 'cells'/ });
});
