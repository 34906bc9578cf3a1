// write-points format 'napari': the CSV napari's points reader opens as a points layer — header
// index,axis-0,axis-1,axis-2 (z, y, x, as napari orders an image stack) then the properties — and it
// reads back to the same points.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePoints } from '../../../engine/data/points.js';
import { readPointsFile, writePointsFile } from '../../../nodes/io/lib/points/points-files.js';
import { python, tempDir } from './helpers.js';

const tmp = tempDir('napari');
test.after.always(() => tmp.cleanup());

test('napari points CSV: axis order z, y, x, properties as columns, read back exactly', (t) => {
  const points = makePoints([10.5, 20, 3, 1, 2, 29], { raw: [100, 250.25], size: [12, 40] });
  const file = join(tmp.dir, 'cells_napari.csv');
  t.deepEqual(writePointsFile(file, points, { format: 'napari' }), [file]);
  t.is(readFileSync(file, 'utf8'), 'index,axis-0,axis-1,axis-2,raw,size\n0,3,20,10.5,100,12\n1,29,2,1,250.25,40\n');
  // as numpy reads it: the first 'axis-*' column is z
  const zyx = JSON.parse(python(['-c', 'import sys, json, numpy as np; a = np.genfromtxt(sys.argv[1], delimiter=",", names=True); print(json.dumps([[float(r["axis0"]), float(r["axis1"]), float(r["axis2"])] for r in a]))', file]));
  t.deepEqual(zyx, [[3, 20, 10.5], [29, 2, 1]]);
  const back = readPointsFile(file).points;
  t.deepEqual(Array.from(back.coords), Array.from(points.coords));
  t.deepEqual(Object.keys(back.properties), ['raw', 'size']);
  t.throws(() => writePointsFile(file, points, { format: 'napari', intensities: 'companion' }), { message: /napari reads properties from the same CSV/ });
});
