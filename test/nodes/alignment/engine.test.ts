// The `resample` node run by the real engine: workflow validation, the worker pool running
// resampleSlabTask in worker threads (module URL, structured clone of the partials), caching.
import test from 'ava';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import type { EngineEvent } from '../../../engine/core/events.js';
import type { WholeNodeType } from '../../../engine/core/node-type.js';
import { NodeRegistry, nodeTypesModule } from '../../../engine/core/registry.js';
import { rawVolumeRef } from '../../../engine/data/raw-volume.js';
import type { Shape3 } from '../../../engine/data/volume.js';
import { loadWorkflow, runWorkflow } from '../../../app/engine.js';
import { alignmentNodeTypes } from '../../../nodes/alignment/index.js';
import { parseOrientation } from '../../../nodes/alignment/lib/orientation.js';
import { resampleGeometry, resampleVolume } from '../../../nodes/alignment/lib/resample.js';
import { fixturePath, readPlanes, tempDir, removeTempDirs } from './_helpers.js';
import { affineMap, makeBrainPhantom, TEST_AFFINE, warpVolume } from '../../../tools/alignment/synthetic.js';

test.after.always(removeTempDirs);

function findFiles(dir: string, name: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...findFiles(p, name));
    else if (f === name) out.push(p);
  }
  return out;
}

/** Test input: exposes an existing uint16 RAW file as a volume. */
const rawSource: WholeNodeType = {
  kind: 'whole', type: 'alignment-test-raw', version: '1', description: 'RAW file as a volume (alignment tests)',
  inputs: {}, outputs: { output: { type: 'volume', description: 'the file' } },
  params: { type: 'object', properties: { path: { type: 'string' }, shape: { type: 'array' }, voxelSize: { type: 'array' } }, required: ['path', 'shape', 'voxelSize'] },
  async run(_inputs, p) {
    return { output: rawVolumeRef(p.path as string, p.shape as Shape3, 'uint16', p.voxelSize as [number, number, number]) };
  },
};

/** Test input: points given in params. */
const pointSource: WholeNodeType = {
  kind: 'whole', type: 'alignment-test-points', version: '1', description: 'points from params (alignment tests)',
  inputs: {}, outputs: { output: { type: 'points', description: 'the points' } },
  params: { type: 'object', properties: { coords: { type: 'array' } }, required: ['coords'] },
  async run(_inputs, p) {
    return { output: { kind: 'points', points: { coords: Float64Array.from(p.coords as number[]), properties: {} } } };
  },
};

/** Test output: writes the points it receives to a JSON file (the test reads it). */
const pointSink: WholeNodeType = {
  kind: 'whole', type: 'alignment-test-save-points', version: '1', description: 'save points as JSON (alignment tests)',
  inputs: { points: { type: 'points', description: 'points' } }, outputs: { output: { type: 'json', description: 'the coordinates' } },
  params: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  async run(inputs, params) {
    const p = inputs.points as { points: { coords: Float64Array } };
    writeFileSync(params.path as string, JSON.stringify(Array.from(p.points.coords)));
    return { output: { kind: 'json', value: Array.from(p.points.coords) } };
  },
};

test('engine runs elastix then transform-points from the cache entry (paths survive the atomic rename)', async (t) => {
  const shape: Shape3 = [80, 96, 64];
  const atlas = makeBrainPhantom(shape, 7);
  const map = affineMap(TEST_AFFINE.A, TEST_AFFINE.t, [(shape[0] - 1) / 2, (shape[1] - 1) / 2, (shape[2] - 1) / 2]);
  const sample = warpVolume(atlas, shape, map);
  const dir = tempDir('align-engine-elx-');
  const save = (name: string, data: Float32Array) => { const f = join(dir, name); writeFileSync(f, new Uint8Array(data.buffer)); return f; };
  const floatSource: WholeNodeType = { ...rawSource, type: 'alignment-test-raw-f32', async run(_i, p) { return { output: rawVolumeRef(p.path as string, p.shape as Shape3, 'float32', p.voxelSize as [number, number, number]) }; } };
  const pts = [30, 40, 30, 50, 60, 35, 40, 48, 20];
  const wfFile = join(dir, 'wf.json');
  writeFileSync(wfFile, JSON.stringify({
    version: 1,
    nodes: [
      { id: 'sample', type: 'alignment-test-raw-f32', params: { path: save('sample.raw', sample.data), shape, voxelSize: [25, 25, 25] } },
      { id: 'atlas', type: 'alignment-test-raw-f32', params: { path: save('atlas.raw', atlas.data), shape, voxelSize: [25, 25, 25] } },
      { id: 'reg', type: 'elastix', params: { parameterFiles: [fixturePath('test-affine.txt')] }, inputs: { fixed: 'sample.output', moving: 'atlas.output' } },
      { id: 'cells', type: 'alignment-test-points', params: { coords: pts } },
      { id: 'toAtlas', type: 'transform-points', inputs: { points: 'cells.output', transform: 'reg.transform' } },
      { id: 'save', type: 'alignment-test-save-points', params: { path: join(dir, 'mapped.json') }, inputs: { points: 'toAtlas.output' } },
    ],
  }));
  const registry = new NodeRegistry();
  await registry.load(nodeTypesModule([...alignmentNodeTypes, floatSource, pointSource, pointSink]), 'alignment test');
  const { valid } = await loadWorkflow(wfFile, [], registry);
  const summary = await runWorkflow(valid, { cacheDir: join(dir, 'cache'), outDir: join(dir, 'out'), workers: 2 });
  t.true(summary.ok, JSON.stringify(summary.nodes));
  const within = (coords: number[]) => {
    const mapped = JSON.parse(readFileSync(join(dir, 'mapped.json'), 'utf8')) as number[];
    t.is(mapped.length, coords.length);
    for (let i = 0; i < coords.length; i += 3) {
      const e = map([coords[i], coords[i + 1], coords[i + 2]]);
      t.true(Math.hypot(e[0] - mapped[i], e[1] - mapped[i + 1], e[2] - mapped[i + 2]) < 1, `point ${i / 3}: ${mapped.slice(i, i + 3)} vs ${e}`);
    }
  };
  within(pts);
  const tp = findFiles(join(dir, 'cache'), 'TransformParameters.0.txt');
  t.is(tp.length, 1);
  t.false(tp[0].includes('.tmp'), tp[0]);
  // rerun with changed points: elastix is cached, transform-points reruns against the cached transform
  const wf2 = JSON.parse(readFileSync(wfFile, 'utf8'));
  wf2.nodes[3].params.coords = [31, 41, 31];
  writeFileSync(wfFile, JSON.stringify(wf2));
  const second = await runWorkflow((await loadWorkflow(wfFile, [], registry)).valid, { cacheDir: join(dir, 'cache'), outDir: join(dir, 'out'), workers: 2 });
  t.true(second.ok, JSON.stringify(second.nodes));
  t.is(second.nodes.find((n) => n.id === 'reg')!.status, 'cached');
  t.is(second.nodes.find((n) => n.id === 'toAtlas')!.status, 'computed');
  within([31, 41, 31]);
});

