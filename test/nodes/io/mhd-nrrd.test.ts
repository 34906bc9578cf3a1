// MHD/RAW and NRRD: round trips for every dtype, a hand-checked header, LOCAL data with a byte offset,
// big-endian data, and elastix's transformix reading our .mhd (identity transform) and writing one we read.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DTYPES, sliceZ, type Volume } from '../../../engine/data/volume.js';
import { createVolumeWriter, openVolume } from '../../../nodes/io/lib/formats.js';
import { createNrrdWriter } from '../../../nodes/io/lib/nrrd/nrrd.js';
import { readVolumeRegion } from '../../../nodes/io/lib/read-region.js';
import { cropValues, firstDifference, python, tempDir, testVolume } from './helpers.js';

const tmp = tempDir('mhd');
test.after.always(() => tmp.cleanup());

async function write(path: string, v: Volume, format?: string): Promise<string[]> {
  const w = createVolumeWriter(path, { shape: v.shape, dtype: v.dtype, voxelSize: v.voxelSize }, { format });
  for (let z = 0; z < v.shape[2]; z += 2) await w.writeSlab(sliceZ(v, z, Math.min(v.shape[2], z + 2)));
  return w.commit();
}

test('MHD header is what elastix expects (hand-checked)', async (t) => {
  const v = testVolume('uint16', [5, 4, 3], [2, 2, 5]);
  const files = await write(join(tmp.dir, 'hdr.mhd'), v);
  t.deepEqual(files.map((f) => f.split('/').pop()), ['hdr.mhd', 'hdr.raw']);
  t.is(readFileSync(files[0], 'latin1'), [
    'ObjectType = Image', 'NDims = 3', 'BinaryData = True', 'BinaryDataByteOrderMSB = False', 'CompressedData = False',
    'TransformMatrix = 1 0 0 0 1 0 0 0 1', 'Offset = 0 0 0', 'ElementSpacing = 2 2 5', 'DimSize = 5 4 3',
    'ElementType = MET_USHORT', 'ElementDataFile = hdr.raw', '',
  ].join('\n'));
  t.is(readFileSync(files[1]).length, 5 * 4 * 3 * 2);
});

for (const format of ['mhd', 'nrrd'] as const) {
  test(`${format}: every dtype round-trips with its voxel size, whole and by region`, async (t) => {
    for (const dtype of DTYPES) {
      const v = testVolume(dtype, [23, 17, 9], [0.65, 0.65, 3]);
      const path = join(tmp.dir, `rt_${dtype}.${format}`);
      await write(path, v);
      const back = await openVolume(path);
      t.deepEqual([back.format, back.shape, back.dtype, back.voxelSize], [format, v.shape, dtype, [0.65, 0.65, 3]], dtype);
      const full = await readVolumeRegion(back.ref.args);
      t.is(firstDifference(full.data, v.data), -1, dtype);
      const box = { x: [4, 19] as [number, number], y: [1, 9] as [number, number], z: [3, 8] as [number, number] };
      t.is(firstDifference((await readVolumeRegion(back.ref.args, box)).data, cropValues(v, box.x, box.y, box.z)), -1, dtype);
    }
  });
}

test('NRRD gzip encoding round-trips and is deterministic; numpy/zlib can inflate it', async (t) => {
  const v = testVolume('int32', [31, 12, 6], [1, 2, 3]);
  const paths = [join(tmp.dir, 'gz_a.nrrd'), join(tmp.dir, 'gz_b.nrrd')];
  for (const p of paths) {
    const w = createNrrdWriter(p, { shape: v.shape, dtype: v.dtype, voxelSize: v.voxelSize }, { encoding: 'gzip' });
    for (let z = 0; z < 6; z += 4) await w.writeSlab(sliceZ(v, z, Math.min(6, z + 4)));
    await w.commit();
  }
  t.true(readFileSync(paths[0]).equals(readFileSync(paths[1])));
  const text = readFileSync(paths[0], 'latin1');
  t.is(text.slice(0, text.indexOf('\n\n') + 2), 'NRRD0004\n# Complete NRRD file format specification at:\n# http://teem.sourceforge.net/nrrd/format.html\ntype: int32\ndimension: 3\nsizes: 31 12 6\nspacings: 1 2 3\nencoding: gzip\nendian: little\n\n');
  const back = await openVolume(paths[0]);
  t.deepEqual(back.voxelSize, [1, 2, 3]);
  t.is(firstDifference((await readVolumeRegion(back.ref.args, { z: [2, 5] })).data, cropValues(v, [0, 31], [0, 12], [2, 5])), -1);
  // an independent decoder: python's gzip + numpy on the bytes after the blank line
  const sum = python(['-c', `import gzip,numpy;b=open(${JSON.stringify(paths[0])},'rb').read();d=numpy.frombuffer(gzip.decompress(b[b.index(b'\\n\\n')+2:]),'<i4');print(int(d.astype('int64').sum()))`]);
  t.is(Number(sum.trim()), Array.from(v.data).reduce((a, b) => a + b, 0));
});

