// TIFF reading: files written by tifffile (every dtype, both byte orders, strips, tiles, deflate
// with/without predictor, BigTIFF, ImageJ) read identically to tifffile's own values; sub-regions
// equal the same box of a full read; the real per-plane data set reads with the right shape.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, copyFileSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DType } from '../../../engine/data/volume.js';
import { openVolume } from '../../../nodes/io/lib/formats.js';
import { readVolumeRegion } from '../../../nodes/io/lib/read-region.js';
import { cropValues, firstDifference, python, readRaw, REAL_CH0, tempDir, TOOL } from './helpers.js';

interface Case { name: string; file: string; raw: string; dtype: string; shape: number[] }

const fixtures = tempDir('tifffile');
test.after.always(() => fixtures.cleanup());
let cases: Case[] = [];
test.before(() => {
  python([TOOL, 'write-fixtures', fixtures.dir]);
  cases = JSON.parse(readFileSync(join(fixtures.dir, 'manifest.json'), 'utf8'));
});

const WIDENED: Record<string, DType> = { uint8: 'uint8', int8: 'int32', uint16: 'uint16', int16: 'int32', uint32: 'float64', int32: 'int32', float32: 'float32', float64: 'float64' };

test('every tifffile-written stack reads identically, whole and by region', async (t) => {
  t.true(cases.length >= 15);
  for (const c of cases.filter((k) => k.shape.length <= 3)) {
    const opened = await openVolume(c.file);
    const zyx = c.shape.length === 3 ? c.shape : [1, ...c.shape];
    t.deepEqual(opened.shape, [zyx[2], zyx[1], zyx[0]], c.name);
    t.is(opened.dtype, WIDENED[c.dtype], c.name);
    const full = await readVolumeRegion(opened.ref.args);
    t.is(firstDifference(full.data, readRaw(c.raw, c.dtype)), -1, `${c.name}: voxels differ from tifffile`);
    const [X, Y, Z] = opened.shape;
    const box = { x: [3, X - 5] as [number, number], y: [2, Y - 4] as [number, number], z: [Math.min(1, Z - 1), Z] as [number, number] };
    const sub = await readVolumeRegion(opened.ref.args, box);
    t.deepEqual(sub.origin, [box.x[0], box.y[0], box.z[0]]);
    t.is(firstDifference(sub.data, cropValues(full, box.x, box.y, box.z)), -1, `${c.name}: region differs from the full read`);
  }
});

test('an ImageJ contiguous stack (one IFD, images=N) reads all its planes', async (t) => {
  const c = cases.find((k) => k.name === 'imagej_contiguous_uint16')!;
  const opened = await openVolume(c.file);
  t.deepEqual(opened.shape, [37, 21, 6]);
  t.is(firstDifference((await readVolumeRegion(opened.ref.args, { z: [2, 6] })).data, Array.from(readRaw(c.raw, 'uint16')).slice(2 * 37 * 21)), -1);
});

test('a channel of an ImageJ hyperstack (ZCYX) is picked with channel; without it the error says how', async (t) => {
  const c = cases.find((k) => k.name === 'imagej_2channels_uint16')!;
  await t.throwsAsync(openVolume(c.file), { message: /channels=2; set 'channel' \(0\.\.1\)/ });
  await t.throwsAsync(openVolume(c.file, { channel: 2 }), { message: /channel 2 does not exist; the file has 2 channels/ });
  const raw = readRaw(c.raw, 'uint16');
  const plane = 37 * 21;
  for (const channel of [0, 1]) {
    const opened = await openVolume(c.file, { channel });
    t.deepEqual(opened.shape, [37, 21, 6]);
    const expected: number[] = [];
    for (let z = 0; z < 6; z++) for (let i = 0; i < plane; i++) expected.push(raw[(z * 2 + channel) * plane + i]);
    t.is(firstDifference((await readVolumeRegion(opened.ref.args)).data, expected), -1, `channel ${channel}`);
  }
});

test('ImageJ resolution and spacing give the voxel size in µm', async (t) => {
  const c = cases.find((k) => k.name === 'imagej_uint16')!;
  const opened = await openVolume(c.file);
  t.deepEqual(opened.voxelSize.map((v) => +v.toFixed(9)), [0.65, 0.65, 2.5]);
  const override = await openVolume(c.file, { voxelSize: [2, 2, 5] });
  t.deepEqual(override.voxelSize, [2, 2, 5]);
  t.deepEqual((await readVolumeRegion(override.ref.args, { z: [0, 1] })).voxelSize, [2, 2, 5]);
});

test('real per-plane pattern reads as [667, 510, 30] and a sub-region equals the full read', async (t) => {
  const opened = await openVolume(`${REAL_CH0}/ch00\\d{3}.tif`);
  t.is(opened.format, 'tiff-planes');
  t.deepEqual(opened.shape, [667, 510, 30]);
  t.is(opened.dtype, 'uint16');
  t.is(opened.files.length, 30);
  const full = await readVolumeRegion(opened.ref.args);
  const box = { x: [100, 400] as [number, number], y: [37, 290] as [number, number], z: [7, 19] as [number, number] };
  const sub = await readVolumeRegion(opened.ref.args, box);
  t.deepEqual(sub.shape, [300, 253, 12]);
  t.is(firstDifference(sub.data, cropValues(full, box.x, box.y, box.z)), -1);
  // plane 12 agrees with tifffile
  const out = join(fixtures.dir, 'real12.bin');
  python([TOOL, 'read', `${REAL_CH0}/ch00012.tif`, out]);
  t.is(firstDifference(cropValues(full, [0, 667], [0, 510], [12, 13]), readRaw(out, 'uint16')), -1);
  // any digit count: \d+ and ClearMap's \d{} find the same files
  t.deepEqual((await openVolume(`${REAL_CH0}/ch\\d+.tif`)).shape, [667, 510, 30]);
  t.deepEqual((await openVolume(`${REAL_CH0}/ch\\d{}.tif`)).shape, [667, 510, 30]);
});

