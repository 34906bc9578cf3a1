// IO throughput check (not a test): node dist/tools/io/bench-io.js
// Real data: the cellfinder per-plane crop (30 x 667x510 uint16). Synthetic: a 64-page 1024x1024
// uint16 stack written by our writer, read by our fast path and by geotiff readRasters for comparison.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { makeVolume, sliceZ } from '../../engine/data/volume.js';
import { createVolumeWriter, openVolume } from '../../nodes/io/lib/formats.js';
import { clearVolumeCache, readVolumeRegion } from '../../nodes/io/lib/read-region.js';

const mb = (bytes: number, ms: number) => `${(bytes / 1048576 / (ms / 1000)).toFixed(0)} MB/s`;
async function time<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await f();
  return [r, performance.now() - t];
}

const dir = mkdtempSync(join(tmpdir(), 'clearmap-io-bench-'));
try {
  const pattern = '/work/shared/data/cellfinder/crop_planes/ch0/ch00\\d{3}.tif';
  const [opened, tOpen] = await time(() => openVolume(pattern));
  const [full, tRead] = await time(() => readVolumeRegion(opened.ref.args));
  const [, tRead2] = await time(() => readVolumeRegion(opened.ref.args));
  console.log(`real pattern: open+validate 30 files ${tOpen.toFixed(0)} ms; full read ${tRead.toFixed(0)} ms cold (${mb(full.data.byteLength, tRead)}), ${tRead2.toFixed(0)} ms warm (${mb(full.data.byteLength, tRead2)}) [big-endian uint16, byte-swapped]`);

  const [X, Y, Z] = [1024, 1024, 64];
  const data = new Uint16Array(X * Y * Z);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 16;
  const v = makeVolume(data, [X, Y, Z], { voxelSize: [2, 2, 5] });
  const path = join(dir, 'synthetic.tif');
  const [, tWrite] = await time(async () => {
    const w = createVolumeWriter(path, { shape: v.shape, dtype: v.dtype, voxelSize: v.voxelSize });
    for (let z = 0; z < Z; z += 16) await w.writeSlab(sliceZ(v, z, z + 16));
    await w.commit();
  });
  console.log(`synthetic ${X}x${Y}x${Z} uint16 (${data.byteLength / 1048576} MiB): write ${tWrite.toFixed(0)} ms (${mb(data.byteLength, tWrite)})`);
  clearVolumeCache();
  const o = await openVolume(path);
  const [r, tFast] = await time(() => readVolumeRegion(o.ref.args));
  const [, tSlab] = await time(() => readVolumeRegion(o.ref.args, { z: [20, 36] }));
  const [, tBox] = await time(() => readVolumeRegion(o.ref.args, { x: [100, 300], y: [500, 700], z: [10, 50] }));
  let same = r.data.length === data.length;
  for (let i = 0; same && i < data.length; i++) same = r.data[i] === data[i];
  console.log(`  fast-path read all ${tFast.toFixed(0)} ms (${mb(data.byteLength, tFast)}), 16-plane slab ${tSlab.toFixed(1)} ms, 200x200x40 box ${tBox.toFixed(1)} ms; identical: ${same}`);
  const [, tGeo] = await time(async () => {
    const tiff = await fromFile(path);
    for (let z = 0; z < Z; z++) await (await tiff.getImage(z)).readRasters({ samples: [0] });
    await tiff.close();
  });
  console.log(`  geotiff readRasters all pages ${tGeo.toFixed(0)} ms (${mb(data.byteLength, tGeo)})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
