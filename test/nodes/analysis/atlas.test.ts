// Atlas labels on the seeded synthetic atlas (tools/analysis/synthetic-atlas.ts): label tree from
// ClearMap's CSV and Allen JSON, levels/collapse, region counts, unknown ids, region masks.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabelTree } from '../../../nodes/analysis/lib/atlas/label-tree.js';
import { countPointsInRegions, labelPoints, regionTable, regionMask, isolateRegion } from '../../../nodes/analysis/lib/atlas/regions.js';
import { makeSyntheticAtlas, seededRandom } from '../../../tools/analysis/synthetic-atlas.js';
import { makeVolume } from '../../../engine/data/volume.js';
import { loadFixture } from './_helpers.js';

const atlas = makeSyntheticAtlas(7);
const fromCsv = LabelTree.fromAnnotationCsv(atlas.csv, 'synthetic.csv');
const fromJson = LabelTree.fromAllenJson({ msg: [atlas.graph] }, 'synthetic.json');
const [X, Y, Z] = atlas.annotation.shape;

function randomPoints(n: number, seed: number): Float64Array {
  const rnd = seededRandom(seed);
  const p = new Float64Array(3 * n);
  // a margin of 3 voxels outside the grid on each side, so some points fall outside
  for (let i = 0; i < n; i++) { p[3 * i] = rnd() * (X + 6) - 3; p[3 * i + 1] = rnd() * (Y + 6) - 3; p[3 * i + 2] = rnd() * (Z + 6) - 3; }
  return p;
}

test('ClearMap CSV and Allen JSON give the same tree: ids, parents, levels, collapse, colours', (t) => {
  t.deepEqual([...fromCsv.ids].sort((a, b) => a - b), [...fromJson.ids].sort((a, b) => a - b));
  for (const id of fromCsv.ids) {
    const a = fromCsv.get(id)!, b = fromJson.get(id)!;
    t.deepEqual([a.parent, a.level, a.collapse, a.acronym, a.name, a.color], [b.parent, b.level, b.collapse, b.acronym, b.name, b.color], `region ${id}`);
  }
  t.is(fromCsv.get(997)!.level, 0);
  t.is(fromCsv.get(0)!.level, 0, 'background is top level, as in ClearMap');
  t.is(fromCsv.get(8)!.level, 1);
  t.is(fromCsv.get(500)!.level, 3);
  t.is(fromCsv.get(107)!.level, 4);
  t.is(fromCsv.labelAtLevel(107, 2), 688);
  t.is(fromCsv.labelAtLevel(107, 9), 107);
  t.is(fromCsv.labelAtLevel(4242, 1), 4242, 'unknown ids are returned unchanged (ClearMap)');
  t.is(fromCsv.labelAtCollapse(12994), 453, 'layer collapses to its area');
  t.is(fromCsv.labelAtCollapse(672), 477, 'CP is not marked: up to STR');
  t.is(fromCsv.labelAtCollapse(549), 549, 'TH is marked itself');
  t.is(fromCsv.resolve('CTX'), 688);
  t.deepEqual([...fromCsv.descendants(477)].sort((a, b) => a - b), [56, 477, 672]);
});

test('quoted CSV fields with commas parse (ClearMap table style)', (t) => {
  const tree = LabelTree.fromAnnotationCsv('id,name,acronym,red,green,blue,structure_order,parent_id,parent_acronym,collapse\n'
    + '997,root,root,255,255,255,0,,,x\n184,"Frontal pole, cerebral cortex",FRP,112,255,113,600,997,root,x\n68,"Frontal pole, layer 1",FRP1,121,161,59,700,184,FRP,\n');
  t.is(tree.get(184)!.name, 'Frontal pole, cerebral cortex');
  t.is(tree.get(68)!.parent, 184);
  t.false(tree.get(68)!.collapse);
  t.true(tree.get(184)!.collapse);
});

test('region counts at level N equal the sum over each region\'s descendants; totals are preserved', (t) => {
  const pts = randomPoints(20000, 11);
  const full = countPointsInRegions(pts, atlas.annotation, fromCsv);
  const byId = new Map(full.ids.map((id, i) => [id, full.counts[i]]));
  const total = full.counts.reduce((a, b) => a + b, 0);
  t.is(total, 20000);
  t.true((byId.get(0) ?? 0) > 0, 'points outside the grid and in background get label 0');
  for (let level = 0; level <= 4; level++) {
    const c = countPointsInRegions(pts, atlas.annotation, fromCsv, { level });
    t.is(c.counts.reduce((a, b) => a + b, 0), total, `level ${level} keeps every point`);
    for (let i = 0; i < c.ids.length; i++) {
      const r = fromCsv.get(c.ids[i])!;
      t.true(r.level <= level, `level ${level}: region ${r.acronym} is at level ${r.level}`);
      if (r.level === level) {
        let want = 0;
        for (const d of fromCsv.descendants(r.id)) want += byId.get(d) ?? 0;
        t.is(c.counts[i], want, `level ${level}: ${r.acronym}`);
      }
    }
  }
  const collapsed = countPointsInRegions(pts, atlas.annotation, fromCsv, { collapse: true });
  const ss = collapsed.counts[collapsed.ids.indexOf(453)];
  t.is(ss, [453, 12993, 12994, 12995].reduce((a, id) => a + (byId.get(id) ?? 0), 0));
});

