// Imaris (.ims, HDF5) and OME-Zarr: fixtures written by h5py / python zarr (Debian's /usr/bin/python3)
// read identically to numpy's view of them (levels, channels, padding, gzip/blosc, big-endian, units);
// missing levels and corrupt chunks give errors naming the file; OME-Zarr we write is read by python zarr.
import test from 'ava';
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FileArtefact, VolumeRef } from '../../../engine/core/artefacts.js';
import type { NodeContext, WholeNodeType } from '../../../engine/core/node-type.js';
import { sliceZ, type Volume } from '../../../engine/data/volume.js';
import { convertVolume } from '../../../nodes/io/lib/convert.js';
import { createVolumeWriter, detectFormat, openVolume, volumeFiles } from '../../../nodes/io/lib/formats.js';
import { readVolumeRegion } from '../../../nodes/io/lib/read-region.js';
import { cropValues, firstDifference, python, readRaw, REPO, tempDir, testVolume } from './helpers.js';

const TOOL = join(REPO, 'tools', 'io', 'h5zarr_tool.py');
const tmp = tempDir('imszarr');
test.after.always(() => tmp.cleanup());

interface Manifest { ims: string; imsFloat: string; plainBlosc: string; fortranRaw: string; ome: string }
let manifest: Manifest;
test.before(() => {
  python([TOOL, 'write-fixtures', join(tmp.dir, 'fx')]);
  manifest = JSON.parse(readFileSync(join(tmp.dir, 'fx', 'manifest.json'), 'utf8')) as Manifest;
});

type R = [number, number];
let dumps = 0;
/** h5py's view d[z0:z1, y0:y1, x0:x1] of an .ims dataset. */
function h5pyRegion(file: string, dataset: string, x: R, y: R, z: R): { values: ArrayLike<number>; dtype: string } {
  const out = join(tmp.dir, `h5_${dumps++}.bin`);
  const meta = JSON.parse(python([TOOL, 'read-ims', file, dataset, ...[z, y, x].flat().map(String), out])) as { dtype: string };
  return { values: readRaw(out, meta.dtype), dtype: meta.dtype };
}

test('detectFormat: .ims, .zarr, .ome.zarr (with or without a trailing slash)', (t) => {
  t.is(detectFormat('/d/brain.ims'), 'ims');
  t.is(detectFormat('/d/brain.IMS'), 'ims');
  t.is(detectFormat('/d/brain.zarr'), 'zarr');
  t.is(detectFormat('/d/brain.ome.zarr/'), 'zarr');
  t.throws(() => createVolumeWriter(join(tmp.dir, 'x.ims'), { shape: [2, 2, 2], dtype: 'uint8' }), { message: /x\.ims: writing Imaris \.ims files is not supported/ });
});

test('ims: level 0 / channel 1 and level 1 / channel 0 read exactly as h5py sees them, padding excluded', async (t) => {
  const file = manifest.ims;
  const a = await openVolume(file, { channel: 1 });
  t.deepEqual([a.format, a.shape, a.dtype], ['ims', [70, 45, 13], 'uint16']);
  // voxel size = (ExtMax - ExtMin) / ImageSize
  a.voxelSize.forEach((v, i) => t.true(Math.abs(v - [0.65, 0.65, 5][i]) < 1e-9, `voxel ${i}: ${v}`));
  t.deepEqual(a.files, [file]);
  t.regex(a.ref.describe ?? '', /ims .*brain\.ims channel 1/);
  const ds0 = 'DataSet/ResolutionLevel 0/TimePoint 0/Channel 1/Data';
  const whole = await readVolumeRegion(a.ref.args);
  const ref = h5pyRegion(file, ds0, [0, 70], [0, 45], [0, 13]);
  t.is(ref.dtype, 'uint16');
  t.is(firstDifference(whole.data, ref.values), -1);
  // the fixture really is padded (stored 80 x 48 x 16, padding 7777) and the padding is not part of the volume
  t.true(Array.from(h5pyRegion(file, ds0, [70, 80], [0, 48], [0, 16]).values).every((v) => v === 7777));
  // a region that crosses HDF5 chunk borders (chunks 8 x 16 x 32)
  const box = { x: [29, 67] as R, y: [3, 40] as R, z: [6, 12] as R };
  const part = await readVolumeRegion(a.ref.args, box);
  t.deepEqual([part.shape, part.origin], [[38, 37, 6], [29, 3, 6]]);
  t.is(firstDifference(part.data, h5pyRegion(file, ds0, box.x, box.y, box.z).values), -1);
  t.is(firstDifference(part.data, cropValues(whole, box.x, box.y, box.z)), -1);

  const b = await openVolume(file, { level: 1, channel: 0, range: { z: [2, null] } });
  t.deepEqual([b.shape, b.dtype], [[35, 23, 5], 'uint16']);
  b.voxelSize.forEach((v, i) => t.true(Math.abs(v - [70 * 0.65 / 35, 45 * 0.65 / 23, 65 / 7][i]) < 1e-9, `level 1 voxel ${i}: ${v}`));
  const r1 = await readVolumeRegion(b.ref.args, { x: [30, 35], y: [0, 23], z: [0, 5] });
  t.is(firstDifference(r1.data, h5pyRegion(file, 'DataSet/ResolutionLevel 1/TimePoint 0/Channel 0/Data', [30, 35], [0, 23], [2, 7]).values), -1);
  // a different level/channel of the same file is a different cached source
  t.not(firstDifference((await readVolumeRegion(a.ref.args, { z: [0, 1], y: [0, 1], x: [0, 10] })).data,
    (await readVolumeRegion((await openVolume(file)).ref.args, { z: [0, 1], y: [0, 1], x: [0, 10] })).data), -1);
});

