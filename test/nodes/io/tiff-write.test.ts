// TIFF writing: round trips for every dtype, tifffile reads our classic and BigTIFF stacks identically
// (as an ImageJ z-stack with the voxel size), same input -> same bytes, atomic commit/abort.
import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DTYPES, sliceZ, type DType, type Volume } from '../../../engine/data/volume.js';
import { createVolumeWriter, openVolume } from '../../../nodes/io/lib/formats.js';
import { readVolumeRegion } from '../../../nodes/io/lib/read-region.js';
import { firstDifference, python, readRaw, tempDir, testVolume, TOOL } from './helpers.js';

const tmp = tempDir('tiffw');
test.after.always(() => tmp.cleanup());

async function writeInSlabs(path: string, v: Volume, slab: number, opts: { format?: string; bigTiff?: boolean } = {}): Promise<string[]> {
  const w = createVolumeWriter(path, { shape: v.shape, dtype: v.dtype, voxelSize: v.voxelSize }, opts);
  for (let z = 0; z < v.shape[2]; z += slab) await w.writeSlab(sliceZ(v, z, Math.min(v.shape[2], z + slab)));
  return w.commit();
}

const NUMPY: Record<DType, string> = { uint8: 'uint8', uint16: 'uint16', int32: 'int32', float32: 'float32', float64: 'float64' };

for (const big of [false, true]) {
  test(`${big ? 'BigTIFF' : 'classic TIFF'} stacks of every dtype round-trip and tifffile reads them identically`, async (t) => {
    for (const dtype of DTYPES) {
      const v = testVolume(dtype, [37, 21, 7]);
      const path = join(tmp.dir, `${big ? 'big' : 'classic'}_${dtype}.tif`);
      t.deepEqual(await writeInSlabs(path, v, 3, { bigTiff: big }), [path]);
      const back = await openVolume(path);
      t.deepEqual([back.shape, back.dtype, back.voxelSize], [v.shape, dtype, [2, 2, 5]], `${dtype}`);
      t.is(firstDifference((await readVolumeRegion(back.ref.args)).data, v.data), -1, `${dtype}: our reader`);
      const meta = JSON.parse(python([TOOL, 'read', path, `${path}.bin`]));
      t.deepEqual(meta.shape, [7, 21, 37], dtype);
      t.is(meta.dtype, NUMPY[dtype]);
      t.is(meta.pages, 7);
      t.is(meta.is_bigtiff, big);
      t.is(meta.byteorder, '<');
      t.true(meta.is_imagej);
      t.true(meta.contiguous, 'planes back to back, as ImageJ reads them');
      t.is(meta.imagej.images, 7);
      t.is(meta.imagej.slices, 7);
      t.is(meta.imagej.spacing, 5);
      t.is(meta.imagej.unit, 'micron');
      t.is(meta.xresolution, 0.5); // pixels per µm
      t.is(firstDifference(readRaw(`${path}.bin`, NUMPY[dtype]), v.data), -1, `${dtype}: tifffile's values`);
    }
  });
}

test('same input gives the same bytes, whatever the slab size', async (t) => {
  const v = testVolume('uint16', [64, 33, 10], [0.65, 0.65, 2]);
  const a = join(tmp.dir, 'det_a.tif'), b = join(tmp.dir, 'det_b.tif');
  await writeInSlabs(a, v, 1);
  await writeInSlabs(b, v, 4);
  t.true(readFileSync(a).equals(readFileSync(b)));
  t.deepEqual((await openVolume(a)).voxelSize, [0.65, 0.65, 2]);
});

test('writes are atomic: nothing under the real name until commit; abort and errors leave no files', async (t) => {
  const dir = join(tmp.dir, 'atomic');
  const v = testVolume('uint16', [16, 8, 6]);
  const dest = join(dir, 'out.tif');
  const w = createVolumeWriter(dest, { shape: v.shape, dtype: v.dtype, voxelSize: v.voxelSize });
  await w.writeSlab(sliceZ(v, 0, 3));
  t.false(existsSync(dest));
  t.is(readdirSync(dir).length, 1);
  t.regex(readdirSync(dir)[0], /^out\.tif\.tmp-.+~\d+~[a-z0-9]+$/);
  await w.abort();
  t.deepEqual(readdirSync(dir), []);

  const w2 = createVolumeWriter(dest, { shape: v.shape, dtype: v.dtype });
  await w2.writeSlab(sliceZ(v, 0, 3));
  await t.throwsAsync(w2.commit(), { message: /out\.tif: only 3 of 6 planes were written/ });
  t.deepEqual(readdirSync(dir), []);

  const w3 = createVolumeWriter(dest, { shape: v.shape, dtype: v.dtype });
  await t.throwsAsync(w3.writeSlab(sliceZ(v, 3, 6)), { message: /expected a slab starting at z=0, got z=3/ });
  t.deepEqual(readdirSync(dir), []);
  const w4 = createVolumeWriter(dest, { shape: v.shape, dtype: 'float32' });
  await t.throwsAsync(w4.writeSlab(sliceZ(v, 0, 3)), { message: /slab has dtype uint16 but the writer was created for float32/ });
  t.deepEqual(readdirSync(dir), []);
});

test('per-plane pattern writer produces files the pattern reader reads back', async (t) => {
  const v = testVolume('float32', [20, 11, 12]);
  const pattern = join(tmp.dir, 'planes', 'Z\\d{4}.tif');
  const files = await writeInSlabs(pattern, v, 5);
  t.is(files.length, 12);
  t.true(files[11].endsWith('/planes/Z0011.tif'));
  t.deepEqual(readdirSync(join(tmp.dir, 'planes')).length, 12);
  // writing a shallower volume to the same pattern leaves only its own planes
  await writeInSlabs(pattern, testVolume('float32', [20, 11, 4]), 4);
  t.deepEqual(readdirSync(join(tmp.dir, 'planes')).sort(), ['Z0000.tif', 'Z0001.tif', 'Z0002.tif', 'Z0003.tif']);
  await writeInSlabs(pattern, v, 5);
  const back = await openVolume(pattern);
  t.is(back.format, 'tiff-planes');
  t.deepEqual([back.shape, back.voxelSize], [[20, 11, 12], [2, 2, 5]]);
  t.is(firstDifference((await readVolumeRegion(back.ref.args)).data, v.data), -1);
});

test('a stack that would pass 4 GiB switches to BigTIFF (layout check without writing 4 GiB)', async (t) => {
  // 2 planes of 46341 x 23171 uint16 = 4.0 GiB; write nothing, just check the header the writer starts with
  const path = join(tmp.dir, 'huge.tif');
  const w = createVolumeWriter(path, { shape: [46341, 23171, 2], dtype: 'uint16' });
  const tempOf = () => join(tmp.dir, readdirSync(tmp.dir).find((n) => n.startsWith('huge.tif.tmp-'))!);
  const head = readFileSync(tempOf()).subarray(0, 4);
  t.deepEqual([...head], [0x49, 0x49, 43, 0]);
  await w.abort();
  const small = createVolumeWriter(path, { shape: [100, 100, 2], dtype: 'uint16' });
  t.deepEqual([...readFileSync(tempOf()).subarray(0, 4)], [0x49, 0x49, 42, 0]);
  await small.abort();
  t.false(existsSync(path));
});