test('workflow validation reports bad alignment params with the node id and param name', async (t) => {
  const dir = tempDir('align-engine-bad-');
  const wfFile = join(dir, 'wf.json');
  writeFileSync(wfFile, JSON.stringify({
    version: 1,
    nodes: [
      { id: 'src', type: 'alignment-test-raw', params: { path: join(dir, 'x.raw'), shape: [4, 4, 4], voxelSize: [1, 1, 1] } },
      { id: 'down', type: 'resample', params: { orientation: [1, -1, 3], interpolation: 'cubic' }, inputs: { input: 'src.output' } },
    ],
  }));
  const registry = new NodeRegistry();
  await registry.load(nodeTypesModule([...alignmentNodeTypes, rawSource]), 'alignment test');
  const e = await t.throwsAsync(loadWorkflow(wfFile, [], registry));
  t.regex(e!.message, /node 'down': params\.interpolation: must be one of/);
  // schema-valid but not a signed permutation: the node's check() names the param
  const wf = JSON.parse(readFileSync(wfFile, 'utf8'));
  wf.nodes[1].params = { orientation: [1, -1, 3] };
  writeFileSync(wfFile, JSON.stringify(wf));
  const e2 = await t.throwsAsync(loadWorkflow(wfFile, [], registry));
  t.regex(e2!.message, /node 'down': params\.orientation: axis 1 appears twice/);
});

test('engine runs resample on the worker pool and caches it', async (t) => {
  const v = await readPlanes('ch0', 0, 30);
  const dir = tempDir('align-engine-');
  const raw = join(dir, 'ch0.raw');
  writeFileSync(raw, new Uint8Array(v.data.buffer));
  const params = { sinkResolution: [25, 25, 25], orientation: [1, -2, 3], interpolation: 'linear' };
  const wfFile = join(dir, 'wf.json');
  writeFileSync(wfFile, JSON.stringify({
    version: 1,
    nodes: [
      { id: 'src', type: 'alignment-test-raw', params: { path: raw, shape: v.shape, voxelSize: [2, 2, 5] } },
      { id: 'down', type: 'resample', params, inputs: { input: 'src.output' } },
    ],
  }));
  const registry = new NodeRegistry();
  await registry.load(nodeTypesModule([...alignmentNodeTypes, rawSource]), 'alignment test');
  const { valid } = await loadWorkflow(wfFile, [], registry);
  const events: EngineEvent[] = [];
  const subject = new Subject<EngineEvent>();
  subject.subscribe((e) => events.push(e));
  const summary = await runWorkflow(valid, { cacheDir: join(dir, 'cache'), outDir: join(dir, 'out'), workers: 2, events: subject });
  t.true(summary.ok, JSON.stringify(summary.nodes));
  const expected = resampleVolume({ ...v, origin: [0, 0, 0] }, resampleGeometry({ sourceShape: v.shape, sourceResolution: [2, 2, 5], sinkResolution: [25, 25, 25], orientation: parseOrientation([1, -2, 3]) }), 'linear');
  t.deepEqual(expected.shape, [54, 41, 6]);
  const second = await runWorkflow(valid, { cacheDir: join(dir, 'cache'), outDir: join(dir, 'out'), workers: 2 });
  t.true(second.ok);
  t.is(second.nodes.find((n) => n.id === 'down')!.status, 'cached');
  t.true(events.some((e) => e.event === 'progress' && e.node === 'down'));
  // the cached result is an MHD/RAW pair in the cache entry
  const raws = findFiles(join(dir, 'cache'), 'resampled.raw');
  t.is(raws.length, 1);
  const bytes = readFileSync(raws[0]);
  t.deepEqual(Array.from(new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2)), Array.from(expected.data));
  t.regex(readFileSync(raws[0].replace(/raw$/, 'mhd'), 'utf8'), /DimSize = 54 41 6/);
});
