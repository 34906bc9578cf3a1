// Points IO: CSV / NPY / VTK round trips with properties (inline and ClearMap companion files),
// numpy reads our .npy files and we read numpy's, ClearMap-style headerless CSV and VTK grids read.
import test from 'ava';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { makePoints, type Points } from '../../../engine/data/points.js';
import { intensitiesFileName, readPointsFile, writePointsFile } from '../../../nodes/io/lib/points/points-files.js';
import { python, tempDir } from './helpers.js';

const tmp = tempDir('points');
test.after.always(() => tmp.cleanup());

function samplePoints(n = 25): Points {
  const coords = Array.from({ length: 3 * n }, (_, i) => ((i * 7919) % 1000) / 7 + (i % 3));
  return makePoints(coords, {
    raw: Array.from({ length: n }, (_, i) => 100 + i * 3.25),
    dog: Array.from({ length: n }, (_, i) => (i % 5) - 2.5),
    background: Array.from({ length: n }, (_, i) => i / 3),
    size: Array.from({ length: n }, (_, i) => 10 + (i % 7)),
  });
}

const plain = (p: Points) => JSON.stringify([Array.from(p.coords), Object.entries(p.properties).map(([k, v]) => [k, Array.from(v)])]);
const same = (a: Points, b: Points) => plain(a) === plain(b);

test('CSV, NPY and VTK (ascii and binary) round-trip points and properties exactly', (t) => {
  const p = samplePoints();
  const cases: Array<[string, Parameters<typeof writePointsFile>[2], number]> = [
    ['a.csv', {}, 1], ['b.csv', { intensities: 'companion' }, 2], ['c.npy', {}, 2],
    ['d.vtk', { encoding: 'ascii' }, 1], ['e.vtk', { encoding: 'binary' }, 1],
  ];
  for (const [name, opts, nFiles] of cases) {
    const path = join(tmp.dir, name);
    const files = writePointsFile(path, p, opts);
    t.is(files.length, nFiles, name);
    if (nFiles === 2) t.is(files[1], intensitiesFileName(path));
    const back = readPointsFile(path);
    t.deepEqual(back.files, files, name);
    t.true(same(back.points, p), `${name} round trip`);
  }
  t.true(existsSync(join(tmp.dir, 'c_intensities.npy')));
  t.is(readFileSync(join(tmp.dir, 'a.csv'), 'utf8').split('\n')[0], 'x,y,z,raw,dog,background,size');
  // empty point sets too
  const empty = makePoints([], { raw: [] });
  for (const name of ['empty.csv', 'empty.vtk', 'empty.npy']) {
    writePointsFile(join(tmp.dir, name), empty, { intensities: name.endsWith('npy') ? 'companion' : 'inline' });
    t.is(readPointsFile(join(tmp.dir, name)).points.coords.length, 0, name);
  }
});

test('numpy reads our .npy (float64 and float32) and its companion intensities', (t) => {
  const p = samplePoints(11);
  for (const dtype of ['float64', 'float32'] as const) {
    const path = join(tmp.dir, `np_${dtype}.npy`);
    writePointsFile(path, p, { dtype });
    const out = JSON.parse(python(['-c', `import numpy,json;a=numpy.load(${JSON.stringify(path)});b=numpy.load(${JSON.stringify(intensitiesFileName(path))});print(json.dumps([a.dtype.name,list(a.shape),a.astype('float64').ravel().tolist(),b.dtype.name,list(b.shape),b.astype('float64').ravel().tolist()]))`]));
    t.deepEqual(out[0], dtype);
    t.deepEqual(out[1], [11, 3]);
    const expect = dtype === 'float32' ? Array.from(Float32Array.from(p.coords)) : Array.from(p.coords);
    t.deepEqual(out[2], expect);
    t.deepEqual([out[3], out[4]], [dtype, [11, 4]]);
    t.is(out[5][4 * 3 + 0], p.properties.raw[3]);
    t.is(out[5][4 * 3 + 3], p.properties.size[3]);
    // our reader gives the float32 values back
    t.deepEqual(Array.from(readPointsFile(path).points.coords), expect);
  }
});

