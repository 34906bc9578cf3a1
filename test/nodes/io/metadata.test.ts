// Metadata that does not lie: OME-TIFF and ImageJ hyperstacks written by Debian's tifffile read as
// channels x z with their physical voxel size; our .ome.tif and hyperstack writers are read back by
// tifffile (ome_metadata / imagej_metadata); a file without a voxel size says "unknown" and the nodes
// that need µm ask for `voxelSize`.
import test from 'ava';
import { join } from 'node:path';
import { makeVolume } from '../../../engine/data/volume.js';
import { createVolumeWriter, openVolume } from '../../../nodes/io/lib/formats.js';
import { readVolumeRegion } from '../../../nodes/io/lib/read-region.js';
import { requireVoxelSize } from '../../../nodes/io/lib/voxel-size.js';
import { omePlaneIndex, parseOmeXml } from '../../../nodes/io/lib/tiff/ome.js';
import { firstDifference, python, readRaw, REAL_CH0, tempDir } from './helpers.js';
import { runCli } from '../../engine/helpers.js';

const tmp = tempDir('ome');
test.after.always(() => tmp.cleanup());

// a (z=3, c=2, y=5, x=4) uint16 volume with value = index, written by tifffile in several layouts
const WRITE = `
import sys, json, numpy as np, tifffile
d = sys.argv[1]
a = np.arange(3*2*5*4, dtype=np.uint16).reshape(3, 2, 5, 4)
tifffile.imwrite(d + '/zcyx.ome.tif', a, photometric='minisblack', metadata={'axes': 'ZCYX', 'PhysicalSizeX': 0.65, 'PhysicalSizeY': 0.65, 'PhysicalSizeZ': 2.5})
tifffile.imwrite(d + '/czyx.ome.tif', a.transpose(1, 0, 2, 3).copy(), photometric='minisblack', metadata={'axes': 'CZYX', 'PhysicalSizeX': 650, 'PhysicalSizeXUnit': 'nm', 'PhysicalSizeY': 0.00065, 'PhysicalSizeYUnit': 'mm', 'PhysicalSizeZ': 2.5})
tifffile.imwrite(d + '/zyx.ome.tif', a[:, 0], photometric='minisblack', metadata={'axes': 'ZYX'})
tifffile.imwrite(d + '/ij.tif', a, imagej=True, resolution=(1/0.65, 1/0.65), metadata={'axes': 'ZCYX', 'spacing': 2.5, 'unit': 'um'})
a.tofile(d + '/zcyx.raw')
`;

test.before(() => { python(['-c', WRITE, tmp.dir]); });

/** Expected values of channel c: planes z of the (z, c, y, x) array. */
function channelValues(c: number): number[] {
  const all = Array.from(readRaw(join(tmp.dir, 'zcyx.raw'), 'uint16'));
  const out: number[] = [];
  for (let z = 0; z < 3; z++) out.push(...all.slice((z * 2 + c) * 20, (z * 2 + c + 1) * 20));
  return out;
}

test('OME-TIFF: a 2-channel ZCYX or CZYX file is 2 channels of 3 planes with its physical size (units converted)', async (t) => {
  for (const name of ['zcyx.ome.tif', 'czyx.ome.tif', 'ij.tif']) {
    const file = join(tmp.dir, name);
    await t.throwsAsync(openVolume(file), { message: /2 channels: .*=2; set 'channel' \(0\.\.1\)/ }, name);
    await t.throwsAsync(openVolume(file, { channel: 2 }), { message: /channel 2 does not exist/ }, name);
    for (const c of [0, 1]) {
      const v = await openVolume(file, { channel: c });
      t.deepEqual(v.shape, [4, 5, 3], name);
      t.deepEqual(v.fileVoxelSize.map((x) => (x === null ? null : Math.round(x * 1e6) / 1e6)), [0.65, 0.65, 2.5], name);
      t.is(v.ref.voxelSizeUnknown, undefined, name);
      t.is(firstDifference((await readVolumeRegion(v.ref.args)).data, channelValues(c)), -1, `${name} channel ${c}`);
    }
  }
  // OME without physical sizes: unknown, not 1 µm
  const bare = await openVolume(join(tmp.dir, 'zyx.ome.tif'));
  t.deepEqual([bare.shape, bare.fileVoxelSize, bare.ref.voxelSizeUnknown], [[4, 5, 3], [null, null, null], ['x', 'y', 'z']]);
});

