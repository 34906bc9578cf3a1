// Detection as separate nodes: illumination -> background -> dog -> maxima -> shape (and maxima ->
// intensity x 3 without a cell shape), fused into one chunk task, gives detect's points byte for
// byte, whole-stack and chunked; plugin seeds through `shape` get cell sizes.
import test from 'ava';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { makePoints, pointCount } from '../../../engine/data/points.js';
import { makeVolume, type Volume } from '../../../engine/data/volume.js';
import { backgroundNode, detectNode, dogNode, illuminationNode, intensityNode, maximaNode, shapeNode } from '../../../nodes/detection/index.js';
import { readTiffStack } from '../../../tools/detection/tiff-stack.js';
import { CELLFINDER_PLANES, SHARED_DATA } from '../../shared-data.js';
import { hardStack, runChunked, sortedRows, type ChainStage } from './_chunked.js';

function crop(v: Volume, xr: [number, number], yr: [number, number], zr: [number, number]): Volume {
  const [X, Y] = v.shape;
  const [W, H, D] = [xr[1] - xr[0], yr[1] - yr[0], zr[1] - zr[0]];
  const d = new Uint16Array(W * H * D);
  for (let z = 0; z < D; z++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) d[x + W * (y + H * z)] = v.data[xr[0] + x + X * (yr[0] + y + Y * (zr[0] + z))];
  return makeVolume(d, [W, H, D]);
}

/** The separate-node chain equivalent to detect with `p` (ClearMap's grouped params). */
function chainFor(p: Record<string, Record<string, unknown>>): ChainStage[] {
  const bg = p.removeBackgroundParameter ?? { size: [7, 7] };
  const dog = p.filterDoGParameter?.size ?? null;
  const mx = p.findExtendedMaximaParameter ?? {};
  const shape = p.detectCellShapeParameter?.threshold === undefined ? 700 : p.detectCellShapeParameter.threshold;
  const stages: ChainStage[] = [
    { id: 'illumination', type: illuminationNode, params: {}, links: { input: '@source' } },
    { id: 'background', type: backgroundNode, params: bg, links: { input: 'illumination' } },
  ];
  if (dog) stages.push({ id: 'dog', type: dogNode, params: { size: dog }, links: { input: 'background' } });
  const filtered = dog ? 'dog' : 'background';
  stages.push({ id: 'maxima', type: maximaNode, params: mx, links: { input: filtered, weights: '@source' } });
  if (shape !== null) {
    stages.push({ id: 'shape', type: shapeNode, params: { threshold: shape }, links: { input: 'background', seeds: 'maxima', raw: '@source', dog: filtered } });
  } else {
    const fi = p.findIntensityParameter ?? {};
    stages.push({ id: 'i-raw', type: intensityNode, params: { ...fi, column: 'raw' }, links: { input: '@source', points: 'maxima' } });
    stages.push({ id: 'i-dog', type: intensityNode, params: { ...fi, column: 'dog' }, links: { input: filtered, points: 'i-raw' } });
    stages.push({ id: 'i-bg', type: intensityNode, params: { ...fi, column: 'background' }, links: { input: 'background', points: 'i-dog' } });
  }
  return stages;
}

async function assertSameAsDetect(t: import('ava').ExecutionContext, vol: Volume, params: Record<string, Record<string, unknown>>, chunk: number) {
  const detect = await runChunked(vol, [{ id: 'detect', type: detectNode, params }], vol.shape[2]);
  t.true(pointCount(detect) > 5, `detect found only ${pointCount(detect)} cells`);
  for (const size of [vol.shape[2], chunk]) {
    const chain = await runChunked(vol, chainFor(params), size);
    t.deepEqual(Object.keys(chain.properties), Object.keys(detect.properties));
    t.deepEqual(sortedRows(chain), sortedRows(detect), `chunks of ${size} planes`);
  }
}

test('separate nodes == detect: ClearMap template parameters on the real crop (no DoG, no h-max, shape 700)', async (t) => {
  const vol = crop(await readTiffStack(join(CELLFINDER_PLANES, 'ch0')), [200, 360], [150, 310], [0, 30]);
  await assertSameAsDetect(t, vol, {}, 7);
});

test('separate nodes == detect: DoG + h-max + shape on the real crop', async (t) => {
  const vol = crop(await readTiffStack(join(CELLFINDER_PLANES, 'ch0')), [200, 360], [150, 310], [0, 30]);
  await assertSameAsDetect(t, vol, {
    removeBackgroundParameter: { size: [15, 15] }, filterDoGParameter: { size: [7, 7, 3] },
    findExtendedMaximaParameter: { hMax: 20, size: 5, threshold: 30 }, detectCellShapeParameter: { threshold: 200 },
  }, 10);
});

test('separate nodes == detect: h-max ridge stack (no background removal) and ClearMap test parameters through intensity nodes', async (t) => {
  await assertSameAsDetect(t, hardStack(), {
    removeBackgroundParameter: { size: null }, findExtendedMaximaParameter: { hMax: 10, size: 3, threshold: 50 }, detectCellShapeParameter: { threshold: 40 },
  }, 6);
  const cfg = JSON.parse(readFileSync(join(SHARED_DATA, 'clearmap-test', 'test_chain_parameters.json'), 'utf8'));
  const vol = crop(await readTiffStack(join(SHARED_DATA, 'clearmap-test', 'synthetic_planes')), cfg.range.x, cfg.range.y, cfg.range.z);
  await assertSameAsDetect(t, vol, cfg.detectSpotsParameter, 12);
});

test("plugin seeds (a whole points input) through shape get the cell sizes of ClearMap's watershed", async (t) => {
  const vol = hardStack();
  const params = { removeBackgroundParameter: { size: null }, findExtendedMaximaParameter: { hMax: 10, size: 3, threshold: 50 }, detectCellShapeParameter: { threshold: 40 } };
  const detect = await runChunked(vol, [{ id: 'detect', type: detectNode, params }], vol.shape[2]);
  // the same seeds, handed over as a finished points artefact (as from pixel-classifier)
  const seeds = makePoints(detect.coords);
  for (const size of [40, 5]) {
    const cells = await runChunked(vol, [{ id: 'shape', type: shapeNode, params: { threshold: 40, cellReach: 1 }, links: { input: '@source' }, inputs: { seeds: { kind: 'points', points: seeds } } }], size);
    t.deepEqual(sortedRows(cells).map((r) => [r[0], r[1], r[2], r[6]]), sortedRows(detect).map((r) => [r[0], r[1], r[2], r[6]]), `sizes, chunks of ${size}`);
  }
});
