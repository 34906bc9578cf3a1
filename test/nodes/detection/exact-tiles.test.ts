// Exactness across x/y tile borders: a run cut into z-slabs x y-tiles x x-tiles (any tile size, the
// x/y overlap only a performance knob, even 0) gives the same points, bit for bit, as one chunk over
// the whole stack — on the synthetic stack built to defeat any fixed overlap, turned so that its
// h-max ridge and long cells run along x and along y, and on the real cellfinder crop.
import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeVolume, type Volume } from '../../../engine/data/volume.js';
import { detectNode } from '../../../nodes/detection/index.js';
import { readTiffStack } from '../../../tools/detection/tiff-stack.js';
import { syntheticNuclei } from '../../../tools/detection/synthetic-nuclei.js';
import { CELLFINDER_PLANES } from '../../shared-data.js';
import { hardStack, rowDiff, runChunked, sortedRows, type ChunkStats, type Tiles } from './_chunked.js';

/** The stack with its axes permuted: new axis a is old axis order[a]. */
function permute(v: Volume, order: [number, number, number]): Volume {
  const s = v.shape;
  const n: [number, number, number] = [s[order[0]], s[order[1]], s[order[2]]];
  const d = new Uint16Array(v.data.length);
  const q = [0, 0, 0];
  for (let z = 0; z < n[2]; z++) for (let y = 0; y < n[1]; y++) for (let x = 0; x < n[0]; x++) {
    q[order[0]] = x; q[order[1]] = y; q[order[2]] = z;
    d[x + n[0] * (y + n[1] * z)] = v.data[q[0] + s[0] * (q[1] + s[1] * q[2])];
  }
  return makeVolume(d, n);
}

const HARD_PARAMS = {
  removeBackgroundParameter: { size: null },
  findExtendedMaximaParameter: { hMax: 10, size: 3, threshold: 50 },
  detectCellShapeParameter: { threshold: 40 },
  cellReach: 1,
};

async function assertTileInvariant(t: import('ava').ExecutionContext, volume: Volume, params: Record<string, unknown>, runs: { chunk: number; tiles: Tiles }[], minCells: number, stats?: ChunkStats) {
  const stage = [{ id: 'detect', type: detectNode, params }];
  const whole = sortedRows(await runChunked(volume, stage, volume.shape[2]));
  t.true(whole.length >= minCells, `only ${whole.length} cells in the whole-stack run`);
  for (const r of runs) {
    const tiled = sortedRows(await runChunked(volume, stage, r.chunk, undefined, r.tiles, stats));
    t.is(rowDiff(whole, tiled), 0, `chunks of ${r.chunk} planes x ${r.tiles.tiles.join(' x ')} tiles (x/y overlap ${r.tiles.overlapXY ?? 'declared'}): ${tiled.length} cells vs ${whole.length} whole-stack`);
  }
}

test('h-max ridge and long cells along x, then along y: identical for tiles of any size, x/y overlap 0 or declared', async (t) => {
  const runs = [
    { chunk: 40, tiles: { tiles: [3, 1], overlapXY: 0 } }, { chunk: 40, tiles: { tiles: [1, 4], overlapXY: 0 } },
    { chunk: 13, tiles: { tiles: [2, 3], overlapXY: 1 } }, { chunk: 7, tiles: { tiles: [5, 5] } }, { chunk: 40, tiles: { tiles: [8, 2], overlapXY: 2 } },
  ] as { chunk: number; tiles: Tiles }[];
  const stats: ChunkStats = { grown: 0, patches: 0 };
  await assertTileInvariant(t, permute(hardStack(), [2, 0, 1]), HARD_PARAMS, runs, 5, stats); // old z (the ridge) is the new x
  await assertTileInvariant(t, permute(hardStack(), [0, 2, 1]), HARD_PARAMS, runs, 5, stats); // old z is the new y
  await assertTileInvariant(t, hardStack(), HARD_PARAMS, runs.slice(2), 5, stats);
  // undecided parts of a tile's core are recomputed as x/y patches, never by regrowing the whole tile
  t.true(stats.patches > 0, 'no tile needed a patch: the stack no longer defeats the overlap');
  t.is(stats.grown, 0);
});

test('real cellfinder crop (160 x 160 x 30, DoG + h-max + shape): identical for tiles and slabs', async (t) => {
  if (!existsSync(CELLFINDER_PLANES)) return t.fail(`cellfinder data missing: ${CELLFINDER_PLANES}`);
  const full = await readTiffStack(join(CELLFINDER_PLANES, 'ch0'));
  const [X, Y] = full.shape;
  const d = new Uint16Array(160 * 160 * 30);
  for (let z = 0; z < 30; z++) for (let y = 0; y < 160; y++) for (let x = 0; x < 160; x++) d[x + 160 * (y + 160 * z)] = full.data[240 + x + X * (150 + y + Y * z)];
  const params = {
    removeBackgroundParameter: { size: [15, 15] }, filterDoGParameter: { size: [7, 7, 3] },
    findExtendedMaximaParameter: { hMax: 20, size: 5, threshold: 30 }, detectCellShapeParameter: { threshold: 200 }, cellReach: 1,
  };
  await assertTileInvariant(t, makeVolume(d, [160, 160, 30]), params, [{ chunk: 30, tiles: { tiles: [2, 2] } }, { chunk: 11, tiles: { tiles: [3, 2], overlapXY: 4 } }], 30);
});

test('noise maxima (h-max over a DoG whose low levels percolate across every cut): identical for slabs and tiles', async (t) => {
  // thresholds so low that hundreds of maxima come from noise: their h-max level depends on paths
  // through the whole noise floor, so a window's escape levels exceed R nearly everywhere and each
  // maximum is decided by whether the box voxels that may rise join it high enough (stages.ts)
  const params = {
    removeBackgroundParameter: { size: [9, 9] }, filterDoGParameter: { size: [7, 7, 5] },
    findExtendedMaximaParameter: { hMax: 5, size: 5, threshold: 2 }, detectCellShapeParameter: { threshold: null }, cellReach: 2,
  };
  const runs = [{ chunk: 7, tiles: { tiles: [1, 1] } }, { chunk: 10, tiles: { tiles: [3, 2], overlapXY: 4 } }, { chunk: 9, tiles: { tiles: [4, 4], overlapXY: 0 } }] as { chunk: number; tiles: Tiles }[];
  for (const seed of [1]) {
    const s = syntheticNuclei({ shape: [72, 64, 28], cells: 40, seed, gain: 3, readNoise: 30, background: 600 });
    await assertTileInvariant(t, s.volume, params, runs, 300);
  }
});