test('ims: float32 with sizes only in DataSetInfo/Image', async (t) => {
  const f = await openVolume(manifest.imsFloat);
  t.deepEqual([f.shape, f.dtype, f.voxelSize], [[11, 9, 5], 'float32', [2, 2, 3]]);
  const ref = h5pyRegion(manifest.imsFloat, 'DataSet/ResolutionLevel 0/TimePoint 0/Channel 0/Data', [0, 11], [0, 9], [0, 5]);
  t.is(ref.dtype, 'float32');
  t.is(firstDifference((await readVolumeRegion(f.ref.args)).data, ref.values), -1);
});

test('ims: a missing level, channel or timepoint is an error naming the file and what exists', async (t) => {
  await t.throwsAsync(openVolume(manifest.ims, { level: 2 }), { message: /brain\.ims: Imaris file has no resolution level 2; resolution levels present: 0, 1$/ });
  await t.throwsAsync(openVolume(manifest.ims, { channel: 5 }), { message: /brain\.ims: Imaris file has no channel 5 at resolution level 0, timepoint 0; channels present: 0, 1$/ });
  await t.throwsAsync(openVolume(manifest.ims, { level: 1, timepoint: 1 }), { message: /brain\.ims: Imaris file has no timepoint 1 at resolution level 1; timepoints present: 0$/ });
  const bogus = join(tmp.dir, 'bogus.ims');
  writeFileSync(bogus, 'not hdf5 at all, just text');
  await t.throwsAsync(openVolume(bogus), { message: /bogus\.ims: not an HDF5\/Imaris file/ });
  await t.throwsAsync(openVolume(join(tmp.dir, 'missing.ims')), { message: /missing\.ims: no such file/ });
  await t.throwsAsync(openVolume(join(tmp.dir, 'fx', 'plain_blosc.zarr'), { level: 1 }), { message: /plain_blosc\.zarr: a plain Zarr array has only resolution level 0/ });
});

