// elastix's progress: resolutions and iterations parsed from its log against the plan in the
// parameter files, reported through the node's progress callback (native elastix).
import test from 'ava';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rawVolumeRef } from '../../../engine/data/raw-volume.js';
import type { Shape3, Volume } from '../../../engine/data/volume.js';
import { ElastixProgress } from '../../../nodes/alignment/lib/elastix.js';
import { elastixNode } from '../../../nodes/alignment/elastix/node.js';
import { affineMap, makeBrainPhantom, TEST_AFFINE, warpVolume } from '../../../tools/alignment/synthetic.js';
import { fixturePath, makeContext, removeTempDirs, tempDir } from './_helpers.js';

test.after.always(removeTempDirs);

test('ElastixProgress: iterations of every parameter file and resolution add up to the plan, in any chunking', (t) => {
  const dir = tempDir('elx-progress-');
  const a = join(dir, 'affine.txt'), b = join(dir, 'bspline.txt');
  writeFileSync(a, '(NumberOfResolutions 2)\n(MaximumNumberOfIterations 3)\n');
  writeFileSync(b, '// per resolution\n(NumberOfResolutions 2)\n(MaximumNumberOfIterations 4 2)\n');
  const header = '1:ItNr\t2:Metric\t3a:Time\t3b:StepSize\t4:||Gradient||\tTime[ms]';
  const iters = (n: number) => Array.from({ length: n }, (_, i) => `${i}\t-0.8${i}\t0.000000\t7.2\t0.05\t65.2`);
  const log = [
    'elastix is started at Mon Nov 30.', 'Running elastix with parameter file 0: "affine.txt".', 'Resolution: 0', header, ...iters(3),
    'Time spent in resolution 0 (ITK initialization and iterating): 1.2 s.', 'Resolution: 1', header, ...iters(3),
    'Running elastix with parameter file 0: "affine.txt", has finished.',
    'Running elastix with parameter file 1: "bspline.txt".', 'Resolution: 0', header, ...iters(4), 'Resolution: 1', header, ...iters(1), '',
  ].join('\n');
  for (const chunk of [log.length, 7, 1]) {
    const p = new ElastixProgress([a, b]);
    t.deepEqual(p.plan, [[3, 3], [4, 2]]);
    t.is(p.total, 12);
    const states = [];
    for (let i = 0; i < log.length; i += chunk) states.push(...p.feed(log.slice(i, i + chunk)));
    const done = states.map((s) => s.done);
    t.true(done.every((d, i) => i === 0 || d >= done[i - 1]), 'monotone');
    t.is(done[done.length - 1], 3 + 3 + 4 + 1); // stopped one iteration into the last resolution
    t.deepEqual(states.filter((s) => s.started).map((s) => s.started), [
      'parameter file 1/2 (affine.txt), resolution 1/2', 'parameter file 1/2 (affine.txt), resolution 2/2',
      'parameter file 2/2 (bspline.txt), resolution 1/2', 'parameter file 2/2 (bspline.txt), resolution 2/2',
    ]);
  }
});

test('elastix node (native): progress from the log reaches the planned iterations; each resolution is logged', async (t) => {
  if (!existsSync('/usr/bin/elastix')) {
    if (process.env.CI === 'true') t.fail('native elastix is needed (apt-get install elastix)');
    else t.pass('skipped: native elastix not installed');
    return;
  }
  const shape: Shape3 = [40, 48, 32];
  const atlas = makeBrainPhantom(shape, 5);
  const sample = warpVolume(atlas, shape, affineMap(TEST_AFFINE.A, TEST_AFFINE.t, [19.5, 23.5, 15.5]));
  const save = (v: Volume, name: string) => {
    const raw = join(tempDir('elx-progress-'), `${name}.raw`);
    writeFileSync(raw, new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength));
    return rawVolumeRef(raw, v.shape, v.dtype, v.voxelSize);
  };
  const ctx = makeContext('registration');
  const progress: [number, number][] = [];
  ctx.progress = (done, total) => { progress.push([done, total]); };
  await elastixNode.run({ fixed: save(sample, 'sample'), moving: save(atlas, 'atlas') }, { parameterFiles: [fixturePath('test-affine.txt')], randomSeed: 121212, backend: 'auto' }, ctx);
  t.true(progress.length >= 3, `${progress.length} progress reports`);
  t.true(progress.every(([, total]) => total === 3 * 250));
  t.true(progress.every(([d], i) => i === 0 || d >= progress[i - 1][0]));
  // ASGD may stop a resolution early; the last resolution's last iteration is reported
  t.true(progress[progress.length - 1][0] > 2 * 250, JSON.stringify(progress.slice(-3)));
  t.deepEqual(ctx.logs.filter((l) => /resolution \d\/3$/.test(l)).map((l) => l.replace(/ \(.*\)/, '')), [1, 2, 3].map((r) => `parameter file 1/1, resolution ${r}/3`));
});
