// Region tables on the real Allen annotation (the in-box 50 µm atlas) against a direct numpy count
// (Debian's /usr/bin/python3) that reads BrainGlobe's structures.json itself: exclusive and rolled-up
// counts per hemisphere, counts at a level, volumes = voxel counts x voxel volume, densities, sums.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeContext, WholeNodeType } from '../../../engine/core/node-type.js';
import type { Artefact, VolumeRef } from '../../../engine/core/artefacts.js';
import { readRegion } from '../../../engine/data/read.js';
import { makePoints } from '../../../engine/data/points.js';
import { seededRandom } from '../../../engine/data/random.js';
import type { Table } from '../../../engine/data/table.js';
import { analysisNodeTypes } from '../../../nodes/analysis/index.js';
import { inBoxAtlasDirectory } from '../../../nodes/analysis/lib/atlas/atlas-store.js';

const node = (name: string) => analysisNodeTypes.find((n) => n.type === name) as WholeNodeType;
const root = mkdtempSync(join(tmpdir(), 'cm-region-numpy-'));
process.env.CLEARMAP_ATLAS_DIR = join(root, 'atlas-dir');
let dirs = 0;
/** The in-box atlas through the atlas node, run once per file (tests share its outputs). */
let inBoxRun: ReturnType<WholeNodeType['run']> | undefined;
const inBox = () => (inBoxRun ??= node('atlas').run({}, { atlas: 'allen_mouse_50um' }, context('atlas')));
test.after.always(() => rmSync(root, { recursive: true, force: true }));

function context(nodeId: string, log: string[] = []): NodeContext {
  const workDir = join(root, `work-${dirs++}`);
  mkdirSync(workDir);
  return {
    nodeId, workDir, baseDir: root, outDir: join(root, 'out'), workers: 1, log: (m) => log.push(m), progress: () => {},
    readVolume: (ref, region) => readRegion(ref, region), parallel: async () => [] as never, signal: new AbortController().signal,
  };
}

const NUMPY = String.raw`
import json, sys
import numpy as np
ann_path, hem_path, pts_path, w_path, structures_path, shape, level, out = sys.argv[1:]
X, Y, Z = json.loads(shape); level = int(level)
ann = np.fromfile(ann_path, dtype='<i4').reshape(Z, Y, X)
hem = np.fromfile(hem_path, dtype='u1').reshape(Z, Y, X)
p = np.fromfile(pts_path, dtype='<f8').reshape(-1, 3)
w = np.fromfile(w_path, dtype='<f8')
paths = {s['id']: s['structure_id_path'] for s in json.load(open(structures_path))}
inside = (p[:, 0] >= 0) & (p[:, 0] < X) & (p[:, 1] >= 0) & (p[:, 1] < Y) & (p[:, 2] >= 0) & (p[:, 2] < Z)
ix = np.where(inside, p[:, 0], 0).astype(int); iy = np.where(inside, p[:, 1], 0).astype(int); iz = np.where(inside, p[:, 2], 0).astype(int)
lab = np.where(inside, ann[iz, iy, ix], 0)
side = np.where(inside, hem[iz, iy, ix], 0)
res = {}
def add(key, rid, col, v):
    res.setdefault(key, {}).setdefault(str(rid), {}).setdefault(col, 0.0)
    res[key][str(rid)][col] += float(v)
for sfx, m in (('', np.ones(len(lab), bool)), ('_left', side == 1), ('_right', side == 2)):
    ids, cnt = np.unique(lab[m], return_counts=True)
    for i, c in zip(ids, cnt):
        add('count', i, sfx, c)
        for a in paths.get(int(i), [int(i)]): add('total', a, sfx, c)
        path = paths.get(int(i), [int(i)])
        add('level', path[level] if len(path) > level + 1 else int(i), sfx, c)
    ids = np.unique(lab[m])
    for i in ids:
        s = w[m][lab[m] == i].sum()
        add('sum', i, sfx, s)
        for a in paths.get(int(i), [int(i)]): add('total_sum', a, sfx, s)
    hm = np.ones(ann.shape, bool) if sfx == '' else (hem == (1 if sfx == '_left' else 2))
    ids, cnt = np.unique(ann[hm], return_counts=True)
    for i, c in zip(ids, cnt):
        add('voxels', i, sfx, c)
        for a in paths.get(int(i), [int(i)]): add('total_voxels', a, sfx, c)
json.dump(res, open(out, 'w'))
`;