test('zarr v2 from python zarr: blosc-zstd array and a gzip big-endian OME-Zarr group (levels, channels, units)', async (t) => {
  const plain = await openVolume(manifest.plainBlosc);
  t.deepEqual([plain.format, plain.shape, plain.dtype, plain.fileVoxelSize], ['zarr', [70, 45, 13], 'uint16', [null, null, null]]);
  const out = join(tmp.dir, 'plain.bin');
  const meta = JSON.parse(python([TOOL, 'read-zarr', manifest.plainBlosc, out])) as { compressor: { cname: string } };
  t.is(meta.compressor.cname, 'zstd');
  const ref = readRaw(out, 'uint16');
  const whole = await readVolumeRegion(plain.ref.args);
  t.is(firstDifference(whole.data, ref), -1);
  const box = { x: [20, 66] as R, y: [14, 35] as R, z: [3, 10] as R };
  t.is(firstDifference((await readVolumeRegion(plain.ref.args, box)).data, cropValues(whole, box.x, box.y, box.z)), -1);

  // Fortran-order raw chunks
  const fo = await openVolume(manifest.fortranRaw);
  t.deepEqual([fo.shape, fo.dtype], [[33, 20, 6], 'int32']);
  const fOut = join(tmp.dir, 'fortran.bin');
  t.is((JSON.parse(python([TOOL, 'read-zarr', manifest.fortranRaw, fOut])) as { compressor: unknown }).compressor, null);
  const fRef = readRaw(fOut, 'int16');
  t.is(firstDifference((await readVolumeRegion(fo.ref.args)).data, fRef), -1);
  const fWhole = await readVolumeRegion(fo.ref.args);
  t.is(firstDifference((await readVolumeRegion(fo.ref.args, { x: [3, 30], y: [7, 19], z: [1, 5] })).data, cropValues(fWhole, [3, 30], [7, 19], [1, 5])), -1);

  // OME group: axes c, z, y, x; python's full array (c, z, y, x) as int16
  const omeOut = join(tmp.dir, 'ome.bin');
  python([TOOL, 'read-zarr', manifest.ome, omeOut]);
  const full = readRaw(omeOut, 'int16');
  const [Z, Y, X] = [11, 30, 41];
  const ch1 = Array.from(full).slice(Z * Y * X, 2 * Z * Y * X);
  const o = await openVolume(manifest.ome, { channel: 1 });
  t.deepEqual([o.shape, o.dtype], [[41, 30, 11], 'int32']); // int16 widens losslessly
  o.voxelSize.forEach((v, i) => t.true(Math.abs(v - [0.65, 0.65, 5][i]) < 1e-9, `voxel ${i}: ${v} (x is in nanometer)`));
  t.is(firstDifference((await readVolumeRegion(o.ref.args)).data, ch1), -1);
  t.true(ch1.some((v) => v < 0), 'negative values survive the big-endian int16 decode');
  const l1 = await openVolume(manifest.ome, { channel: 0, level: 1 });
  t.deepEqual(l1.shape, [21, 15, 6]);
  l1.voxelSize.forEach((v, i) => t.true(Math.abs(v - [1.3, 1.3, 10][i]) < 1e-9, `level 1 voxel ${i}: ${v}`));
  const ch0 = Array.from(full).slice(0, Z * Y * X);
  const sub: number[] = [];
  for (let z = 0; z < Z; z += 2) for (let y = 0; y < Y; y += 2) for (let x = 0; x < X; x += 2) sub.push(ch0[x + X * (y + Y * z)]);
  t.is(firstDifference((await readVolumeRegion(l1.ref.args)).data, sub), -1);
  await t.throwsAsync(openVolume(manifest.ome), { message: /two_levels\.ome\.zarr\/0: axis 'c' has size 2; only z, y, x volumes are read \(select one with 'channel'\)/ });
  await t.throwsAsync(openVolume(manifest.ome, { channel: 0, level: 2 }), { message: /two_levels\.ome\.zarr: OME-Zarr has no resolution level 2; levels present: 0, 1/ });
  // cache identity: the metadata files
  t.deepEqual((await volumeFiles(manifest.ome)).map((f) => f.slice(manifest.ome.length)), ['/.zgroup', '/.zattrs', '/0/.zarray', '/1/.zarray']);
  t.deepEqual(o.files.map((f) => f.slice(manifest.ome.length)), ['/.zgroup', '/.zattrs', '/0/.zarray']);
});

async function write(path: string, v: Volume, opts: { encoding?: 'raw' | 'gzip'; chunks?: [number, number, number]; levels?: number } = {}, slab = 2): Promise<string[]> {
  const w = createVolumeWriter(path, { shape: v.shape, dtype: v.dtype, voxelSize: v.voxelSize }, opts);
  for (let z = 0; z < v.shape[2]; z += slab) await w.writeSlab(sliceZ(v, z, Math.min(v.shape[2], z + slab)));
  return w.commit();
}

