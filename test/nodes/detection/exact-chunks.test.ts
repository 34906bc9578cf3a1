// Exactness across chunks: a chunked run (any chunk size, overlap only a performance knob) gives the
// same points, bit for bit, as one chunk over the whole stack — on the real cellfinder crop, on
// ClearMap's synthetic test stack (h-max 0.15 on an integer image: plateaus), and on a synthetic
// stack built to defeat any fixed overlap (cells longer than the overlap, an h-max ridge spanning
// the stack, flat-topped integer cells).
import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { makeVolume, type Volume } from '../../../engine/data/volume.js';
import { detectNode } from '../../../nodes/detection/index.js';
import { readTiffStack } from '../../../tools/detection/tiff-stack.js';
import { CELLFINDER_PLANES, SHARED_DATA } from '../../shared-data.js';
import { hardStack, rowDiff, runChunked, sortedRows, type ChunkStats } from './_chunked.js';

function crop(v: Volume, xr: [number, number], yr: [number, number], zr: [number, number]): Volume {
  const [X, Y] = v.shape;
  const [W, H, D] = [xr[1] - xr[0], yr[1] - yr[0], zr[1] - zr[0]];
  const d = new Uint16Array(W * H * D);
  for (let z = 0; z < D; z++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) d[x + W * (y + H * z)] = v.data[xr[0] + x + X * (yr[0] + y + Y * (zr[0] + z))];
  return makeVolume(d, [W, H, D]);
}

const HARD_PARAMS = {
  removeBackgroundParameter: { size: null },
  findExtendedMaximaParameter: { hMax: 10, size: 3, threshold: 50 },
  detectCellShapeParameter: { threshold: 40 },
  cellReach: 1,
};

async function assertChunkInvariant(t: import('ava').ExecutionContext, volume: Volume, params: Record<string, unknown>, sizes: number[], minCells: number): Promise<ChunkStats> {
  const stage = [{ id: 'detect', type: detectNode, params }];
  const whole = sortedRows(await runChunked(volume, stage, volume.shape[2]));
  t.true(whole.length >= minCells, `only ${whole.length} cells in the whole-stack run`);
  const stats: ChunkStats = { grown: 0, patches: 0 };
  for (const size of sizes) {
    const chunked = sortedRows(await runChunked(volume, stage, size, undefined, undefined, stats));
    t.is(rowDiff(whole, chunked), 0, `chunks of ${size} planes: ${chunked.length} cells vs ${whole.length} whole-stack`);
  }
  return stats;
}

test('synthetic stack with cells longer than the overlap and an h-max ridge across chunks: identical for every chunk size', async (t) => {
  const stats = await assertChunkInvariant(t, hardStack(), HARD_PARAMS, [1, 2, 3, 5, 8, 13, 20], 5);
  // detect names the undecided parts of a chunk's core: those are recomputed as patches, not whole windows
  t.true(stats.patches > 0, 'no chunk needed a patch: the stack no longer defeats the overlap');
  t.is(stats.grown, 0, 'a whole window was regrown although detect names its undecided parts');
});

const clearmapTest = join(SHARED_DATA, 'clearmap-test');
test("ClearMap's synthetic test stack with its test script's parameters (h-max 0.15 on integers): identical for every chunk size", async (t) => {
  if (!existsSync(clearmapTest)) return t.fail(`ClearMap test data missing: ${clearmapTest}`);
  const cfg = JSON.parse(readFileSync(join(clearmapTest, 'test_chain_parameters.json'), 'utf8'));
  // the test script's crop (x 100-160, y 10-140, z 2-38)
  const full = await readTiffStack(join(clearmapTest, 'synthetic_planes'));
  const vol = crop(full, cfg.range.x, cfg.range.y, cfg.range.z);
  await assertChunkInvariant(t, vol, { ...cfg.detectSpotsParameter, cellReach: 0 }, [1, 5, 12], 20);
  // the same with a cell-shape watershed (threshold within the stack's 0-137 range)
  await assertChunkInvariant(t, vol, { ...cfg.detectSpotsParameter, detectCellShapeParameter: { threshold: 8 }, cellReach: 0 }, [3, 9], 5);
});

test('real cellfinder crop (160 x 160 x 30, DoG + h-max + shape): identical for every chunk size', async (t) => {
  if (!existsSync(CELLFINDER_PLANES)) return t.fail(`cellfinder data missing: ${CELLFINDER_PLANES}`);
  const full = await readTiffStack(join(CELLFINDER_PLANES, 'ch0'));
  const params = {
    removeBackgroundParameter: { size: [15, 15] }, filterDoGParameter: { size: [7, 7, 3] },
    findExtendedMaximaParameter: { hMax: 20, size: 5, threshold: 30 }, detectCellShapeParameter: { threshold: 200 }, cellReach: 1,
  };
  await assertChunkInvariant(t, crop(full, [240, 400], [150, 310], [0, 30]), params, [4, 11], 30);
});

