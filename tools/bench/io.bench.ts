// IO benchmark (issue 3): read throughput of every volume format against `cat file > /dev/null` on the
// same files in the same run (the page-cache/disk limit), for a 1024x1024x128 uint16 stack.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createVolumeWriter, openVolume, volumeFiles } from '../../nodes/io/formats.js';
import { clearVolumeCache, readVolumeRegion } from '../../nodes/io/read-region.js';
import type { Volume } from '../../engine/data/volume.js';
import { benchDir, CLI, timeCommand, writeNoiseStack, type BenchRow } from './util.js';

export async function ioBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const { dir, cleanup } = benchDir('io');
  try {
    const [X, Y, Z] = [1024, 1024, 128];
    const bytes = X * Y * Z * 2;
    const targets: Array<[string, string]> = [
      ['TIFF stack', join(dir, 'stack.tif')],
      ['TIFF per-plane pattern', join(dir, 'planes', 'Z\\d{4}.tif')],
      ['MHD/RAW', join(dir, 'stack.mhd')],
      ['NRRD raw', join(dir, 'stack.nrrd')],
    ];
    for (const [, path] of targets) {
      const w = createVolumeWriter(path, { shape: [X, Y, Z], dtype: 'uint16', voxelSize: [1, 1, 1] });
      let s = 7;
      for (let z0 = 0; z0 < Z; z0 += 16) {
        const data = new Uint16Array(X * Y * 16);
        for (let i = 0; i < data.length; i++) { s = (s * 1103515245 + 12345) >>> 0; data[i] = s >>> 20; }
        const v: Volume = { data, shape: [X, Y, 16], dtype: 'uint16', voxelSize: [1, 1, 1], origin: [0, 0, z0] };
        await w.writeSlab(v);
      }
      await w.commit();
    }
    for (const [name, path] of targets) {
      const files = await volumeFiles(path);
      spawnSync('cat', files, { stdio: ['ignore', 'ignore', 'ignore'] }); // warm the page cache
      const t0 = performance.now();
      spawnSync('sh', ['-c', 'cat "$@" > /dev/null', 'cat', ...files]);
      const catSeconds = (performance.now() - t0) / 1000;
      clearVolumeCache();
      const t1 = performance.now();
      const o = await openVolume(path);
      for (let z = 0; z < Z; z += 16) await readVolumeRegion(o.ref.args, { z: [z, Math.min(Z, z + 16)] });
      const ours = (performance.now() - t1) / 1000;
      rows.push({ section: 'io', case: `${name}: read ${X}x${Y}x${Z} uint16 in 16-plane slabs`, value: bytes / 1e6 / ours, unit: 'MB/s', note: `cat: ${(bytes / 1e6 / catSeconds).toFixed(0)} MB/s, ratio ${(catSeconds / ours).toFixed(2)} of cat` });
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