for (const encoding of ['raw', 'gzip'] as const) {
  test(`zarr write (${encoding}): python zarr reads our OME-Zarr 0.4 identically, with its metadata`, async (t) => {
    for (const dtype of ['uint16', 'float32', 'uint8', 'int32', 'float64'] as const) {
      const v = testVolume(dtype, [37, 21, 9], [0.65, 0.65, 3]);
      const dest = join(tmp.dir, `ours_${encoding}_${dtype}.ome.zarr`);
      t.deepEqual(await write(dest, v, { encoding, chunks: [16, 8, 4] }, 3), [dest]);
      t.deepEqual(readdirSync(tmp.dir).filter((n) => n.startsWith(`${basename(dest)}.tmp-`)), []);
      const out = join(tmp.dir, `ours_${encoding}_${dtype}.bin`);
      const meta = JSON.parse(python([TOOL, 'read-zarr', dest, out])) as {
        shape: number[]; dtype: string; chunks: number[]; compressor: { id: string } | null;
        attrs: { multiscales: Array<{ version: string; axes: Array<{ name: string; unit?: string }>; datasets: Array<{ path: string; coordinateTransformations: Array<{ type: string; scale: number[] }> }> }> };
      };
      t.deepEqual([meta.shape, meta.chunks, meta.compressor?.id ?? null], [[9, 21, 37], [4, 8, 16], encoding === 'gzip' ? 'gzip' : null], dtype);
      t.is(meta.dtype, { uint16: '<u2', float32: '<f4', uint8: '|u1', int32: '<i4', float64: '<f8' }[dtype]);
      const ms = meta.attrs.multiscales[0];
      t.is(ms.version, '0.4');
      t.deepEqual(ms.axes.map((a) => `${a.name}:${a.unit}`), ['z:micrometer', 'y:micrometer', 'x:micrometer']);
      t.deepEqual(ms.datasets, [{ path: '0', coordinateTransformations: [{ type: 'scale', scale: [3, 0.65, 0.65] }] }]);
      t.is(firstDifference(readRaw(out, dtype), v.data), -1, dtype);
      const back = await openVolume(dest);
      t.deepEqual([back.shape, back.dtype, back.voxelSize], [v.shape, dtype, [0.65, 0.65, 3]]);
      const box = { x: [5, 33] as R, y: [7, 21] as R, z: [2, 9] as R };
      t.is(firstDifference((await readVolumeRegion(back.ref.args, box)).data, cropValues(v, box.x, box.y, box.z)), -1, dtype);
    }
  });
}

test('zarr write: default chunks, overwrite in place, abort and short writes leave nothing', async (t) => {
  const v = testVolume('uint16', [300, 20, 5], [1, 1, 2]);
  const dest = join(tmp.dir, 'over.zarr');
  await write(dest, testVolume('uint16', [4, 4, 4]));
  await write(dest, v, {}, 5);
  const zarray = JSON.parse(readFileSync(join(dest, '0', '.zarray'), 'utf8')) as { chunks: number[]; dimension_separator: string };
  t.deepEqual([zarray.chunks, zarray.dimension_separator], [[5, 20, 256], '/']);
  t.deepEqual(readdirSync(join(dest, '0', '0', '0')).sort(), ['0', '1']);
  t.is(firstDifference((await readVolumeRegion((await openVolume(dest)).ref.args)).data, v.data), -1);
  t.false(readdirSync(tmp.dir).some((f) => f.startsWith('over.zarr.')), 'no temp or old directories left');
  const w = createVolumeWriter(join(tmp.dir, 'aborted.zarr'), { shape: v.shape, dtype: v.dtype });
  await w.writeSlab(sliceZ(v, 0, 2));
  await w.abort();
  const short = createVolumeWriter(join(tmp.dir, 'short.zarr'), { shape: v.shape, dtype: v.dtype });
  await short.writeSlab(sliceZ(v, 0, 2));
  await t.throwsAsync(short.commit(), { message: /short\.zarr: only 2 of 5 planes were written/ });
  t.false(readdirSync(tmp.dir).some((f) => f.startsWith('aborted.zarr') || f.startsWith('short.zarr')));
});

/** Reference pyramid step: mean over 2 x 2 x 2 blocks (sizes rounded up), integers rounded. */
function halve(v: Volume): Volume {
  const [X, Y, Z] = v.shape;
  const out = testVolume(v.dtype, [Math.ceil(X / 2), Math.ceil(Y / 2), Math.ceil(Z / 2)]);
  const [nx, ny, nz] = out.shape;
  const round = v.dtype !== 'float32' && v.dtype !== 'float64';
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    let s = 0, n = 0;
    for (let k = 2 * z; k < Math.min(2 * z + 2, Z); k++) for (let j = 2 * y; j < Math.min(2 * y + 2, Y); j++) for (let i = 2 * x; i < Math.min(2 * x + 2, X); i++) { s += v.data[i + X * (j + Y * k)]; n++; }
    out.data[x + nx * (y + ny * z)] = round ? Math.round(s / n) : s / n;
  }
  return out;
}

