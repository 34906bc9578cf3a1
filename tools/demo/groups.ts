// Seeded group data for the group-statistics workflow: 2 groups x 4 samples on the phantom atlas
// (tools/demo/small-phantom.ts). Each sample is a cell list in atlas space with region-dependent counts;
// group B ("treated") has 60% more cells in the striatum (STR) and the same elsewhere. Written as what
// the per-sample workflow produces: a heat map (TIFF) and a region count table (CSV) per sample.
import { mkdirSync, renameSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableToCsv } from '../../engine/data/table.js';
import { createVolumeWriter } from '../../nodes/io/lib/formats.js';
import { voxelize } from '../../nodes/analysis/lib/voxelize.js';
import { LabelTree } from '../../nodes/analysis/lib/atlas/label-tree.js';
import { countPointsInRegions, regionTable } from '../../nodes/analysis/lib/atlas/regions.js';
import { ATLAS_SHAPE, ATLAS_UM, CELLS_PER_LEAF, labelGraph, makePhantom, regionAt, REGIONS } from './small-phantom.js';
import { seededRandom } from '../../engine/data/random.js';

export const GROUP_EFFECT: Record<number, number> = { [REGIONS.STR.id]: 1.6 };
export const SAMPLES_PER_GROUP = 4;

function sampleCells(rand: () => number, treated: boolean): Float64Array {
  const [X, Y, Z] = ATLAS_SHAPE;
  const pts: number[] = [];
  for (const [idStr, base] of Object.entries(CELLS_PER_LEAF)) {
    const id = Number(idStr);
    // biological variability: +-10% per sample
    const n = Math.round(base * (treated ? GROUP_EFFECT[id] ?? 1 : 1) * (0.9 + 0.2 * rand()));
    for (let got = 0; got < n;) {
      const p = [rand() * (X - 1), rand() * (Y - 1), rand() * (Z - 1)];
      if (regionAt(p[0], p[1], p[2]) !== id) continue;
      pts.push(...p);
      got++;
    }
  }
  return Float64Array.from(pts);
}

/** Write group data into `dir`: groups/{control,treated}/sample{1..4}_{heatmap.tif,counts.csv}, atlas/annotation.tif + labels.json. */
export async function writeGroupData(dir: string, seed = 7): Promise<{ created: boolean }> {
  if (existsSync(join(dir, 'atlas', 'labels.json'))) return { created: false };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const rand = seededRandom(seed);
  const phantom = makePhantom();
  const annotation = { data: phantom.annotation, shape: ATLAS_SHAPE, dtype: 'uint16' as const, voxelSize: [ATLAS_UM, ATLAS_UM, ATLAS_UM] as [number, number, number], origin: [0, 0, 0] as [number, number, number] };
  const tree = LabelTree.fromAllenJson(labelGraph() as never);
  mkdirSync(join(tmp, 'atlas'), { recursive: true });
  writeFileSync(join(tmp, 'atlas', 'labels.json'), JSON.stringify(labelGraph(), null, 1));
  const write = async (path: string, data: Uint16Array | Int32Array, dtype: 'uint16' | 'int32') => {
    const w = createVolumeWriter(path, { shape: ATLAS_SHAPE, dtype, voxelSize: annotation.voxelSize });
    await w.writeSlab({ data, shape: ATLAS_SHAPE, dtype, voxelSize: annotation.voxelSize, origin: [0, 0, 0] });
    await w.commit();
  };
  await write(join(tmp, 'atlas', 'annotation.tif'), phantom.annotation, 'uint16');
  for (const group of ['control', 'treated']) {
    mkdirSync(join(tmp, 'groups', group), { recursive: true });
    for (let s = 1; s <= SAMPLES_PER_GROUP; s++) {
      const cells = sampleCells(rand, group === 'treated');
      await write(join(tmp, 'groups', group, `sample${s}_heatmap.tif`), voxelize(cells, ATLAS_SHAPE, { method: 'Spherical', size: [5, 5, 5] }) as Int32Array, 'int32');
      const counts = countPointsInRegions(cells, annotation, tree, { allIds: true });
      writeFileSync(join(tmp, 'groups', group, `sample${s}_counts.csv`), tableToCsv(regionTable(tree, counts)));
    }
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { created: true };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2] ?? 'workflows/group-data';
  const r = await writeGroupData(out);
  console.log(r.created ? `group data written to ${out}` : `group data already in ${out}`);
}
