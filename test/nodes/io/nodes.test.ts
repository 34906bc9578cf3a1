// IO node types against the node contract: read-volume gives a lazy VolumeRef whose reader module a
// worker can import, ranges work ClearMap-style, identities track the files; write-volume streams
// slabs atomically; points and table writers/readers round-trip; params schemas compile with ajv.
import test from 'ava';
import { Ajv } from 'ajv';
import { copyFileSync, mkdirSync, readFileSync, utimesSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeContext, WholeNodeType } from '../../../engine/core/node-type.js';
import type { Artefact, FileArtefact, PointsArtefact, VolumeRef } from '../../../engine/core/artefacts.js';
import type { Volume } from '../../../engine/data/volume.js';
import { makePoints } from '../../../engine/data/points.js';
import { ioNodeTypes } from '../../../nodes/io/index.js';
import { openVolume } from '../../../nodes/io/lib/formats.js';
import { cropValues, firstDifference, REAL_CH0, tempDir } from './helpers.js';

const tmp = tempDir('nodes');
test.after.always(() => tmp.cleanup());
const node = (type: string) => ioNodeTypes.find((n) => n.type === type) as WholeNodeType;

/** A context like the engine's: readVolume imports the ref's reader module, as worker threads do. */
function context(reads: Array<[number, number]> = [], progress: number[] = []): NodeContext {
  return {
    nodeId: 'n1', workDir: join(tmp.dir, 'work'), baseDir: tmp.dir, outDir: join(tmp.dir, 'results'), workers: 2,
    log: () => {}, progress: (d) => { progress.push(d); },
    async readVolume(ref, region) {
      const mod = await import(ref.reader.module);
      const v: Volume = await mod[ref.reader.export](ref.args, region);
      reads.push([v.origin[2], v.origin[2] + v.shape[2]]);
      return v;
    },
    async parallel<T>(tasks: Array<{ module: string; export: string; args: unknown }>): Promise<T[]> {
      const out: T[] = [];
      for (const task of tasks) out.push(await (await import(task.module))[task.export](task.args));
      return out;
    },
    signal: new AbortController().signal,
  };
}

test('the node list and its params schemas', (t) => {
  t.deepEqual(ioNodeTypes.map((n) => n.type), ['read-volume', 'write-volume', 'read-points', 'write-points', 'write-table', 'write-ims-points']);
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const n of ioNodeTypes) t.truthy(ajv.compile(n.params), n.type);
  const validate = ajv.compile(node('read-volume').params);
  t.true(validate({ path: 'a\\d{4}.tif', z: [10, null], x: [-100, -1], voxelSize: [2, 2, 5] }));
  t.false(validate({ path: 'a.tif', z: [0] }));
  t.false(validate({ path: 'a.tif', format: 'jpeg' }));
  t.false(validate({ file: 'a.tif' }));
  t.deepEqual(node('write-points').check!({ path: 'c.vtk', intensities: 'companion' }), ["intensities: VTK keeps properties as point data; use 'inline'"]);
});

test('read-volume: pattern relative to baseDir, ClearMap ranges, lazy ref read through its module', async (t) => {
  const dir = join(tmp.dir, 'planes');
  mkdirSync(dir, { recursive: true });
  for (let z = 0; z < 30; z++) copyFileSync(`${REAL_CH0}/ch000${String(z).padStart(2, '0')}.tif`, join(dir, `Z${String(z).padStart(4, '0')}.tif`));
  const n = node('read-volume');
  const params = { path: 'planes/Z\\d{4}.tif', x: [100, -67], y: [null, 200], z: [-10, null], voxelSize: [2, 2, 5] };
  const out = await n.run({}, params, context());
  const ref = out.volume as VolumeRef;
  t.is(ref.kind, 'volume');
  t.deepEqual([ref.shape, ref.dtype, ref.voxelSize], [[500, 200, 10], 'uint16', [2, 2, 5]]);
  t.notThrows(() => JSON.parse(JSON.stringify(ref.args)), 'args are plain JSON');
  const slab = await context().readVolume(ref, { z: [3, 5] });
  t.deepEqual(slab.origin, [0, 0, 3]);
  const full = await context().readVolume((await openVolume(`${REAL_CH0}/ch00\\d{3}.tif`)).ref);
  t.is(firstDifference(slab.data, cropValues(full, [100, 600], [0, 200], [23, 25])), -1);

  const id1 = JSON.stringify(await n.externalIdentity!(params, tmp.dir));
  t.is(JSON.parse(id1).length, 30);
  utimesSync(join(dir, 'Z0007.tif'), new Date(), new Date(Date.now() + 5000));
  t.not(JSON.stringify(await n.externalIdentity!(params, tmp.dir)), id1, 'touching a plane changes the identity');
  await t.throwsAsync(n.run({}, { path: 'planes/Z\\d{4}.tif', z: [40, 50] }, context()), { message: /range z=\[30, 30\) is empty/ });
});