test('count-regions on the real annotation equals a direct numpy count: exclusive, rolled up, per hemisphere, level, volumes, sums', async (t) => {
  const atlas = await inBox();
  const ann = atlas.annotation as VolumeRef, hem = atlas.hemispheres as VolumeRef;
  const [X, Y, Z] = ann.shape;
  // 50 000 seeded points over the grid and a margin outside it (outside = background, as ClearMap)
  const n = 50000, rnd = seededRandom(17);
  const coords = new Float64Array(3 * n), raw = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    coords[3 * i] = rnd() * (X + 4) - 2; coords[3 * i + 1] = rnd() * (Y + 4) - 2; coords[3 * i + 2] = rnd() * (Z + 4) - 2;
    raw[i] = Math.floor(rnd() * 1000);
  }
  writeFileSync(join(root, 'points.f64'), Buffer.from(coords.buffer));
  writeFileSync(join(root, 'raw.f64'), Buffer.from(raw.buffer));
  const points: Artefact = { kind: 'points', points: makePoints(coords, { raw }) };
  const inputs = { points, annotation: ann, hemispheres: hem, structures: atlas.structures };
  const level = 3;
  const [excl, lev] = await Promise.all([
    node('count-regions').run(inputs, { weights: 'raw' }, context('count')),
    node('count-regions').run(inputs, { level }, context('level')),
  ]);
  const out = join(root, 'numpy.json');
  execFileSync('/usr/bin/python3', ['-c', NUMPY, String(ann.args.path), String(hem.args.path), join(root, 'points.f64'), join(root, 'raw.f64'),
    join(inBoxAtlasDirectory(), 'allen_mouse_50um', 'structures.json'), JSON.stringify(ann.shape), String(level), out], { stdio: 'pipe' });
  const np = JSON.parse((await import('node:fs')).readFileSync(out, 'utf8')) as Record<string, Record<string, Record<string, number>>>;
  const want = (key: string, id: number, sfx: string) => np[key]?.[String(id)]?.[sfx] ?? 0;
  const voxelMm3 = (50 * 50 * 50) / 1e9;

  const table = (excl.table as { table: Table }).table;
  const col = (c: string) => { const i = table.columns.indexOf(c); if (i < 0) throw new Error(`no column ${c}`); return i; };
  let checked = 0, withPoints = 0;
  for (const r of table.rows) {
    const id = r[0] as number;
    for (const s of ['', '_left', '_right']) {
      t.is(r[col(`count${s}`)], want('count', id, s), `count${s} of ${id}`);
      t.is(r[col(`total_count${s}`)], want('total', id, s), `total_count${s} of ${id}`);
      t.is(r[col(`volume${s}_mm3`)], want('voxels', id, s) * voxelMm3, `volume${s} of ${id}`);
      t.is(r[col(`total_volume${s}_mm3`)], want('total_voxels', id, s) * voxelMm3, `total_volume${s} of ${id}`);
      t.is(r[col(`raw_sum${s}`)], want('sum', id, s), `raw_sum${s} of ${id}`);
      t.is(r[col(`total_raw_sum${s}`)], want('total_sum', id, s), `total_raw_sum${s} of ${id}`);
      const v = want('total_voxels', id, s) * voxelMm3;
      t.is(r[col(`total_density${s}`)], v > 0 ? want('total', id, s) / v : null);
    }
    checked++;
    if ((r[col('count')] as number) > 0) withPoints++;
  }
  t.true(checked > 800 && withPoints > 400, `${checked} rows, ${withPoints} with points`);
  // every point counted once; both hemispheres hold points; root rolls up every point in the brain
  t.is(table.rows.reduce((s, r) => s + (r[col('count')] as number), 0), n);
  const rootRow = table.rows.find((r) => r[1] === 'root')!;
  t.is(rootRow[col('total_count')], n - want('count', 0, ''));
  t.true((rootRow[col('total_count_left')] as number) > 1000 && (rootRow[col('total_count_right')] as number) > 1000);
  t.is(rootRow[col('structure_id_path')], '/997/');
  t.is(table.rows.find((r) => r[1] === 'CTX')![col('structure_id_path')], '/997/8/567/688/');
  // at a level: ClearMap's mapping of exclusive counts
  const lt = (lev.table as { table: Table }).table;
  for (const r of lt.rows) t.is(r[lt.columns.indexOf('count_left')], want('level', r[0] as number, '_left'), `level ${level} count_left of ${r[0]}`);
  t.is(lt.rows.reduce((s, r) => s + (r[5] as number), 0), n);
});

test('ttest-regions on several columns of region tables (per hemisphere, rolled up) equals one test per column', async (t) => {
  const atlas = await inBox();
  const [X, Y, Z] = (atlas.annotation as VolumeRef).shape;
  const tables: Table[][] = [[], []];
  for (let g = 0; g < 2; g++) for (let k = 0; k < 3; k++) {
    const rnd = seededRandom(100 + 10 * g + k), n = 3000 + 800 * g;
    const coords = Float64Array.from({ length: 3 * n }, (_, i) => rnd() * [X, Y, Z][i % 3]);
    const out = await node('count-regions').run({ points: { kind: 'points', points: makePoints(coords) }, annotation: atlas.annotation, hemispheres: atlas.hemispheres, structures: atlas.structures }, { level: 3 }, context('c'));
    tables[g].push((out.table as { table: Table }).table);
  }
  const groups = { groupA: { kind: 'json' as const, value: tables[0] }, groupB: { kind: 'json' as const, value: tables[1] } };
  const multi = ((await node('ttest-regions').run(groups, { columns: ['count_left', 'total_count'] }, context('tt'))).table as { table: Table }).table;
  for (const c of ['count_left', 'total_count']) {
    const one = ((await node('ttest-regions').run(groups, { countColumn: c }, context('t1'))).table as { table: Table }).table;
    for (const k of ['mean_A', 'p', 'q']) {
      t.deepEqual(multi.rows.map((r) => r[multi.columns.indexOf(`${c}_${k}`)]), one.rows.map((r) => r[one.columns.indexOf(k)]), `${c}_${k}`);
    }
  }
  const rootRow = multi.rows.find((r) => r[1] === 'root')!;
  t.true((rootRow[multi.columns.indexOf('total_count_p')] as number) < 0.01, 'group B has 800 more cells in the brain');
});
