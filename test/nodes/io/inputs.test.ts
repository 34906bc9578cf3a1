// Inputs as users have them: a folder of numbered planes, a glob or a digit regex all open the same
// volume; a missing pattern or file says which forms are accepted and shows the nearest files.
import test from 'ava';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openVolume } from '../../../nodes/io/lib/formats.js';
import { readVolumeRegion } from '../../../nodes/io/lib/read-region.js';
import { firstDifference, REAL_CH0, tempDir } from './helpers.js';

const tmp = tempDir('inputs');
test.after.always(() => tmp.cleanup());

test('the real crop opens the same as a folder, a glob and a digit regex', async (t) => {
  const forms = [REAL_CH0, `${REAL_CH0}/`, join(REAL_CH0, 'ch00*.tif'), join(REAL_CH0, 'ch000??.tif'), join(REAL_CH0, 'ch00\\d{3}.tif')];
  const ref = await openVolume(forms[forms.length - 1], { range: { z: [10, 13] } });
  const want = (await readVolumeRegion(ref.ref.args)).data;
  for (const f of forms.slice(0, -1)) {
    const v = await openVolume(f, { range: { z: [10, 13] } });
    t.deepEqual([v.format, v.shape, v.files.length], ['tiff-planes', [667, 510, 3], 30], f);
    t.is(v.files[10], join(REAL_CH0, 'ch00010.tif'), f);
    t.is(firstDifference((await readVolumeRegion(v.ref.args)).data, want), -1, f);
  }
});

test('a folder with two numbered series, a gap, or no match is an error saying what to do', async (t) => {
  const dir = join(tmp.dir, 'two');
  mkdirSync(dir);
  for (let z = 0; z < 3; z++) {
    copyFileSync(join(REAL_CH0, `ch0000${z}.tif`), join(dir, `sig_Z${z}.tif`));
    copyFileSync(join(REAL_CH0, `ch0000${z}.tif`), join(dir, `auto_Z${z}.tif`));
  }
  writeFileSync(join(dir, 'notes.txt'), 'x');
  await t.throwsAsync(openVolume(dir), { message: /several numbered series: auto_Z<n>\.tif \(3 files\), sig_Z<n>\.tif \(3 files\); name one with a glob/ });
  const sig = await openVolume(join(dir, 'sig_*.tif'));
  t.deepEqual(sig.shape, [667, 510, 3]);
  copyFileSync(join(REAL_CH0, 'ch00000.tif'), join(dir, 'sig_Z7.tif'));
  await t.throwsAsync(openVolume(join(dir, 'sig_*.tif')), { message: /gap in the plane numbering after .*sig_Z2\.tif: numbers 3\.\.6 are missing/ });
  // a typo: the error lists the accepted forms and the nearest existing files
  const e1 = await t.throwsAsync(openVolume(join(dir, 'sgi_Z*.tif')));
  t.regex(e1!.message, /glob .*sgi_Z\*\.tif: no file in .* matches sgi_Z\*\.tif \(nearest existing in .*: sig_Z0\.tif/);
  t.regex(e1!.message, /accepted inputs are .*a folder of numbered TIFF planes.*a glob.*a regular expression/);
  const e2 = await t.throwsAsync(openVolume(join(dir, 'sig_Z\\d{2}.tif')));
  t.regex(e2!.message, /no file in .* matches sig_Z\\d\{2\}\.tif \(nearest existing in .*sig_Z0\.tif.*\); accepted inputs are/);
  const e3 = await t.throwsAsync(openVolume(join(dir, 'sig_Z1.tiff')));
  t.regex(e3!.message, /sig_Z1\.tiff: no such file \(nearest existing in .*: sig_Z1\.tif/);
  const e4 = await t.throwsAsync(openVolume(join(tmp.dir, 'nope', 'Z*.tif')));
  t.regex(e4!.message, /folder .*nope does not exist; nearest in .*: two/);
});