test('zarr write: a 3-level pyramid (2x2x2 means) that python zarr and our reader agree on', async (t) => {
  for (const dtype of ['uint16', 'float32'] as const) {
    const v = testVolume(dtype, [37, 21, 9], [0.5, 0.5, 2]);
    const dest = join(tmp.dir, `pyramid_${dtype}.ome.zarr`);
    await write(dest, v, { chunks: [16, 8, 4], levels: 3 }, 4);
    let expected = v;
    for (let level = 0; level < 3; level++) {
      const out = join(tmp.dir, `pyr_${dtype}_${level}.bin`);
      const meta = JSON.parse(python([TOOL, 'read-zarr', dest, out, String(level)])) as { shape: number[]; chunks: number[]; attrs: { multiscales: Array<{ datasets: Array<{ path: string; coordinateTransformations: Array<{ scale: number[] }> }> }> } };
      t.deepEqual(meta.shape, [...expected.shape].reverse(), `${dtype} level ${level}`);
      t.deepEqual(meta.attrs.multiscales[0].datasets[level], { path: String(level), coordinateTransformations: [{ type: 'scale', scale: [2 * 2 ** level, 0.5 * 2 ** level, 0.5 * 2 ** level] }] });
      t.is(firstDifference(readRaw(out, dtype), expected.data), -1, `${dtype} level ${level}`);
      const ours = await openVolume(dest, { level });
      t.deepEqual([ours.shape, ours.voxelSize], [expected.shape, [0.5 * 2 ** level, 0.5 * 2 ** level, 2 * 2 ** level]]);
      t.is(firstDifference((await readVolumeRegion(ours.ref.args)).data, expected.data), -1, `${dtype} level ${level} (ours)`);
      expected = halve(expected);
    }
  }
});

test('zarr: a truncated or corrupt chunk is an error naming the chunk file', async (t) => {
  const v = testVolume('uint16', [20, 10, 6], [1, 1, 1]);
  for (const encoding of ['raw', 'gzip'] as const) {
    const dest = join(tmp.dir, `corrupt_${encoding}.zarr`);
    await write(dest, v, { encoding, chunks: [10, 10, 3] });
    const chunk = join(dest, '0', '1', '0', '1');
    truncateSync(chunk, Math.floor(statSync(chunk).size / 2));
    const o = await openVolume(dest);
    // regions that do not touch the chunk still read
    t.is(firstDifference((await readVolumeRegion(o.ref.args, { z: [0, 3] })).data, cropValues(v, [0, 20], [0, 10], [0, 3])), -1);
    const e = await t.throwsAsync(readVolumeRegion(o.ref.args, { x: [5, 15], z: [2, 5] }));
    t.true(e!.message.startsWith(`${chunk}: `), e!.message);
    t.regex(e!.message, /truncated or corrupt/);
  }
  const junk = join(tmp.dir, 'junk.zarr');
  await write(junk, v, { encoding: 'gzip', chunks: [10, 10, 3] });
  writeFileSync(join(junk, '0', '0', '0', '0'), 'this is not gzip data');
  await t.throwsAsync(readVolumeRegion((await openVolume(junk)).ref.args), { message: new RegExp(`${junk}/0/0/0/0: cannot read Zarr chunk`) });
  writeFileSync(join(junk, '.zattrs'), '{ not json');
  await t.throwsAsync(openVolume(junk), { message: /junk\.zarr\/\.zattrs: cannot read Zarr metadata/ });
  await t.throwsAsync(openVolume(join(tmp.dir, 'nothing.zarr')), { message: /nothing\.zarr: no such file/ });
});

