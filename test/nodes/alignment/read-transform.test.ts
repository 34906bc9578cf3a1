// read-transform: ClearMap's stored elastix result folders (an affine one, and an affine + B-spline
// chain whose second file names its initial transform by another machine's absolute path) feed
// transform-points; the result equals native transformix run by hand on the same folder (exactly for
// the native backend, within 1e-4 voxels for the TypeScript evaluation).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, runApi, writeWorkflow } from '../../engine/helpers.js';
import { pointsOf } from '../../plugins/helpers.js';
import { SHARED_DATA } from '../../shared-data.js';

const TRANSFORMIX = '/usr/bin/transformix';
const folders = ['synthetic_elastix', 'elastix_bspline'];

/** Native transformix on a by-hand copy of the folder (initial transform pointed at the sibling file). */
function reference(folder: string, pointsFile: string, dir: string): number[][] {
  const copy = join(dir, 'ref-tp');
  mkdirSync(copy, { recursive: true });
  for (const f of readdirSync(folder).filter((n) => n.startsWith('TransformParameters'))) {
    writeFileSync(join(copy, f), readFileSync(join(folder, f), 'utf8').replace(/\(InitialTransformParametersFileName "[^"]*\/([^"/]+)"\)/, `(InitialTransformParametersFileName "${copy}/$1")`));
  }
  const last = readdirSync(copy).sort().pop()!;
  const out = join(dir, 'ref-out');
  mkdirSync(out, { recursive: true });
  const r = spawnSync(TRANSFORMIX, ['-def', pointsFile, '-out', out, '-tp', join(copy, last)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`transformix failed: ${r.stdout}\n${r.stderr}`);
  return readFileSync(join(out, 'outputpoints.txt'), 'utf8').trim().split('\n').map((l) => /OutputPoint = \[ ([^\]]+) \]/.exec(l)![1].trim().split(/\s+/).map(Number));
}

for (const name of folders) {
  test(`read-transform on ClearMap's ${name}/ feeds transform-points equal to native transformix on the folder`, async (t) => {
    const folder = join(SHARED_DATA, 'clearmap-test', name);
    if (!existsSync(folder)) return t.fail(`missing ${folder}`);
    if (!existsSync(TRANSFORMIX)) return t.fail('transformix not installed (apt-get install elastix)');
    const dir = tempDir();
    const size = /\(Size ([\d ]+)\)/.exec(readFileSync(join(folder, 'TransformParameters.0.txt'), 'utf8'))![1].split(' ').map(Number);
    const pts: number[][] = [];
    for (let i = 0; i < 40; i++) pts.push([((i * 7.31) % size[0]) + 0.25, ((i * 3.17) % size[1]) + 0.5, ((i * 1.93) % size[2]) + 0.75]);
    writeFileSync(join(dir, 'points.csv'), 'x,y,z\n' + pts.map((p) => p.join(',')).join('\n') + '\n');
    writeFileSync(join(dir, 'points.txt'), `point\n${pts.length}\n` + pts.map((p) => p.join(' ')).join('\n') + '\n');
    const ref = reference(folder, join(dir, 'points.txt'), dir);
    for (const backend of ['native', 'wasm']) {
      const cache = join(dir, `cache-${backend}`);
      const r = await runApi(writeWorkflow(dir, {
        version: 1,
        nodes: [
          { id: 'tf', type: 'read-transform', params: { path: folder } },
          { id: 'pts', type: 'read-points', params: { path: 'points.csv' } },
          { id: 'moved', type: 'transform-points', inputs: { points: 'pts.points', transform: 'tf.transform' }, params: { backend } },
        ],
      }, `${backend}.json`), { cache });
      t.true(r.summary.ok, JSON.stringify(r.summary.nodes));
      const got = pointsOf(cache, 'transform-points', 'output').coords;
      let worst = 0;
      ref.forEach((p, i) => p.forEach((v, k) => { worst = Math.max(worst, Math.abs(got[3 * i + k] - v)); }));
      t.log(`${name} ${backend}: worst |difference| to native transformix ${worst.toExponential(2)} voxels`);
      t.true(worst <= (backend === 'native' ? 1e-5 : 1e-4), `${backend}: ${worst}`);
    }
  });
}