test('MHD with LOCAL data, HeaderSize and big-endian bytes; NRRD with detached gzip data and space directions', async (t) => {
  const values = Uint16Array.from({ length: 4 * 3 * 2 }, (_, i) => i * 1000 + 7);
  const be = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => be.writeUInt16BE(v, i * 2));
  const header = 'ObjectType = Image\nNDims = 3\nDimSize = 4 3 2\nElementSpacing = 1.5 1.5 4\nElementType = MET_USHORT\nHeaderSize = 6\nBinaryDataByteOrderMSB = True\nElementDataFile = LOCAL\n';
  const local = join(tmp.dir, 'local.mhd');
  writeFileSync(local, Buffer.concat([Buffer.from(header, 'latin1'), Buffer.from('JUNK!!'), be]));
  const a = await openVolume(local);
  t.deepEqual([a.shape, a.dtype, a.voxelSize], [[4, 3, 2], 'uint16', [1.5, 1.5, 4]]);
  t.is(firstDifference((await readVolumeRegion(a.ref.args)).data, values), -1);

  writeFileSync(join(tmp.dir, 'det.raw.gz'), gzipSync(Buffer.from(values.buffer)));
  writeFileSync(join(tmp.dir, 'det.nhdr'), 'NRRD0004\ntype: unsigned short\ndimension: 3\nsizes: 4 3 2\nspace dimension: 3\nspace directions: (0.5,0,0) (0,0.5,0) (0,0,2)\nencoding: gzip\nendian: little\ndata file: det.raw.gz\n');
  const b = await openVolume(join(tmp.dir, 'det.nhdr'));
  t.deepEqual([b.shape, b.voxelSize], [[4, 3, 2], [0.5, 0.5, 2]]);
  t.is(firstDifference((await readVolumeRegion(b.ref.args)).data, values), -1);
});

test('truncated MHD data and bad headers give errors naming the file', async (t) => {
  const v = testVolume('float32', [8, 8, 4]);
  const [hdr, raw] = await write(join(tmp.dir, 'trunc.mhd'), v);
  writeFileSync(raw, readFileSync(raw).subarray(0, 100));
  await t.throwsAsync(openVolume(hdr), { message: /trunc\.raw: file is truncated: 8x8x4 MET_FLOAT needs 1024 bytes/ });
  writeFileSync(hdr, readFileSync(hdr, 'latin1').replace('MET_FLOAT', 'MET_LONG_LONG'));
  await t.throwsAsync(openVolume(hdr), { message: /trunc\.mhd: ElementType MET_LONG_LONG is not supported/ });
  writeFileSync(join(tmp.dir, 'nodata.mhd'), 'NDims = 3\n');
  await t.throwsAsync(openVolume(join(tmp.dir, 'nodata.mhd')), { message: /nodata\.mhd: not a MetaImage header/ });
});

const hasTransformix = existsSync('/usr/bin/transformix');
(hasTransformix ? test : test.skip)('transformix reads our .mhd and we read its result (identity transform)', async (t) => {
  const dir = join(tmp.dir, 'elastix');
  for (const [dtype, pixel] of [['uint16', 'unsigned short'], ['float32', 'float']] as const) {
    const v = testVolume(dtype, [37, 21, 7], [2, 2, 5]);
    const input = join(dir, `in_${dtype}.mhd`);
    await write(input, v);
    const tp = join(dir, `tp_${dtype}.txt`);
    writeFileSync(tp, [
      '(Transform "TranslationTransform")', '(NumberOfParameters 3)', '(TransformParameters 0 0 0)',
      '(InitialTransformParametersFileName "NoInitialTransform")', '(HowToCombineTransforms "Compose")',
      '(FixedImageDimension 3)', '(MovingImageDimension 3)', '(FixedInternalImagePixelType "float")', '(MovingInternalImagePixelType "float")',
      '(Size 37 21 7)', '(Index 0 0 0)', '(Spacing 2 2 5)', '(Origin 0 0 0)', '(Direction 1 0 0 0 1 0 0 0 1)', '(UseDirectionCosines "true")',
      '(ResampleInterpolator "FinalBSplineInterpolator")', '(FinalBSplineInterpolationOrder 0)', '(Resampler "DefaultResampler")', '(DefaultPixelValue 0)',
      '(ResultImageFormat "mhd")', `(ResultImagePixelType "${pixel}")`, '(CompressResultImage "false")',
    ].join('\n') + '\n');
    const out = join(dir, `out_${dtype}`);
    mkdirSync(out, { recursive: true });
    execFileSync('/usr/bin/transformix', ['-in', input, '-out', out, '-tp', tp], { stdio: 'pipe' });
    t.true(readdirSync(out).includes('result.mhd'), `transformix wrote ${readdirSync(out)}`);
    const back = await openVolume(join(out, 'result.mhd'));
    t.deepEqual([back.shape, back.dtype, back.voxelSize], [v.shape, dtype, [2, 2, 5]]);
    // float32 through transformix's float pipeline: the test values are exact in float32
    t.is(firstDifference((await readVolumeRegion(back.ref.args)).data, v.data), -1, dtype);
  }
});
