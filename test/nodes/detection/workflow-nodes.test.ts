// The detection nodes in real workflows (engine planning, fusion of the node DAG into one chunk task,
// worker pool): separate nodes == detect for any chunking and 1 or 2 workers; a plugin detector's
// seeds (pixel-classifier) through `shape` get cell sizes.
import test from 'ava';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import type { PointsArtefact } from '../../../engine/core/artefacts.js';
import { writeMhdHeader } from '../../../engine/data/raw-volume.js';
import { runApi, tempDir, writeWorkflow, ROOT } from '../../engine/helpers.js';
import { BLOB_PLUGIN, BLOBS, SHAPE, manifestOutputs, pointsOf } from '../../plugins/helpers.js';
import { hardStack, sortedRows } from './_chunked.js';

const PIXEL_CLASSIFIER = join(ROOT, 'plugins', 'pixel-classifier');
const stack = { id: 'stack', type: 'test-blob-stack', params: { shape: SHAPE, blobs: BLOBS, seed: 5, sigma: 2.5 } };
const DETECT = {
  removeBackgroundParameter: { size: [15, 15] }, filterDoGParameter: { size: [7, 7, 5] },
  findExtendedMaximaParameter: { hMax: 20, size: 5, threshold: 20 }, detectCellShapeParameter: { threshold: 150 }, cellReach: 1,
};

async function run(nodes: unknown[], settings: Record<string, number>, workers: number, plugins = [BLOB_PLUGIN]) {
  const dir = tempDir();
  const cache = join(dir, 'cache');
  const r = await runApi(writeWorkflow(dir, { version: 1, plugins, settings, nodes }), { cache, workers });
  return { r, cache };
}

test('workflow: background -> dog -> maxima -> shape runs as one fused unit and equals detect for any chunking and 1 or 2 workers', async (t) => {
  const chain = [
    stack,
    { id: 'background', type: 'background', inputs: { input: 'stack.volume' }, params: DETECT.removeBackgroundParameter },
    { id: 'dog', type: 'dog', inputs: { input: 'background.output' }, params: DETECT.filterDoGParameter },
    { id: 'maxima', type: 'maxima', inputs: { input: 'dog.output', weights: 'stack.volume' }, params: DETECT.findExtendedMaximaParameter },
    { id: 'shape', type: 'shape', inputs: { input: 'background.output', seeds: 'maxima.points', raw: 'stack.volume', dog: 'dog.output' }, params: { threshold: 150, cellReach: 1 } },
  ];
  const whole = await run([stack, { id: 'detect', type: 'detect', inputs: { input: 'stack.volume' }, params: DETECT }], { chunkSizeMax: 100 }, 1);
  t.true(whole.r.summary.ok, JSON.stringify(whole.r.summary.nodes));
  const ref = sortedRows(pointsOf(whole.cache, 'detect', 'points'));
  t.true(ref.length >= BLOBS.length - 1, `${ref.length} cells`);
  for (const [chunkSizeMax, workers] of [[100, 1], [3, 2], [7, 1]]) {
    const r = await run(chain, { chunkSizeMax, chunkSizeMin: 1 }, workers);
    t.true(r.r.summary.ok, JSON.stringify(r.r.summary.nodes));
    const shape = r.r.summary.nodes.find((n) => n.id === 'shape')!;
    // one fused unit: every chain node reports the same chunks, and only the last is cached
    for (const id of ['background', 'dog', 'maxima']) t.deepEqual(r.r.summary.nodes.find((n) => n.id === id)!.chunks, shape.chunks);
    t.deepEqual(sortedRows(pointsOf(r.cache, 'shape', 'points')), ref, `chunkSizeMax ${chunkSizeMax}, ${workers} worker(s), ${shape.chunks!.total} chunks`);
  }
});