test('write-volume streams bounded slabs into an atomic TIFF that reads back identically', async (t) => {
  const src = (await openVolume(`${REAL_CH0}/ch00\\d{3}.tif`, { voxelSize: [2, 2, 5] })).ref;
  const reads: Array<[number, number]> = [], progress: number[] = [];
  const out = await node('write-volume').run({ volume: src }, { path: 'vol/ch0.tif', slabPlanes: 7 }, context(reads, progress));
  const file = out.file as FileArtefact;
  t.is(file.path, join(tmp.dir, 'results', 'vol', 'ch0.tif'));
  t.deepEqual(reads, [[0, 7], [7, 14], [14, 21], [21, 28], [28, 30]]);
  t.deepEqual(progress, [7, 14, 21, 28, 30]);
  t.deepEqual(readdirSync(join(tmp.dir, 'results', 'vol')), ['ch0.tif']);
  const back = await openVolume(file.path);
  t.deepEqual([back.shape, back.voxelSize], [[667, 510, 30], [2, 2, 5]]);
  const ctx = context();
  t.is(firstDifference((await ctx.readVolume(back.ref)).data, (await ctx.readVolume(src)).data), -1);
  // MHD output from the same node
  const mhd = await node('write-volume').run({ volume: src }, { path: 'vol/ch0.mhd' }, context());
  t.true(existsSync(join(tmp.dir, 'results', 'vol', 'ch0.raw')));
  t.is((mhd.file as FileArtefact).path, join(tmp.dir, 'results', 'vol', 'ch0.mhd'));
});

test('write-volume failure leaves no partial output', async (t) => {
  const src = (await openVolume(`${REAL_CH0}/ch00\\d{3}.tif`)).ref;
  const ctx = context();
  let calls = 0;
  const failing: NodeContext = { ...ctx, async readVolume(ref, region) { if (++calls === 3) throw new Error('disk on fire'); return ctx.readVolume(ref, region); } };
  await t.throwsAsync(node('write-volume').run({ volume: src }, { path: 'fail/x.tif', slabPlanes: 4 }, failing), { message: 'disk on fire' });
  t.deepEqual(readdirSync(join(tmp.dir, 'results', 'fail')), []);
});

test('write-points / read-points / write-table round trip', async (t) => {
  const points = makePoints([1, 2, 3, 4, 5, 6.5], { raw: [10, 20], dog: [1, 2], background: [3, 4], size: [5, 6] });
  const wrote = await node('write-points').run({ points: { kind: 'points', points } }, { path: 'cells/cells.npy' }, context());
  t.true(existsSync(join(tmp.dir, 'results', 'cells', 'cells_intensities.npy')));
  const readParams = { path: (wrote.file as FileArtefact).path, voxelSize: [2, 2, 5] };
  const back = (await node('read-points').run({}, readParams, context())).points as PointsArtefact;
  t.deepEqual(Array.from(back.points.coords), [1, 2, 3, 4, 5, 6.5]);
  t.deepEqual(Object.keys(back.points.properties), ['raw', 'dog', 'background', 'size']);
  t.deepEqual(back.voxelSize, [2, 2, 5]);
  t.is((await node('read-points').externalIdentity!(readParams, tmp.dir) as unknown[]).length, 1, 'the companion file (the engine fingerprints params.path itself)');

  const table: Artefact = { kind: 'table', table: { columns: ['region', 'count'], rows: [['Isocortex, layer 1', 12], ['CA1', null]] } };
  const tf = (await node('write-table').run({ table }, { path: 'counts.csv' }, context())).file as FileArtefact;
  t.is(readFileSync(tf.path, 'utf8'), 'region,count\n"Isocortex, layer 1",12\nCA1,\n');
});

test('a worker thread imports the ref reader module and reads a slab from plain-JSON args', async (t) => {
  const { Worker } = await import('node:worker_threads');
  const ref = (await openVolume(`${REAL_CH0}/ch00\\d{3}.tif`)).ref;
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.module).then(async (m) => {
      const v = await m[workerData.export](workerData.args, { y: [100, 110], z: [4, 6] });
      let sum = 0; for (const x of v.data) sum += x;
      parentPort.postMessage({ shape: v.shape, origin: v.origin, sum });
    });`;
  const result = await new Promise<{ shape: number[]; origin: number[]; sum: number }>((res, rej) => {
    const w = new Worker(code, { eval: true, workerData: { module: ref.reader.module, export: ref.reader.export, args: JSON.parse(JSON.stringify(ref.args)) } });
    w.once('message', (m) => { void w.terminate(); res(m); });
    w.once('error', rej);
  });
  const here = await context().readVolume(ref, { y: [100, 110], z: [4, 6] });
  t.deepEqual(result.shape, [667, 10, 2]);
  t.deepEqual(result.origin, [0, 100, 4]);
  t.is(result.sum, Array.from(here.data).reduce((a, b) => a + b, 0));
  const { readVolumeRegion } = await import('../../../nodes/io/lib/read-region.js');
  const shared = await readVolumeRegion(ref.args, { y: [100, 110], z: [4, 6] }, { shared: true });
  t.true(shared.data.buffer instanceof SharedArrayBuffer);
  t.is(firstDifference(shared.data, here.data), -1);
});

test('convertVolume copies a ClearMap-style sub-range into another format in bounded slabs', async (t) => {
  const { convertVolume } = await import('../../../nodes/io/lib/convert.js');
  const dest = join(tmp.dir, 'conv', 'ch0.nrrd');
  const steps: number[] = [];
  const files = await convertVolume(`${REAL_CH0}/ch00\\d{3}.tif`, dest, {
    range: { x: [10, -10], z: [-12, null] }, voxelSize: [2, 2, 5], to: { encoding: 'gzip' }, slabBytes: 5 * 647 * 510 * 2, onProgress: (d) => steps.push(d),
  });
  t.deepEqual(files, [dest]);
  t.deepEqual(steps, [5, 10, 12]);
  const back = await openVolume(dest);
  t.deepEqual([back.shape, back.voxelSize], [[647, 510, 12], [2, 2, 5]]);
  const full = await context().readVolume((await openVolume(`${REAL_CH0}/ch00\\d{3}.tif`)).ref);
  t.is(firstDifference((await context().readVolume(back.ref)).data, cropValues(full, [10, 657], [0, 510], [18, 30])), -1);
});