test('a crop opened as a VolumeRef reads in its own coordinates', async (t) => {
  const all = await openVolume(`${REAL_CH0}/ch00\\d{3}.tif`);
  const crop = await openVolume(`${REAL_CH0}/ch00\\d{3}.tif`, { crop: { x: [50, 150], z: [10, 20] } });
  t.deepEqual(crop.shape, [100, 510, 10]);
  const a = await readVolumeRegion(crop.ref.args, { y: [5, 9], z: [2, 4] });
  const b = await readVolumeRegion(all.ref.args, { x: [50, 150], y: [5, 9], z: [12, 14] });
  t.deepEqual(a.origin, [0, 5, 2]);
  t.is(firstDifference(a.data, b.data), -1);
  await t.throwsAsync(readVolumeRegion(crop.ref.args, { z: [5, 11] }), { message: /z=\[5, 11\).*outside the volume \(size 10/ });
});

test('a gap in the plane numbering names the files around it', async (t) => {
  const { dir, cleanup } = tempDir('gap');
  try {
    for (const z of [0, 1, 2, 4, 5]) copyFileSync(`${REAL_CH0}/ch0000${z}.tif`, join(dir, `p${String(z).padStart(4, '0')}.tif`));
    await t.throwsAsync(openVolume(join(dir, 'p\\d{4}.tif')), { message: /gap in the plane numbering after .*p0002\.tif: number 3 is missing before .*p0004\.tif/ });
    await t.throwsAsync(openVolume(join(dir, 'q\\d{4}.tif')), { message: /no file in .* matches q\\d\{4\}\.tif/ });
  } finally { cleanup(); }
});

test('truncated, corrupt and mismatched files give errors naming the file and plane', async (t) => {
  const { dir, cleanup } = tempDir('bad');
  try {
    for (let z = 0; z < 4; z++) copyFileSync(`${REAL_CH0}/ch0000${z}.tif`, join(dir, `p${z}.tif`));
    truncateSync(join(dir, 'p2.tif'), statSync(join(dir, 'p2.tif')).size - 1000);
    await t.throwsAsync(openVolume(join(dir, 'p\\d.tif')), { message: /plane 2 of .*: .*p2\.tif.*truncated/ });
    writeFileSync(join(dir, 'p2.tif'), Buffer.from('this is not a tiff file at all, just text'));
    await t.throwsAsync(openVolume(join(dir, 'p\\d.tif')), { message: /plane 2 of .*p2\.tif: not a readable TIFF/ });
    copyFileSync(cases.find((c) => c.name === 'single_plane_uint16')!.file, join(dir, 'p2.tif'));
    await t.throwsAsync(openVolume(join(dir, 'p\\d.tif')), { message: /plane 2: .*p2\.tif is 37x21 uint16 but plane 0 .* is 667x510 uint16/ });
    const junk = join(dir, 'junk.tif');
    writeFileSync(junk, Buffer.concat([Buffer.from('II*\0'), Buffer.from([8, 0, 0, 0]), Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 97) & 255))]));
    await t.throwsAsync(openVolume(junk), { message: /junk\.tif: corrupt TIFF/ });
    const stack = join(dir, 'stack.tif');
    copyFileSync(cases.find((c) => c.name === 'plain_uint16')!.file, stack);
    truncateSync(stack, statSync(stack).size - 500);
    await t.throwsAsync(openVolume(stack), { message: /stack\.tif.*truncated/ });
  } finally { cleanup(); }
});

test('unsupported files are rejected clearly', async (t) => {
  const { dir, cleanup } = tempDir('rgb');
  try {
    const rgb = join(dir, 'rgb.tif');
    python(['-c', `import numpy, tifffile; tifffile.imwrite(${JSON.stringify(rgb)}, numpy.zeros((8, 9, 3), 'uint8'), photometric='rgb')`]);
    await t.throwsAsync(openVolume(rgb), { message: /rgb\.tif page 0: 3 samples per pixel/ });
    await t.throwsAsync(openVolume(join(dir, 'x.xyz')), { message: /cannot tell the volume format/ });
    await t.throwsAsync(openVolume(join(dir, 'missing.tif')), { message: /missing\.tif: no such file/ });
  } finally { cleanup(); }
});

// libtiff-tools is not installed on every machine; where it is, LZW (± predictor) is checked too
const TIFFCP = ['/usr/bin/tiffcp', '/usr/local/bin/tiffcp'].find((p) => existsSync(p));
(TIFFCP ? test : test.skip)('LZW and LZW+predictor files made by tiffcp read identically', async (t) => {
  const c = cases.find((k) => k.name === 'plain_uint16')!;
  for (const mode of ['lzw', 'lzw:2']) {
    const out = join(fixtures.dir, `tiffcp_${mode.replace(':', '_')}.tif`);
    execFileSync(TIFFCP!, ['-c', mode, c.file, out]);
    const opened = await openVolume(out);
    t.is(firstDifference((await readVolumeRegion(opened.ref.args)).data, readRaw(c.raw, 'uint16')), -1, mode);
    const box = { x: [5, 30] as [number, number], y: [3, 17] as [number, number], z: [2, 5] as [number, number] };
    const full = await readVolumeRegion(opened.ref.args);
    t.is(firstDifference((await readVolumeRegion(opened.ref.args, box)).data, cropValues(full, box.x, box.y, box.z)), -1, mode);
  }
});
