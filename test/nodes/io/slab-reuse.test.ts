// Reusable slab buffers (engine/data/slab-pool.ts): every reader that accepts one writes every voxel,
// so a buffer holding another chunk's bytes never leaks them. Each read below goes into a buffer
// filled with garbage first, in a sequence of boxes of different sizes, and must equal a fresh read.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SlabPool, slabVolume, type SlabTarget } from '../../../engine/data/slab-pool.js';
import { rawVolumeRef, readRawRegion } from '../../../engine/data/raw-volume.js';
import { readRegion } from '../../../engine/data/read.js';
import type { Region } from '../../../engine/core/artefacts.js';
import type { Volume } from '../../../engine/data/volume.js';
import { createVolumeWriter, openVolume, type WriterOptions } from '../../../nodes/io/lib/formats.js';
import { readVolumeRegion } from '../../../nodes/io/lib/read-region.js';
import { convertVolume } from '../../../nodes/io/lib/convert.js';
import { writeFileAtomic } from '../../../engine/data/atomic.js';
import { planChunks } from '../../../engine/data/chunk.js';
import { readChunkPayload } from '../../../engine/scheduler/chunk-file.js';
import { runChunkTask, type StageSpec } from '../../../engine/scheduler/chunk-task.js';
import { firstDifference, python, tempDir, testVolume, TOOL } from './helpers.js';

/** A target that hands out one growing buffer, scribbled over before every use. */
class GarbageTarget implements SlabTarget {
  buf = new ArrayBuffer(0);
  takes = 0;
  take(bytes: number): ArrayBuffer {
    if (this.buf.byteLength < bytes) this.buf = new ArrayBuffer(bytes + 4096);
    new Uint8Array(this.buf).fill(0xa5);
    this.takes++;
    return this.buf;
  }
}

const fixtures = tempDir('slab-reuse');
test.after.always(() => fixtures.cleanup());

/** Boxes of shrinking and growing sizes, partial rows and whole planes, for a volume of `shape`. */
function boxes([X, Y, Z]: number[]): Array<Partial<Region> & { z: [number, number] }> {
  return [
    { z: [0, Z] },
    { x: [1, X - 2], y: [2, Y - 1], z: [Math.min(1, Z - 1), Z] },
    { z: [Z - 1, Z] },
    { x: [0, X], y: [1, Y], z: [0, Math.max(1, Z - 1)] },
    { x: [X - 3, X], y: [0, 2], z: [0, Z] },
    { z: [0, Z] },
  ];
}

async function checkReuse(t: import('ava').ExecutionContext, name: string, read: (r: Partial<Region>, into?: SlabTarget) => Promise<Volume>, shape: number[]): Promise<void> {
  const target = new GarbageTarget();
  for (const box of boxes(shape)) {
    const fresh = await read(box);
    const reused = await read(box, target);
    t.deepEqual(reused.shape, fresh.shape, name);
    t.deepEqual(reused.origin, fresh.origin, name);
    t.is(reused.data.length, fresh.data.length, name);
    t.is(firstDifference(reused.data, fresh.data), -1, `${name} box ${JSON.stringify(box)}: a reused buffer's stale bytes leaked`);
  }
  t.true(target.takes >= boxes(shape).length, `${name}: the reader used the target`);
}

test('every tifffile-written stack (strips, tiles, deflate, big-endian, BigTIFF, ImageJ) fills a reused buffer completely', async (t) => {
  const dir = join(fixtures.dir, 'tifffile');
  python([TOOL, 'write-fixtures', dir]);
  const cases = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Array<{ name: string; file: string; shape: number[] }>;
  for (const c of cases.filter((k) => k.shape.length <= 3)) {
    const o = await openVolume(c.file);
    await checkReuse(t, c.name, (r, into) => readVolumeRegion(o.ref.args, r, { into }), o.shape);
  }
});

test('our TIFF stack, BigTIFF, per-plane TIFF, MHD, NRRD raw and gzip and the cache RAW fill a reused buffer completely', async (t) => {
  for (const dtype of ['uint16', 'float32'] as const) {
    const v = testVolume(dtype, [19, 13, 7]);
    const files: Array<[string, Record<string, unknown>]> = [
      [`stack-${dtype}.tif`, {}], [`big-${dtype}.tif`, { bigTiff: true }], [`planes-${dtype}/Z\\d{3}.tif`, {}],
      [`vol-${dtype}.mhd`, {}], [`vol-${dtype}.nrrd`, {}], [`gz-${dtype}.nrrd`, { encoding: 'gzip' }],
    ];
    for (const [name, opts] of files) {
      const path = join(fixtures.dir, name);
      const w = createVolumeWriter(path, { shape: v.shape, dtype, voxelSize: v.voxelSize }, opts);
      await w.writeSlab({ ...v, data: v.data.subarray(0, 19 * 13 * 3), shape: [19, 13, 3] });
      await w.writeSlab({ ...v, data: v.data.subarray(19 * 13 * 3), shape: [19, 13, 4], origin: [0, 0, 3] });
      await w.commit();
      const o = await openVolume(path);
      t.is(firstDifference((await readVolumeRegion(o.ref.args)).data, v.data), -1, `${name}: written and read back`);
      await checkReuse(t, name, (r, into) => readVolumeRegion(o.ref.args, r, { into }), v.shape);
    }
    const raw = join(fixtures.dir, `cache-${dtype}.raw`);
    writeFileAtomic(raw, new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength));
    const ref = rawVolumeRef(raw, v.shape, dtype, v.voxelSize);
    await checkReuse(t, `cache raw ${dtype}`, (r, into) => readRawRegion(ref.args, { z: [0, v.shape[2]], ...r }, { into }), v.shape);
    // and through the engine's readRegion, as chunk tasks call it
    await checkReuse(t, `readRegion ${dtype}`, (r, into) => readRegion(ref, r, into ? { into } : undefined), v.shape);
  }
});