test('workflow: pixel-classifier seeds through shape get cell sizes, identical for 1 and several chunks', async (t) => {
  const trained = await run([
    { ...stack, params: { ...stack.params, labelSpacing: 4 } },
    { id: 'train', type: 'pixel-classifier.train', inputs: { input: 'stack.volume', labels: 'stack.labels' }, params: {} },
  ], {}, 1, [BLOB_PLUGIN, PIXEL_CLASSIFIER]);
  t.true(trained.r.summary.ok, JSON.stringify(trained.r.summary.nodes));
  const model = manifestOutputs(trained.cache, 'pixel-classifier.train').model.value;
  const nodes = [
    stack,
    { id: 'cells', type: 'pixel-classifier.classify-cells', inputs: { input: 'stack.volume' }, params: { model } },
    { id: 'background', type: 'background', inputs: { input: 'stack.volume' }, params: { size: [15, 15] }, materialize: true },
    { id: 'shape', type: 'shape', inputs: { input: 'background.output', seeds: 'cells.cells', raw: 'stack.volume' }, params: { threshold: 150, cellReach: 1 } },
  ];
  const one = await run(nodes, { chunkSizeMax: 100 }, 1, [BLOB_PLUGIN, PIXEL_CLASSIFIER]);
  t.true(one.r.summary.ok, JSON.stringify(one.r.summary.nodes));
  const seeds = pointsOf(one.cache, 'pixel-classifier.classify-cells', 'cells');
  const cells = pointsOf(one.cache, 'shape', 'points');
  t.deepEqual(Object.keys(cells.properties), ['raw', 'dog', 'background', 'size']);
  t.is(cells.coords.length, seeds.coords.length, 'every classifier seed lies in a cell');
  const sizes = [...cells.properties.size];
  t.log(`${sizes.length} cells from pixel-classifier seeds, sizes ${sizes.join(' ')}`);
  t.true(sizes.every((s) => s >= 10 && s < 2000));
  const many = await run(nodes, { chunkSizeMax: 4, chunkSizeMin: 1 }, 2, [BLOB_PLUGIN, PIXEL_CLASSIFIER]);
  t.true(many.r.summary.ok, JSON.stringify(many.r.summary.nodes));
  t.true(many.r.summary.nodes.find((n) => n.id === 'shape')!.chunks!.total > 2);
  t.deepEqual(sortedRows(pointsOf(many.cache, 'shape', 'points')), sortedRows(cells));
});

test('a cropped read-volume (x/y/z ranges) gives points in full-stack coordinates, equal to the full-stack detection inside the crop', async (t) => {
  const dir = tempDir();
  const vol = hardStack();
  writeFileSync(join(dir, 'stack.raw'), new Uint8Array(vol.data.buffer, vol.data.byteOffset, vol.data.byteLength));
  writeMhdHeader(join(dir, 'stack.mhd'), 'stack.raw', vol.shape, vol.dtype, [1, 1, 1]);
  const params = { removeBackgroundParameter: { size: null }, findExtendedMaximaParameter: { hMax: 10, size: 3, threshold: 50 }, detectCellShapeParameter: { threshold: 40 } };
  const box = { x: [20, 40], y: [0, 40], z: [2, 38] };
  const wf = (range: object) => ({
    version: 1, settings: { chunkSizeMax: 9, chunkSizeMin: 1 },
    nodes: [{ id: 'src', type: 'read-volume', params: { path: join(dir, 'stack.mhd'), ...range } }, { id: 'cells', type: 'detect', inputs: { input: 'src.volume' }, params }],
  });
  const full = await runApi(writeWorkflow(dir, wf({}), 'full.json'), { cache: join(dir, 'cache-full'), workers: 2 });
  const cropped = await runApi(writeWorkflow(dir, wf(box), 'crop.json'), { cache: join(dir, 'cache-crop'), workers: 2 });
  t.true(full.summary.ok && cropped.summary.ok, JSON.stringify([full.summary.nodes, cropped.summary.nodes]));
  const inBox = sortedRows(pointsOf(join(dir, 'cache-full'), 'detect', 'points')).filter(([z, y, x]) => x >= 20 && x < 40 && y >= 0 && y < 40 && z >= 2 && z < 38);
  t.true(inBox.length >= 3, `${inBox.length} cells in the crop`);
  t.deepEqual(sortedRows(pointsOf(join(dir, 'cache-crop'), 'detect', 'points')), inBox);
  t.deepEqual((manifestOutputs(join(dir, 'cache-crop'), 'detect').points as unknown as PointsArtefact).crop, box);
});