test('zarr v3 (OME-Zarr 0.5 layout) written by zarrita is read', async (t) => {
  const zarr = await import('zarrita');
  const { default: FileSystemStore } = await import('@zarrita/storage/fs');
  const dest = join(tmp.dir, 'v3.ome.zarr');
  const v = testVolume('uint16', [33, 19, 7], [1, 1, 1]);
  const root = zarr.root(new FileSystemStore(dest));
  await zarr.create(root, {
    attributes: { ome: { version: '0.5', multiscales: [{ axes: [{ name: 't', type: 'time' }, { name: 'z', type: 'space', unit: 'micrometer' }, { name: 'y', type: 'space', unit: 'micrometer' }, { name: 'x', type: 'space', unit: 'micrometer' }], datasets: [{ path: 's0', coordinateTransformations: [{ type: 'scale', scale: [1, 4, 1.5, 1.5] }] }] }] } },
  });
  const arr = await zarr.create(root.resolve('s0'), { shape: [1, 7, 19, 33], chunkShape: [1, 3, 8, 16], dtype: 'uint16', dimensionNames: ['t', 'z', 'y', 'x'] });
  await zarr.set(arr, null, { data: v.data as Uint16Array, shape: [1, 7, 19, 33], stride: [7 * 19 * 33, 19 * 33, 33, 1] });
  t.true(existsSync(join(dest, 's0', 'c', '0', '1', '1', '1')), 'v3 default chunk keys');
  const o = await openVolume(dest);
  t.deepEqual([o.shape, o.dtype, o.voxelSize, o.files.map((f) => f.slice(dest.length))], [[33, 19, 7], 'uint16', [1.5, 1.5, 4], ['/zarr.json', '/s0/zarr.json']]);
  t.is(firstDifference((await readVolumeRegion(o.ref.args)).data, v.data), -1);
  const box = { x: [10, 30] as R, y: [5, 17] as R, z: [1, 6] as R };
  t.is(firstDifference((await readVolumeRegion(o.ref.args, box)).data, cropValues(v, box.x, box.y, box.z)), -1);
});

test('convertVolume: an .ims level straight into OME-Zarr', async (t) => {
  const dest = join(tmp.dir, 'converted.ome.zarr');
  t.deepEqual(await convertVolume(manifest.ims, dest, { to: { encoding: 'gzip' }, slabBytes: 70 * 45 * 2 * 4 }), [dest]);
  // python zarr's view of the result equals h5py's view of the .ims
  const out = join(tmp.dir, 'converted.bin');
  const meta = JSON.parse(python([TOOL, 'read-zarr', dest, out])) as { attrs: { multiscales: Array<{ datasets: Array<{ coordinateTransformations: Array<{ scale: number[] }> }> }> } };
  t.is(firstDifference(readRaw(out, 'uint16'), h5pyRegion(manifest.ims, 'DataSet/ResolutionLevel 0/TimePoint 0/Channel 0/Data', [0, 70], [0, 45], [0, 13]).values), -1);
  const scale = meta.attrs.multiscales[0].datasets[0].coordinateTransformations[0].scale;
  [5, 0.65, 0.65].forEach((s, i) => t.true(Math.abs(scale[i] - s) < 1e-9, `scale ${i}: ${scale[i]}`));
});

test('read-volume (ims level/channel) -> write-volume (zarr, chunks, levels) through the node types and the reader module', async (t) => {
  const { ioNodeTypes } = await import('../../../nodes/io/index.js');
  const node = (type: string) => ioNodeTypes.find((n) => n.type === type) as WholeNodeType;
  const ctx: NodeContext = {
    nodeId: 'n1', workDir: join(tmp.dir, 'work'), baseDir: join(tmp.dir, 'fx'), outDir: join(tmp.dir, 'results'), workers: 1,
    log: () => {}, progress: () => {},
    async readVolume(ref, region) { return (await import(ref.reader.module))[ref.reader.export](ref.args, region) as Promise<Volume>; },
    async parallel<T>(): Promise<T[]> { return []; },
    signal: new AbortController().signal,
  };
  const read = node('read-volume');
  const ref = (await read.run({}, { path: 'brain.ims', level: 1, channel: 1, z: [1, null] }, ctx)).volume as VolumeRef;
  t.deepEqual([ref.shape, ref.args.level, ref.args.channel], [[35, 23, 6], 1, 1]);
  const identity = await read.externalIdentity!({ path: 'brain.ims', level: 1 }, ctx.baseDir);
  t.deepEqual((identity as Array<{ path: string }>).map((f) => f.path), [manifest.ims]);
  const out = await node('write-volume').run({ volume: ref }, { path: 'b.ome.zarr', chunks: [16, 16, 4], levels: 2, encoding: 'gzip' }, ctx);
  const dest = (out.file as FileArtefact).path;
  t.is(dest, join(tmp.dir, 'results', 'b.ome.zarr'));
  t.deepEqual(JSON.parse(readFileSync(join(dest, '1', '.zarray'), 'utf8')).shape, [3, 12, 18]);
  const h = h5pyRegion(manifest.ims, 'DataSet/ResolutionLevel 1/TimePoint 0/Channel 1/Data', [0, 35], [0, 23], [1, 7]);
  t.is(firstDifference((await readVolumeRegion((await openVolume(dest)).ref.args)).data, h.values), -1);
});
