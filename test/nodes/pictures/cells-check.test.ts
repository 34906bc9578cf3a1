import test from 'ava';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { makePoints } from '../../../engine/data/points.js';
import { readRegion } from '../../../engine/data/read.js';
import { openVolume } from '../../../nodes/io/lib/formats.js';
import { cellsCheckNode } from '../../../nodes/pictures/index.js';
import { filesIn, runNode, tempDir, volumeOnDisk } from './_helpers.js';

test("cells-check writes ClearMap's 2-channel check stack: data, then cells at the window maximum", async (t) => {
  const dir = tempDir();
  // 4×3×3 uint8: value = 10·z + x + 4·y, except one bright voxel (3, 2, 2) = 200 inside the window
  const data = Uint8Array.from({ length: 36 }, (_, i) => 10 * Math.floor(i / 12) + (i % 12));
  data[3 + 4 * 2 + 12 * 2] = 200;
  const ref = volumeOnDisk(dir, 'v', data, [4, 3, 3]);
  const points = makePoints([
    2, 1, 1, // window voxel (1, 1) of plane 1
    2.5, 1.2, 1.7, // the same voxel (truncated): two cells → 2 · 200, saturated at 255
    3.9, 0, 2, // window (2, 0) of plane 2
    0, 0, 1, // outside the x window
    1, 1, 0, // outside the z window
  ]);
  const { result, reads } = await runNode(cellsCheckNode, { input: ref, points: { kind: 'points', points } }, { x: [1, 4], z: [1, 3] }, dir);
  const file = join(dir, 'cells_check.tif');
  t.deepEqual(result.stack, { kind: 'file', path: file });
  t.true(reads.every((r) => r.z![1] - r.z![0] === 1 && r.x![0] === 1 && r.x![1] === 4), 'one window plane per read');
  t.deepEqual(filesIn(dir).filter((f) => f.startsWith('cells_check')), ['cells_check.tif']);

  // a real 2-channel hyperstack: channel 0 the data, channel 1 the marks (as tifffile sees it too)
  await t.throwsAsync(openVolume(file), { message: /2 channels: channels=2; set 'channel'/ });
  const plane = async (channel: number, k: number) => {
    const opened = await openVolume(file, { channel });
    t.deepEqual([opened.shape, opened.dtype], [[3, 3, 2], 'uint8']);
    const v = await readRegion(opened.ref);
    return Array.from(v.data.subarray(9 * k, 9 * (k + 1)));
  };
  t.deepEqual(await plane(0, 0), [11, 12, 13, 15, 16, 17, 19, 20, 21]); // plane 1, x 1..3
  t.deepEqual(await plane(1, 0), [0, 0, 0, 0, 255, 0, 0, 0, 0]);
  t.deepEqual(await plane(0, 1), [21, 22, 23, 25, 26, 27, 29, 30, 200]); // plane 2
  t.deepEqual(await plane(1, 1), [0, 0, 200, 0, 0, 0, 0, 0, 0]);
  const py = execFileSync('/usr/bin/python3', ['-c', 'import sys, tifffile, json; t = tifffile.TiffFile(sys.argv[1]); m = t.imagej_metadata; print(json.dumps([m["channels"], m["slices"], t.series[0].axes, list(t.series[0].shape)]))', file], { encoding: 'utf8' });
  t.deepEqual(JSON.parse(py), [2, 2, 'ZCYX', [2, 2, 3, 3]]);
  await t.throwsAsync(runNode(cellsCheckNode, { input: ref, points: { kind: 'points', points } }, { path: '../x.tif' }, dir), { message: /params\.path: '\.\.\/x\.tif' leaves the output directory/ });
});
