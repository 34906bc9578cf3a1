// write-ims-points: points added to a copy of an Imaris file as ClearMap does (Scene/Content/PointsN
// with CoordsXYZR in µm and Time), read back with h5py; the input file is left untouched.
import test from 'ava';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openVolume } from '../../../nodes/io/lib/formats.js';
import { runApi, writeWorkflow } from '../../engine/helpers.js';
import { python, REPO, tempDir } from './helpers.js';

const TOOL = join(REPO, 'tools', 'io', 'h5zarr_tool.py');

test('write-ims-points adds a Spots group in the file\'s µm coordinates; h5py reads it; the source .ims is unchanged', async (t) => {
  const tmp = tempDir('imspts');
  try {
    python([TOOL, 'write-fixtures', join(tmp.dir, 'fx')]);
    const ims = JSON.parse(readFileSync(join(tmp.dir, 'fx', 'manifest.json'), 'utf8')).ims as string;
    const before = statSync(ims);
    const src = await openVolume(ims);
    const pts = [[1, 2, 3], [10.5, 20.25, 5], [0, 0, 0]];
    writeFileSync(join(tmp.dir, 'cells.csv'), 'x,y,z\n' + pts.map((p) => p.join(',')).join('\n') + '\n');
    const wf = writeWorkflow(tmp.dir, {
      version: 1,
      nodes: [
        { id: 'cells', type: 'read-points', params: { path: 'cells.csv' } },
        { id: 'ims', type: 'write-ims-points', inputs: { points: 'cells.points' }, params: { ims, path: 'with-cells.ims', radius: 2 } },
      ],
    });
    const out = join(tmp.dir, 'out');
    const r = await runApi(wf, { cache: join(tmp.dir, 'cache'), out });
    t.true(r.summary.ok, JSON.stringify(r.summary.nodes));
    const dest = join(out, 'with-cells.ims');
    const read = JSON.parse(python(['-c', `
import h5py, json, sys
f = h5py.File(sys.argv[1], 'r')
g = f['Scene/Content/Points0']
info = f['DataSetInfo/Image'].attrs
num = lambda k: float(b''.join(info[k]).decode())
size = [num('ImageSize' + k) for k in 'XYZ']
lo = [num('ExtMin%d' % i) for i in range(3)]
hi = [num('ExtMax%d' % i) for i in range(3)]
print(json.dumps({'xyzr': g['CoordsXYZR'][:].tolist(), 'time': g['Time'][:].tolist(), 'dtype': str(g['CoordsXYZR'].dtype),
  'scale': [(hi[i] - lo[i]) / size[i] for i in range(3)], 'lo': lo}))
`, dest])) as { xyzr: number[][]; time: number[][]; dtype: string; scale: number[]; lo: number[] };
    t.is(read.dtype, 'float32');
    t.deepEqual(read.time, [[0], [0], [0]]);
    pts.forEach((p, i) => {
      for (let a = 0; a < 3; a++) t.true(Math.abs(read.xyzr[i][a] - (p[a] * read.scale[a] + read.lo[a])) < 1e-3, `point ${i} axis ${a}`);
      t.is(read.xyzr[i][3], 2);
    });
    // the copy still reads as the same image; the input file was not touched
    const copy = await openVolume(dest);
    t.deepEqual([copy.shape, copy.dtype], [src.shape, src.dtype]);
    t.is(statSync(ims).mtimeMs, before.mtimeMs);
  } finally {
    tmp.cleanup();
  }
});
