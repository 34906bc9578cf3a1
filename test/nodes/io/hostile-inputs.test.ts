// Issue 13 #5 and #6: readers bound what they trust. IFD loops, sizes that disagree with the data,
// FIFOs and directories are refused at open with a message naming the file — no hang, no huge
// allocation, no bare EISDIR or RangeError.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createVolumeWriter, openVolume } from '../../../nodes/io/lib/formats.js';
import { readPointsFile } from '../../../nodes/io/lib/points/points-files.js';
import { python, tempDir, testVolume } from './helpers.js';

const tmp = tempDir('hostile');
test.after.always(() => tmp.cleanup());

/** Offsets of the next-IFD pointers of a (Big)TIFF, in chain order. */
function nextPointers(b: Buffer): { ifds: number[]; pointers: number[]; big: boolean } {
  const le = b.toString('latin1', 0, 2) === 'II';
  const big = (le ? b.readUInt16LE(2) : b.readUInt16BE(2)) === 43;
  const rd = (o: number, n: number) => (n === 2 ? (le ? b.readUInt16LE(o) : b.readUInt16BE(o)) : n === 4 ? (le ? b.readUInt32LE(o) : b.readUInt32BE(o)) : Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o)));
  let off = big ? rd(8, 8) : rd(4, 4);
  const ifds: number[] = [], pointers: number[] = [];
  while (off) {
    ifds.push(off);
    const at = off + (big ? 8 : 2) + rd(off, big ? 8 : 2) * (big ? 20 : 12);
    pointers.push(at);
    off = rd(at, big ? 8 : 4);
  }
  return { ifds, pointers, big };
}

function pointLastAt(path: string, target: (ifds: number[]) => number): void {
  const b = readFileSync(path);
  const { ifds, pointers, big } = nextPointers(b);
  const at = pointers[pointers.length - 1];
  if (big) b.writeBigUInt64LE(BigInt(target(ifds)), at); else b.writeUInt32LE(target(ifds), at);
  writeFileSync(path, b);
}

test('a TIFF whose IFD chain loops back is refused at open (what info and read-volume call), not walked forever', async (t) => {
  const path = join(tmp.dir, 'loop.tif');
  const v = testVolume('uint16', [9, 7, 3]);
  const w = createVolumeWriter(path, { shape: v.shape, dtype: v.dtype });
  await w.writeSlab(v);
  await w.commit();
  const self = join(tmp.dir, 'self.tif');
  writeFileSync(self, readFileSync(path));
  pointLastAt(path, (ifds) => ifds[0]);
  await t.throwsAsync(openVolume(path), { message: /loop\.tif: corrupt TIFF: the image directory chain loops back to byte \d+ after 3 directories/ });
  pointLastAt(self, (ifds) => ifds[ifds.length - 1]);
  await t.throwsAsync(openVolume(self), { message: /self\.tif: corrupt TIFF: .*loops back/ });
});

test('a BigTIFF whose IFD chain loops back is refused too', async (t) => {
  const path = join(tmp.dir, 'big-loop.tif');
  python(['-c', `import numpy, tifffile; tifffile.imwrite(${JSON.stringify(path)}, numpy.arange(4*6*5, dtype='uint16').reshape(4, 6, 5), bigtiff=True, photometric='minisblack')`]);
  t.like(await openVolume(path), { shape: [5, 6, 4] });
  pointLastAt(path, (ifds) => ifds[1]);
  await t.throwsAsync(openVolume(path), { message: /big-loop\.tif: corrupt TIFF: .*loops back/ });
});

function nrrd(name: string, sizes: string, dataBytes: number): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, Buffer.concat([Buffer.from(`NRRD0004\ntype: uint8\ndimension: 3\nsizes: ${sizes}\nencoding: raw\n\n`), Buffer.alloc(dataBytes, 7)]));
  return path;
}

