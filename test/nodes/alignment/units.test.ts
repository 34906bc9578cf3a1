// Units users can trust: a voxel size stored as a TIFF rational (1/40 µm⁻¹ written by tifffile as
// 53687091/2147483648, i.e. 40.000000139698386 µm) reads as 40 µm, and resampling 235 such planes to
// 50 µm makes 188 planes, as asked, not 189.
import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openVolume } from '../../../nodes/io/lib/formats.js';
import { roundMicrons } from '../../../nodes/io/lib/tiff/tiff-file.js';
import { parseOrientation } from '../../../nodes/alignment/lib/orientation.js';
import { resampleGeometry } from '../../../nodes/alignment/lib/resample.js';
import { PYTHON, python, tempDir } from '../io/helpers.js';

const NOISY_40 = 2147483648 / 53687091; // what 1/40 as a 32-bit rational gives back

test('resample: the plane count follows the requested resolution despite float noise in the voxel size', (t) => {
  t.true(NOISY_40 > 40 && NOISY_40 < 40.000001);
  const g = (res: number) => resampleGeometry({ sourceShape: [235, 10, 235], sourceResolution: [res, 40, res], sinkResolution: [50, 50, 50], orientation: parseOrientation(null) });
  t.deepEqual(g(NOISY_40).sinkShape, [188, 8, 188]);
  t.deepEqual(g(40).sinkShape, [188, 8, 188]);
  // a real excess still rounds up (ClearMap's ceil): 235 planes of 40.01 µm need 189 planes of 50 µm
  t.deepEqual(g(40.01).sinkShape, [189, 8, 189]);
  t.is(roundMicrons(NOISY_40), 40);
  t.is(roundMicrons(0.65), 0.65);
  t.is(roundMicrons(2.0000004), 2);
});

test('tiff: a resolution rational with float noise reads as the voxel size it stands for (tifffile-written file)', async (t) => {
  const hasTifffile = existsSync(PYTHON) && (() => { try { python(['-c', 'import tifffile, numpy']); return true; } catch { return false; } })();
  if (!hasTifffile) {
    if (process.env.CI === 'true') t.fail(`${PYTHON} with tifffile and numpy is needed (apt-get install python3-tifffile)`);
    else t.pass(`skipped: ${PYTHON} with tifffile not available`);
    return;
  }
  const { dir, cleanup } = tempDir('units');
  t.teardown(cleanup);
  const file = join(dir, 'noisy.tif');
  python(['-c', [
    'import numpy, tifffile, sys',
    'a = numpy.zeros((6, 4, 235), numpy.uint16)',
    // exactly the rational tifffile stores for a float resolution of 1/40 px per µm
    "tifffile.imwrite(sys.argv[1], a, imagej=True, resolution=((53687091, 2147483648), (53687091, 2147483648)), metadata={'unit': 'micron', 'spacing': 40, 'axes': 'ZYX'})",
  ].join('\n'), file]);
  const v = await openVolume(file);
  t.deepEqual(v.shape, [235, 4, 6]);
  t.deepEqual(v.voxelSize, [40, 40, 40]);
  const g = resampleGeometry({ sourceShape: v.shape, sourceResolution: v.voxelSize, sinkResolution: [50, 50, 50], orientation: parseOrientation(null) });
  t.deepEqual(g.sinkShape, [188, 4, 5]);
});
