// Detection in physical units: the pixel sizes derived from cellDiameter equal the documented formula
// for two voxel sizes; explicit ClearMap-named params win; detect with cellDiameter finds exactly what
// detect with the derived pixel params finds; an unknown voxel size is an error asking for voxelSize.
import test from 'ava';
import type { VolumeRef } from '../../../engine/core/artefacts.js';
import { makeVolume } from '../../../engine/data/volume.js';
import { detectCells } from '../../../nodes/detection/detect/kernel.js';
import { detectNode } from '../../../nodes/detection/index.js';
import { derivePixelParams, nearestOdd, toPixelParams } from '../../../nodes/detection/lib/physical-units.js';

test('derived sizes follow the documented formula at 2 x 2 x 5 µm and 4.0625 x 4.0625 x 3 µm', (t) => {
  // n = d / v; background odd(2n) (xy), DoG and maxima odd(n) (>= 3 in xy, >= 1 in z), intensity odd(n/2), cellReach max(6, ceil(n_z))
  t.deepEqual(derivePixelParams(12, [2, 2, 5]), {
    diameterVoxels: [6, 6, 2.4], removeBackgroundSize: [13, 13], dogSize: [7, 7, 3], maximaSize: [7, 7, 3], intensitySize: [3, 3, 1], cellReach: 6,
  });
  const d = derivePixelParams(12, [4.0625, 4.0625, 3]);
  t.deepEqual([d.removeBackgroundSize, d.dogSize, d.maximaSize, d.intensitySize, d.cellReach], [[5, 5], [3, 3, 5], [3, 3, 5], [1, 1, 3], 6]);
  // a fine z step: the reach grows with the cell
  t.is(derivePixelParams(16, [1, 1, 1]).cellReach, 16);
  t.deepEqual([nearestOdd(5.9, 3), nearestOdd(6, 3), nearestOdd(2.4, 1), nearestOdd(0.2, 1), nearestOdd(1, 3)], [5, 7, 3, 1, 3]);
});

test('explicit ClearMap-named params win over derived ones; thresholds map to their ClearMap names', (t) => {
  const p = toPixelParams({ cellDiameter: 12, cellThreshold: 180, peakHeight: 25, removeBackgroundParameter: { size: [9, 9] } }, [2, 2, 5]);
  t.deepEqual(p, {
    removeBackgroundParameter: { size: [9, 9] },
    detectCellShapeParameter: { threshold: 180 },
    findExtendedMaximaParameter: { hMax: 25, size: [7, 7, 3] },
    filterDoGParameter: { size: [7, 7, 3] },
    findIntensityParameter: { size: [3, 3, 1] },
    cellReach: 6,
  });
  t.deepEqual(toPixelParams({ detectCellShapeParameter: { threshold: 5 } }, undefined), { detectCellShapeParameter: { threshold: 5 } });
});

const ref = (voxelSize: [number, number, number], unknown?: boolean): VolumeRef => ({
  kind: 'volume', shape: [40, 40, 12], dtype: 'uint16', voxelSize, reader: { module: '', export: '' }, args: {}, describe: 'tiff-planes /data/ch0',
  ...(unknown ? { voxelSizeUnknown: ['x', 'y', 'z'] as ('x' | 'y' | 'z')[] } : {}),
});

test('the detect node derives its overlap and log line from the input voxel size, and asks for voxelSize when unknown', (t) => {
  const params = { cellDiameter: 12, cellThreshold: 100 };
  const explicit = { removeBackgroundParameter: { size: [13, 13] }, filterDoGParameter: { size: [7, 7, 3] }, findExtendedMaximaParameter: { size: [7, 7, 3] }, findIntensityParameter: { size: [3, 3, 1] }, detectCellShapeParameter: { threshold: 100 } };
  t.is(detectNode.overlap(params, { input: ref([2, 2, 5]) }), detectNode.overlap(explicit, {}));
  t.deepEqual(detectNode.check!(params), []);
  const [line] = detectNode.describeParams!(params, { input: ref([2, 2, 5]) });
  t.regex(line, /cellDiameter 12 µm at 2 x 2 x 5 µm voxels = 6 x 6 x 2.4 voxels -> removeBackgroundParameter.size \[13,13\], filterDoGParameter.size \[7,7,3\], findExtendedMaximaParameter.size \[7,7,3\] hMax null threshold 0, findIntensityParameter.size \[3,3,1\], detectCellShapeParameter.threshold 100, cellReach 6/);
  t.throws(() => detectNode.overlap(params, { input: ref([1, 1, 1], true) }), { message: /detect: cellDiameter \(µm\) needs the voxel size, but tiff-planes \/data\/ch0 does not record it along x, y, z; set 'voxelSize'/ });
  // without cellDiameter the voxel size is not needed
  t.notThrows(() => detectNode.overlap({}, { input: ref([1, 1, 1], true) }));
});

test('detect with cellDiameter finds exactly what detect with the derived pixel params finds', async (t) => {
  const [X, Y, Z] = [48, 40, 10];
  const data = new Uint16Array(X * Y * Z);
  const blobs = [[10, 10, 4], [30, 12, 5], [20, 28, 6], [36, 30, 3]];
  for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) {
    let v = 100 + ((x * 7 + y * 13 + z * 5) % 11);
    for (const [bx, by, bz] of blobs) v += Math.round(1500 * Math.exp(-(((x - bx) * 2) ** 2 + ((y - by) * 2) ** 2 + ((z - bz) * 5) ** 2) / (2 * 4 ** 2)));
    data[x + X * (y + Y * z)] = v;
  }
  const slab = makeVolume(data, [X, Y, Z], { voxelSize: [2, 2, 5] });
  const g = { index: 0, count: 1, read: [0, Z], core: [0, Z], depth: Z } as never;
  const a = await detectCells(slab, g, { cellDiameter: 8, cellThreshold: 300, peakHeight: 50 });
  const d = derivePixelParams(8, [2, 2, 5]);
  const b = await detectCells(slab, g, { removeBackgroundParameter: { size: d.removeBackgroundSize }, filterDoGParameter: { size: d.dogSize }, findExtendedMaximaParameter: { size: d.maximaSize, hMax: 50 }, findIntensityParameter: { size: d.intensitySize }, cellReach: d.cellReach, detectCellShapeParameter: { threshold: 300 } });
  t.is(a.coords.length / 3, blobs.length);
  t.deepEqual(Array.from(a.coords), Array.from(b.coords));
  t.deepEqual(a.properties, b.properties);
});