test('OME DimensionOrder maps (c, z, t) to IFDs as the OME spec says', (t) => {
  const sizes = { sizeZ: 3, sizeC: 2, sizeT: 1 };
  t.is(omePlaneIndex({ ...sizes, dimensionOrder: 'XYCZT' }, 1, 2, 0), 5);
  t.is(omePlaneIndex({ ...sizes, dimensionOrder: 'XYZCT' }, 1, 2, 0), 5 /* z + 3c */);
  t.is(omePlaneIndex({ ...sizes, dimensionOrder: 'XYZCT' }, 1, 0, 0), 3);
  t.is(omePlaneIndex({ ...sizes, dimensionOrder: 'XYCZT' }, 1, 0, 0), 1);
  t.throws(() => parseOmeXml('<OME><Image><Pixels SizeX="4" SizeY="0"/></Image></OME>'), { message: /SizeY="0" is not a positive integer/ });
});

test('writing .ome.tif puts OME-XML tifffile reads (axes, sizes, physical size); channels= makes an ImageJ hyperstack', async (t) => {
  const data = Uint16Array.from({ length: 4 * 5 * 6 }, (_, i) => i);
  for (const [name, channels] of [['out.ome.tif', 1], ['out2.ome.tif', 2], ['hyper.tif', 2]] as const) {
    const dest = join(tmp.dir, name);
    const w = createVolumeWriter(dest, { shape: [4, 5, 6], dtype: 'uint16', voxelSize: [0.65, 0.65, 2.5], channels });
    await w.writeSlab(makeVolume(data, [4, 5, 6]));
    await w.commit();
    const out = JSON.parse(python(['-c', `
import sys, json, tifffile
t = tifffile.TiffFile(sys.argv[1])
s = t.series[0]
r = {'axes': s.axes, 'shape': list(s.shape), 'sum': int(s.asarray().astype('int64').sum())}
if t.is_ome:
    import xml.etree.ElementTree as ET
    p = ET.fromstring(t.ome_metadata).find('.//{*}Pixels').attrib
    r['ome'] = [p['DimensionOrder'], int(p['SizeC']), int(p['SizeZ']), float(p['PhysicalSizeX']), float(p['PhysicalSizeZ'])]
else:
    m = t.imagej_metadata
    r['ij'] = [m['channels'], m['slices'], m['spacing'], m['unit']]
print(json.dumps(r))`, dest]));
    t.is(out.sum, data.reduce((s, v) => s + v, 0), name);
    if (name === 'hyper.tif') {
      t.deepEqual([out.axes, out.shape, out.ij], ['ZCYX', [3, 2, 5, 4], [2, 3, 2.5, 'micron']]);
    } else {
      t.deepEqual(out.ome, ['XYCZT', channels, 6 / channels, 0.65, 2.5], name);
      t.deepEqual(out.shape, channels === 1 ? [6, 5, 4] : [3, 2, 5, 4], name);
    }
    // and we read back what we wrote
    const back = await openVolume(dest, channels > 1 ? { channel: 1 } : {});
    t.deepEqual([back.shape, back.fileVoxelSize], [[4, 5, 6 / channels], [0.65, 0.65, 2.5]], name);
  }
});

test('the real crop records no voxel size: info says unknown, read-volume flags it, resample-style steps ask for voxelSize', async (t) => {
  const pattern = join(REAL_CH0, 'ch00\\d{3}.tif');
  const v = await openVolume(pattern);
  t.deepEqual(v.ref.voxelSizeUnknown, ['x', 'y', 'z']);
  t.throws(() => requireVoxelSize(v.ref, "resample 'atlasSpace'", 'resampling'), { message: /resample 'atlasSpace': resampling needs the voxel size, but .* does not record it along x, y, z; set 'voxelSize'/ });
  const given = await openVolume(pattern, { voxelSize: [2, 2, 5] });
  t.deepEqual(requireVoxelSize(given.ref, 'x', 'y'), [2, 2, 5]);
  const info = runCli(['info', pattern]);
  t.is(info.code, 0, info.stderr);
  t.regex(info.stdout, /voxel size unknown x unknown x unknown µm/);
});