test('the pool hands one buffer back for chunks of different sizes and never shares a buffer in use', (t) => {
  const pool = new SlabPool(2);
  const a = pool.lease();
  const b1 = a.take(3 << 20);
  t.true(b1.byteLength >= 3 << 20);
  t.true(a.take(1 << 20) === b1, 'a smaller slab reuses the held buffer');
  const b = pool.lease();
  const b2 = b.take(1 << 20);
  t.true(b2 !== b1, 'a second chunk in flight gets its own buffer');
  a.release();
  b.release();
  t.is(pool.idleBytes(), b1.byteLength + b2.byteLength);
  const c = pool.lease();
  t.true(c.take(1 << 19) === b2, 'the smallest idle buffer that fits is reused');
  t.true(c.take(3 << 20) === b1, 'a larger slab swaps in the larger idle buffer');
  const grown = c.take(5 << 20);
  t.true(grown.byteLength >= 5 << 20, 'a larger window swaps in a larger buffer');
  c.release();
  t.true(pool.idleBytes() <= grown.byteLength + b1.byteLength, 'at most maxIdle buffers stay idle');
  // a view over a pooled buffer has exactly the slab's length, whatever the buffer's size
  const v = slabVolume('uint16', [4, 3, 2], { into: pool.lease() });
  t.is(v.data.length, 24);
  t.is(v.data.byteOffset, 0);
  // data read from file position p starts at p mod 64 in the (page-aligned) buffer, when the dtype allows
  t.is(slabVolume('uint16', [4, 3, 2], { into: pool.lease(), alignWith: 4096 + 184 }).data.byteOffset, 56);
  t.is(slabVolume('float64', [4, 3, 2], { into: pool.lease(), alignWith: 4 }).data.byteOffset, 0);
  t.is(slabVolume('uint16', [4, 3, 2], { alignWith: 184 }).data.byteOffset, 0, 'a fresh array is not offset');
  // shared slabs (handed between threads) never come from the pool
  const s = slabVolume('uint16', [4, 3, 2], { into: pool.lease(), shared: true });
  t.true(s.data.buffer instanceof SharedArrayBuffer);
});

test('chunk tasks of different sizes in one thread, through its slab pool, join to exactly the source', async (t) => {
  const v = testVolume('uint16', [23, 17, 29]);
  const raw = join(fixtures.dir, 'chunks.raw');
  writeFileAtomic(raw, new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength));
  const source = rawVolumeRef(raw, v.shape, 'uint16', v.voxelSize);
  const module = new URL('./_identity-kernel.js', import.meta.url).href;
  const stage = (exp: string, id: string): StageSpec => ({ nodeId: id, nodeType: id, module, export: exp, params: {}, produces: 'volume', context: { inputs: {}, baseDir: fixtures.dir }, overlap: 2 });
  const plane = v.shape[0] * v.shape[1];
  // large chunks first, then small ones, then large again: each read lands in a buffer holding other planes
  for (const sizeMax of [29, 11, 3, 1, 7, 29]) {
    for (const stages of [[stage('identityKernel', 'identity')], [stage('identityKernel', 'identity'), stage('plusOneKernel', 'plus')]]) {
      const joined = new Uint16Array(v.data.length);
      for (const g of planChunks(v.shape[2], { overlap: 2, sizeMin: 1, sizeMax, workers: 1 })) {
        const file = join(fixtures.dir, `c-${sizeMax}-${stages.length}-${g.index}.chunk`);
        await runChunkTask({ source, geometry: g, stages, chunkFile: file });
        const c = readChunkPayload(file)!;
        t.is(c.header.kind, 'volume');
        const core = new Uint16Array(new Uint8Array(c.payload).buffer); // copied: the payload may start at an odd offset
        t.is(core.length, (g.core[1] - g.core[0]) * plane);
        joined.set(core, g.core[0] * plane);
      }
      const want = stages.length === 1 ? v.data : v.data.map((x) => x + 1);
      t.is(firstDifference(joined, want), -1, `chunks of at most ${sizeMax} planes, ${stages.length} stage(s)`);
    }
  }
});

test('convert reuses one slab buffer across slabs of different sizes into every writer, bytes unchanged', async (t) => {
  const v = testVolume('uint16', [19, 13, 7]);
  const src = join(fixtures.dir, 'convert-src.tif');
  const w = createVolumeWriter(src, { shape: v.shape, dtype: 'uint16', voxelSize: v.voxelSize });
  await w.writeSlab(v);
  await w.commit();
  const plane = 19 * 13 * 2;
  const targets: Array<[string, WriterOptions]> = [['c.mhd', {}], ['c.nrrd', { encoding: 'gzip' }], ['c.zarr', { chunks: [8, 8, 2] }], ['c-planes/Z\\d{2}.tif', {}], ['c.tif', {}]];
  for (const [name, to] of targets) {
    const dest = join(fixtures.dir, name);
    await convertVolume(src, dest, { slabBytes: 3 * plane, to }); // slabs of 3, 3 and 1 planes
    const back = await openVolume(dest);
    t.is(firstDifference((await readVolumeRegion(back.ref.args)).data, v.data), -1, `${name}: converted bytes differ`);
  }
});
