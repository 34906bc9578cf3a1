// IO benchmark (issues 3, 15): read throughput of every volume format against `cat file > /dev/null`
// on the same files in the same run (the page-cache/disk limit), and write throughput against `dd`
// writing the same number of bytes to the same folder, for a 1024x1024x128 uint16 stack.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createVolumeWriter, openVolume, volumeFiles } from '../../nodes/io/lib/formats.js';
import { clearVolumeCache, readVolumeRegion } from '../../nodes/io/lib/read-region.js';
import type { Volume } from '../../engine/data/volume.js';
import { benchDir, CLI, timeCommand, writeNoiseStack, type BenchRow } from './util.js';

async function readAll(path: string): Promise<void> {
  clearVolumeCache();
  const o = await openVolume(path);
  const Z = o.ref.shape[2];
  for (let z = 0; z < Z; z += 16) await readVolumeRegion(o.ref.args, { z: [z, Math.min(Z, z + 16)] });
}

export async function ioBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const { dir, cleanup } = benchDir('io');
  try {
    const [X, Y, Z] = [1024, 1024, 128];
    const bytes = X * Y * Z * 2;
    const targets: Array<[string, string, boolean?]> = [
      ['TIFF stack', join(dir, 'stack.tif')],
      ['BigTIFF stack', join(dir, 'big-stack.tif'), true],
      ['TIFF per-plane pattern', join(dir, 'planes', 'Z\\d{4}.tif')],
      ['MHD/RAW', join(dir, 'stack.mhd')],
      ['NRRD raw', join(dir, 'stack.nrrd')],
    ];
    // the slabs are generated first, so only the writer is timed
    const slabs: Volume[] = [];
    let s = 7;
    for (let z0 = 0; z0 < Z; z0 += 16) {
      const data = new Uint16Array(X * Y * 16);
      for (let i = 0; i < data.length; i++) { s = (s * 1103515245 + 12345) >>> 0; data[i] = s >>> 20; }
      slabs.push({ data, shape: [X, Y, 16], dtype: 'uint16', voxelSize: [1, 1, 1], origin: [0, 0, z0] });
    }
    for (const [name, path, bigTiff] of targets) {
      const d0 = performance.now();
      spawnSync('dd', ['if=/dev/zero', `of=${join(dir, 'dd.bin')}`, 'bs=16M', `count=${bytes / 2 ** 24}`], { stdio: 'ignore' });
      const ddSeconds = (performance.now() - d0) / 1000;
      const t0 = performance.now();
      const w = createVolumeWriter(path, { shape: [X, Y, Z], dtype: 'uint16', voxelSize: [1, 1, 1] }, { bigTiff: !!bigTiff });
      for (const v of slabs) await w.writeSlab(v);
      await w.commit();
      const ours = (performance.now() - t0) / 1000;
      rmSync(join(dir, 'dd.bin'), { force: true });
      rows.push({ section: 'io', case: `${name}: write ${X}x${Y}x${Z} uint16 in 16-plane slabs, fraction of dd (target >= 0.5)`, value: ddSeconds / ours, unit: 'x dd', note: `${(bytes / 1e6 / ours).toFixed(0)} MB/s; dd (bs=16M, no fsync, as our writers) ${(bytes / 1e6 / ddSeconds).toFixed(0)} MB/s` });
    }
    for (const [name, path] of targets) {
      const files = await volumeFiles(path);
      await readAll(path); // first read: warm the reader's code paths too
      spawnSync('cat', files, { stdio: ['ignore', 'ignore', 'ignore'] }); // warm the page cache
      const t0 = performance.now();
      spawnSync('sh', ['-c', 'cat "$@" > /dev/null', 'cat', ...files]);
      const catSeconds = (performance.now() - t0) / 1000;
      const t1 = performance.now();
      await readAll(path);
      const ours = (performance.now() - t1) / 1000;
      rows.push({ section: 'io', case: `${name}: read ${X}x${Y}x${Z} uint16 in 16-plane slabs, fraction of cat (target >= 0.5)`, value: catSeconds / ours, unit: 'x cat', note: `${(bytes / 1e6 / ours).toFixed(0)} MB/s; cat ${(bytes / 1e6 / catSeconds).toFixed(0)} MB/s` });
    }

    // range reads of a > 2 GB BigTIFF only touch what they need: peak RSS of a whole process that
    // extracts a small box stays far below the file size
    const big = join(dir, 'big.tif');
    const bigShape: [number, number, number] = [1024, 1024, 1100];
    await writeNoiseStack(big, bigShape, 5, 'uint16', true);
    const bigBytes = bigShape[0] * bigShape[1] * bigShape[2] * 2;
    const r = timeCommand(process.execPath, [CLI, 'convert', big, join(dir, 'box.mhd'), '--x', '100:612', '--y', '200:712', '--z', '600:664']);
    rows.push({ section: 'io', case: `range read 512x512x64 from a ${(bigBytes / 2 ** 30).toFixed(2)} GiB BigTIFF (clearmap convert)`, value: r.peakRssMB, unit: 'MB peak RSS', note: `${r.seconds.toFixed(2)} s; file ${(bigBytes / 2 ** 20).toFixed(0)} MiB` });
  } finally {
    cleanup();
  }
  return rows;
}