test('numpy-written .npy files (Fortran order, big-endian, int64, 1-D intensities) read correctly', (t) => {
  const dir = tmp.dir;
  python(['-c', [
    'import numpy',
    'a = numpy.arange(30, dtype="float64").reshape(10, 3) * 1.5',
    `numpy.save(${JSON.stringify(join(dir, 'f.npy'))}, numpy.asfortranarray(a))`,
    `numpy.save(${JSON.stringify(join(dir, 'f_intensities.npy'))}, numpy.arange(10, dtype=">f4") * 2)`,
    `numpy.save(${JSON.stringify(join(dir, 'i.npy'))}, numpy.arange(30, dtype="int64").reshape(10, 3))`,
  ].join('\n')]);
  const f = readPointsFile(join(dir, 'f.npy'));
  t.deepEqual(Array.from(f.points.coords), Array.from({ length: 30 }, (_, i) => i * 1.5));
  t.deepEqual(Object.keys(f.points.properties), ['intensity']);
  t.deepEqual(Array.from(f.points.properties.intensity), Array.from({ length: 10 }, (_, i) => i * 2));
  t.deepEqual(Array.from(readPointsFile(join(dir, 'i.npy')).points.coords), Array.from({ length: 30 }, (_, i) => i));
});

test('ClearMap-style files: headerless %.5e CSV with companion, VTK unstructured grid', (t) => {
  const dir = tmp.dir;
  python(['-c', [
    'import numpy',
    'p = numpy.array([[1.5, 2.25, 3.0], [10.0, 20.0, 30.5]])',
    `numpy.savetxt(${JSON.stringify(join(dir, 'cm.csv'))}, p, delimiter=",", newline="\\n", fmt="%.5e")`,
    `numpy.savetxt(${JSON.stringify(join(dir, 'cm_intensities.csv'))}, numpy.array([[5, 6, 7, 8], [1, 2, 3, 4]]), delimiter=",", newline="\\n", fmt="%.5e")`,
  ].join('\n')]);
  const c = readPointsFile(join(dir, 'cm.csv'));
  t.deepEqual(Array.from(c.points.coords), [1.5, 2.25, 3, 10, 20, 30.5]);
  t.deepEqual(Object.keys(c.points.properties), ['raw', 'dog', 'background', 'size']);
  t.deepEqual(Array.from(c.points.properties.size), [8, 4]);
  // what ClearMap's VTK.writePoints produces
  writeFileSync(join(dir, 'cm.vtk'), '# vtk DataFile Version 2.0\nUnstructured Grid Example\nASCII\nDATASET UNSTRUCTURED_GRID\nPOINTS 2 float\n1.5 2.25 3.0\n10.0 20.0 30.5\nCELLS 2 4\n1 0\n1 1\nCELL_TYPES 2\n1 \n1 \nPOINT_DATA 2\nSCALARS scalars float 1\nLOOKUP_TABLE default\n1 1 \n');
  const v = readPointsFile(join(dir, 'cm.vtk'));
  t.deepEqual(Array.from(v.points.coords), [1.5, 2.25, 3, 10, 20, 30.5]);
  t.deepEqual(Array.from(v.points.properties.scalars), [1, 1]);
});

test('our ASCII VTK is legacy polydata with named point-data arrays (hand-checked)', (t) => {
  const path = join(tmp.dir, 'tiny.vtk');
  writePointsFile(path, makePoints([1, 2, 3, 4.5, 5, 6], { raw: [7, 8] }));
  t.is(readFileSync(path, 'latin1'), '# vtk DataFile Version 3.0\nClearMap.ts points\nASCII\nDATASET POLYDATA\nPOINTS 2 double\n1 2 3 4.5 5 6\nVERTICES 2 4\n1 0\n1 1\nPOINT_DATA 2\nFIELD properties 1\nraw 1 2 double\n7 8\n');
});

test('bad points files give errors naming the file', (t) => {
  writeFileSync(join(tmp.dir, 'bad.csv'), 'x,y,z\n1,2,3\n4,5\n');
  t.throws(() => readPointsFile(join(tmp.dir, 'bad.csv')), { message: /bad\.csv line 3: 2 values, expected 3/ });
  writeFileSync(join(tmp.dir, 'bad2.csv'), 'a,b,c\n1,2,3\n');
  t.throws(() => readPointsFile(join(tmp.dir, 'bad2.csv')), { message: /bad2\.csv: CSV needs x, y, z columns/ });
  writePointsFile(join(tmp.dir, 'whole.npy'), samplePoints(5));
  writeFileSync(join(tmp.dir, 'bad.npy'), readFileSync(join(tmp.dir, 'whole.npy')).subarray(0, 150));
  t.throws(() => readPointsFile(join(tmp.dir, 'bad.npy')), { message: /bad\.npy: file is truncated/ });
  t.throws(() => readPointsFile(join(tmp.dir, 'nope.csv')), { message: /nope\.csv: no such file/ });
  t.throws(() => writePointsFile(join(tmp.dir, 'p.xyz'), samplePoints(2)), { message: /p\.xyz: cannot tell the points format/ });
});