test('an NRRD whose sizes disagree with its data is refused at open, naming the file; absurd sizes allocate nothing', async (t) => {
  t.like(await openVolume(nrrd('ok.nrrd', '4 3 2', 24)), { shape: [4, 3, 2] });
  await t.throwsAsync(openVolume(nrrd('short.nrrd', '4 3 5', 24)), { message: /short\.nrrd: file is truncated or the header's sizes are wrong: sizes 4 3 5 of uint8 need 60 data bytes/ });
  await t.throwsAsync(openVolume(nrrd('huge.nrrd', '64 48 1e308', 24)), { message: /huge\.nrrd: dimension=3 sizes='64 48 1e308'/ });
  await t.throwsAsync(openVolume(nrrd('big.nrrd', '64 48 100000000', 24)), { message: /big\.nrrd: file is truncated or the header's sizes are wrong/ });
  const gz = join(tmp.dir, 'gz.nrrd');
  writeFileSync(gz, Buffer.concat([Buffer.from('NRRD0004\ntype: uint8\ndimension: 3\nsizes: 4096 4096 4096\nencoding: gzip\n\n'), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0])]));
  await t.throwsAsync(openVolume(gz), { message: /gz\.nrrd: the header's sizes 4096 4096 4096 need \d+ bytes, more than \d+ bytes of gzip data can hold/ });
});

test('MHD: a non-numeric HeaderSize and sizes beyond the data are refused at open', async (t) => {
  writeFileSync(join(tmp.dir, 'd.raw'), Buffer.alloc(24));
  const hdr = (name: string, extra: string, dims = '4 3 2') => { const p = join(tmp.dir, name); writeFileSync(p, `NDims = 3\nDimSize = ${dims}\nElementType = MET_UCHAR\n${extra}ElementDataFile = d.raw\n`); return p; };
  t.like(await openVolume(hdr('ok.mhd', '')), { shape: [4, 3, 2] });
  await t.throwsAsync(openVolume(hdr('hs.mhd', 'HeaderSize = abc\n')), { message: /hs\.mhd: HeaderSize=abc/ });
  await t.throwsAsync(openVolume(hdr('big.mhd', '', '4 3 1e300')), { message: /big\.mhd: NDims=3 DimSize='4 3 1e300'/ });
  await t.throwsAsync(openVolume(hdr('long.mhd', '', '4 3 200')), { message: /d\.raw: file is truncated/ });
});

test('FIFOs and directories as inputs are refused with a message naming them (no blocking open, no bare EISDIR)', async (t) => {
  const fifo = join(tmp.dir, 'pipe.tif');
  execFileSync('mkfifo', [fifo]);
  await t.throwsAsync(openVolume(fifo), { message: /pipe\.tif: is a FIFO \(named pipe\); expected a regular volume file/ });
  const fifoNrrd = join(tmp.dir, 'pipe.nrrd');
  execFileSync('mkfifo', [fifoNrrd]);
  await t.throwsAsync(openVolume(fifoNrrd), { message: /pipe\.nrrd: is a FIFO/ });
  const fifoRaw = join(tmp.dir, 'fifo-data.raw');
  execFileSync('mkfifo', [fifoRaw]);
  writeFileSync(join(tmp.dir, 'fifo-data.mhd'), 'NDims = 3\nDimSize = 4 3 2\nElementType = MET_UCHAR\nElementDataFile = fifo-data.raw\n');
  await t.throwsAsync(openVolume(join(tmp.dir, 'fifo-data.mhd')), { message: /fifo-data\.raw: is a FIFO/ });
  const fifoPts = join(tmp.dir, 'pts.csv');
  execFileSync('mkfifo', [fifoPts]);
  t.throws(() => readPointsFile(fifoPts), { message: /pts\.csv: is a FIFO/ });
  const dir = join(tmp.dir, 'cells.npy');
  mkdirSync(dir);
  t.throws(() => readPointsFile(dir), { message: /cells\.npy: is a directory; expected a regular points file/ });
  mkdirSync(join(tmp.dir, 'stack.tif'));
  await t.throwsAsync(openVolume(join(tmp.dir, 'stack.tif')), { message: /stack\.tif: is a directory/ });
});

function npy(name: string, shape: string, dataBytes: number): string {
  let dict = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shape}, }`;
  dict += ' '.repeat((64 - ((10 + dict.length + 1) % 64)) % 64) + '\n';
  const h = Buffer.alloc(10);
  h.write('\x93NUMPY', 0, 'latin1'); h[6] = 1; h.writeUInt16LE(dict.length, 8);
  const path = join(tmp.dir, name);
  writeFileSync(path, Buffer.concat([h, Buffer.from(dict, 'latin1'), Buffer.alloc(dataBytes)]));
  return path;
}

test('NPY shapes that are not sizes are errors naming the file (not 0 points, not a RangeError)', (t) => {
  t.is(readPointsFile(npy('ok.npy', '(2, 3)', 48)).points.coords.length, 6);
  t.throws(() => readPointsFile(npy('aa.npy', '(aa, 3)', 48)), { message: /aa\.npy: \.npy shape \(aa, 3\) has 'aa'/ });
  t.throws(() => readPointsFile(npy('neg.npy', '(-5, 3)', 48)), { message: /neg\.npy: \.npy shape \(-5, 3\) has '-5'/ });
  t.throws(() => readPointsFile(npy('float.npy', '(2.5, 3)', 48)), { message: /float\.npy: .*'2\.5'/ });
  t.throws(() => readPointsFile(npy('long.npy', '(200000000000, 3)', 48)), { message: /long\.npy: file is truncated/ });
});
