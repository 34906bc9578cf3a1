// x/y tiles through the scheduler: a chain of tile-capable nodes (background -> dog, and detect)
// gives the same result files, byte for byte, as whole-plane z-slabs, for any tile size and 1 or 2
// workers; a chain with a node that does not declare overlapXY keeps whole planes.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planTiles, readShare } from '../../engine/data/chunk.js';
import { hashTree, runApi, tempDir, writeWorkflow, TEST_PLUGIN } from './helpers.js';

const SHAPE = [70, 53, 12];
const DETECT = {
  removeBackgroundParameter: { size: [5, 5] }, filterDoGParameter: { size: [5, 5, 3] },
  findExtendedMaximaParameter: { hMax: 10, size: 3, threshold: 20 }, detectCellShapeParameter: { threshold: 100 }, cellReach: 1,
};

function workflow(settings: Record<string, number>) {
  return {
    version: 1,
    plugins: [TEST_PLUGIN],
    settings,
    nodes: [
      { id: 'src', type: 'test-source', params: { shape: SHAPE, seed: 11 } },
      { id: 'bg', type: 'background', inputs: { input: 'src.volume' }, params: { size: [7, 7] } },
      { id: 'dog', type: 'dog', inputs: { input: 'bg.output' }, params: { size: [5, 5, 3] } },
      { id: 'cells', type: 'detect', inputs: { input: 'src.volume' }, params: DETECT },
      { id: 'blur', type: 'test-blur-z', inputs: { input: 'src.volume' }, params: { radius: 2 } },
      { id: 'csv', type: 'write-points', inputs: { points: 'cells.points' }, params: { path: 'cells.csv' } },
    ],
  };
}

function resultHashes(cache: string): string[] {
  return Object.entries(hashTree(join(cache, 'nodes'))).filter(([k]) => !k.endsWith('manifest.json') && !k.endsWith('manifest.sha256')).map(([, h]) => h).sort();
}

test('tiles of any size and 1 or 2 workers give the bytes of whole-plane slabs (volumes assembled, points in the same order)', async (t) => {
  const reference = tempDir();
  const first = await runApi(writeWorkflow(reference, workflow({ chunkSizeMax: 1000, tileSizeMax: 0 })), { cache: join(reference, 'cache'), workers: 1 });
  t.true(first.summary.ok);
  t.is(first.summary.nodes.find((n) => n.id === 'cells')!.chunks!.total, 1);
  const expected = resultHashes(join(reference, 'cache'));
  const cells = readFileSync(join(reference, 'out', 'cells.csv'), 'utf8').trim().split('\n').length - 1;
  t.true(cells > 100, `${cells} cells`);
  for (const [tileSizeMax, chunkSizeMax, workers] of [[25, 1000, 1], [25, 5, 2], [40, 3, 2], [9, 1000, 2]]) {
    const dir = tempDir();
    const r = await runApi(writeWorkflow(dir, workflow({ tileSizeMax, chunkSizeMax })), { cache: join(dir, 'cache'), workers });
    t.true(r.summary.ok);
    const count = (id: string) => r.summary.nodes.find((n) => n.id === id)!.chunks!.total;
    const tiles = Math.ceil(SHAPE[0] / tileSizeMax) * Math.ceil(SHAPE[1] / tileSizeMax);
    t.true(count('cells') >= tiles && count('dog') >= tiles, `tiles ${tileSizeMax}: ${count('cells')} / ${count('dog')} chunks`);
    t.true(count('blur') <= Math.ceil(SHAPE[2] / Math.min(chunkSizeMax, SHAPE[2])) + workers, 'a node without overlapXY keeps whole planes');
    t.deepEqual(resultHashes(join(dir, 'cache')), expected, `tiles of ${tileSizeMax}, chunks of ${chunkSizeMax} planes, ${workers} workers`);
    t.is(readFileSync(join(dir, 'out', 'cells.csv'), 'utf8'), readFileSync(join(reference, 'out', 'cells.csv'), 'utf8'));
  }
});

test('planner: whole-brain planes are cut into x/y tiles that fit the memory and keep the re-read small; small planes stay z-slabs', (t) => {
  const brain = planTiles({ shape: [2560, 2160, 256], overlap: 18, overlapXY: 36, sizeMin: 1, sizeMax: 240, maxReadVoxels: 4e9 / 35, workers: 2 });
  t.true(brain.every((g) => g.tile), 'tiles');
  t.is(brain.length % 2, 0, 'a multiple of the workers');
  for (const g of brain) {
    const [rx, ry] = g.tile!.read;
    t.true((rx[1] - rx[0]) * (ry[1] - ry[0]) * (g.read[1] - g.read[0]) <= 4e9 / 35, 'read box fits the memory');
  }
  const share = readShare(brain, [2560, 2160, 256]);
  const slabs = planTiles({ shape: [2560, 2160, 256], overlap: 18, overlapXY: 36, sizeMin: 1, sizeMax: 240, maxReadVoxels: 4e9 / 35, workers: 2, tileSizeMax: 0 });
  t.true(share < readShare(slabs, [2560, 2160, 256]) / 2, `tiles re-read ${share}, slabs ${readShare(slabs, [2560, 2160, 256])}`);
  // covering: cores partition the stack
  let voxels = 0;
  for (const g of brain) voxels += (g.tile!.core[0][1] - g.tile!.core[0][0]) * (g.tile!.core[1][1] - g.tile!.core[1][0]) * (g.core[1] - g.core[0]);
  t.is(voxels, 2560 * 2160 * 256);
  // a small stack deep enough for z-slabs keeps them
  t.false(planTiles({ shape: [200, 200, 400], overlap: 5, overlapXY: 20, sizeMin: 1, sizeMax: 100, maxReadVoxels: 1e9, workers: 2 }).some((g) => g.tile));
  // a shallow stack for 2 workers: two tiles, not two z-chunks that both read most planes
  const shallow = planTiles({ shape: [512, 512, 64], overlap: 18, overlapXY: 36, sizeMin: 1, sizeMax: 134, maxReadVoxels: 1e9, workers: 2 });
  t.is(shallow.length, 2);
  t.truthy(shallow[0].tile);
});