test('weighted sums, allIds rows and unknown ids are reported, not dropped', (t) => {
  const data = atlas.annotation.data.slice();
  const idx = 5 + X * (6 + Y * 7);
  data[idx] = 4242; // a label the table does not know
  const ann = makeVolume(data, atlas.annotation.shape);
  const pts = Float64Array.of(5.5, 6.2, 7.9, 5.1, 6.9, 7.0, -1, 0, 0, 32, 40, 24);
  const w = [2, 3, 100, 0.5];
  const c = countPointsInRegions(pts, ann, fromCsv, { weights: w, allIds: true });
  t.deepEqual(c.unknownIds, [4242]);
  const i = c.ids.indexOf(4242);
  t.is(c.counts[i], 2);
  t.is(c.sums![i], 5);
  t.is(c.sums![c.ids.indexOf(0)], 100, 'outside point → background 0');
  t.is(c.ids.length, fromCsv.ids.length + 1, 'every table id plus the unknown one');
  t.is(c.counts[c.ids.indexOf(997)], 0, 'an empty region (root labels no voxel) is listed with count 0');
  const table = regionTable(fromCsv, c, 'count', 'raw');
  t.deepEqual(table.columns, ['id', 'acronym', 'name', 'parent', 'level', 'count', 'raw']);
  t.deepEqual(table.rows[i], [4242, '', '(not in label table)', null, null, 2, 5]);
  t.deepEqual(c.ids, [...c.ids].sort((a, b) => a - b));
  // at a level, allIds adds only regions that can receive counts there
  const l2 = countPointsInRegions(pts, ann, fromCsv, { level: 2, allIds: true });
  t.true(l2.ids.every((id) => !fromCsv.has(id) || fromCsv.get(id)!.level <= 2));
});

test('labelPoints: voxel = int(coordinate), outside → 0; level mapping', (t) => {
  const ann = makeVolume(Uint16Array.from({ length: 8 }, (_, i) => [107, 219, 12993, 56, 672, 803, 549, 1097][i]), [2, 2, 2]);
  const pts = Float64Array.of(0.9, 0.9, 0.9, 1.2, 0, 0, 1.99, 1.99, 1.99, 2, 0, 0, -0.001, 0, 0);
  t.deepEqual(Array.from(labelPoints(pts, ann)), [107, 219, 1097, 0, 0]);
  t.deepEqual(Array.from(labelPoints(pts, ann, fromCsv, { level: 2 })), [688, 688, 343, 0, 0]);
  t.throws(() => labelPoints(pts, ann, undefined, { level: 2 }), { message: /needs a label tree/ });
});

test('region mask and isolation cover the region and all its descendants', (t) => {
  const mask = regionMask(atlas.annotation, fromCsv, 688);
  const ctx = fromCsv.descendants(688);
  let want = 0, got = 0;
  for (let i = 0; i < mask.length; i++) { if (ctx.has(atlas.annotation.data[i])) want++; got += mask[i]; }
  t.true(want > 1000);
  t.is(got, want);
  const iso = isolateRegion(atlas.annotation, atlas.annotation, fromCsv, 477);
  const left = new Set(iso.data);
  t.deepEqual([...left].sort((a, b) => a - b), [0, 56, 672]);
  t.throws(() => regionMask(atlas.annotation, fromCsv, 31337), { message: /31337 is not in the label table/ });
});

test('label files: errors name the file and the problem', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cm-labels-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'id,name,acronym,red,green,blue,structure_order,parent_id,parent_acronym,collapse\n5,a,A,0,0,0,0,77,,\n');
  t.throws(() => LabelTree.load(bad), { message: /bad\.csv: region 5 \(A\) has parent 77, which is not in the table/ });
  const dup = join(dir, 'dup.json');
  writeFileSync(dup, JSON.stringify({ id: 1, acronym: 'a', children: [{ id: 1, acronym: 'b' }] }));
  t.throws(() => LabelTree.load(dup), { message: /dup\.json: region id 1 appears twice/ });
  t.throws(() => LabelTree.load(join(dir, 'x.txt')), { message: /x\.txt/ });
  const ok = join(dir, 'graph.json');
  writeFileSync(ok, JSON.stringify({ msg: [atlas.graph] }));
  t.is(LabelTree.load(ok).get(107)!.level, 4);
});

test('countPointsInRegions equals a port of ClearMap Label.py (counts, level, collapse, allIds, intensity sums)', (t) => {
  const fx = loadFixture('atlas-counts.json');
  const a = makeSyntheticAtlas(fx.atlas.seed, fx.atlas.shape);
  const tree = LabelTree.fromAnnotationCsv(a.csv);
  const pts = Float64Array.from(fx.points);
  for (const c of fx.cases) {
    const r = countPointsInRegions(pts, a.annotation, tree, {
      level: c.level ?? undefined, collapse: c.collapse, allIds: c.allIds, weights: c.weighted ? fx.intensities : undefined,
    });
    t.deepEqual(r.ids, c.ids, `${c.name}: ids`);
    t.deepEqual(r.counts, c.counts, `${c.name}: counts`);
    if (c.weighted) r.sums!.forEach((s, i) => t.true(Math.abs(s - c.sums[i]) <= 1e-9 * Math.max(1, Math.abs(c.sums[i])), `${c.name}: sum of region ${r.ids[i]}`));
  }
});
