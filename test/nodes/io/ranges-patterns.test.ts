// ClearMap range semantics (x/y/z params) against reference values from ClearMap's own toDataRange,
// and the file-pattern helpers (plane numbering, zero padding).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toDataRange } from '../../../nodes/io/lib/region.js';
import { isFilePattern, patternFileName } from '../../../nodes/io/lib/tiff/file-pattern.js';
import { REPO, REAL_CH0 } from './helpers.js';

interface RangeCase { size: number; range: [number | null, number | null] | null; expected: [number, number] }

test('toDataRange matches ClearMap 0.9.2 on every combination of open, negative, clipped ends', (t) => {
  const cases: RangeCase[] = JSON.parse(readFileSync(join(REPO, 'test', 'fixtures', 'io', 'to-data-range.json'), 'utf8'));
  t.is(cases.length, 1 + 14 * 14);
  for (const c of cases) t.deepEqual(toDataRange(c.size, c.range), c.expected, JSON.stringify(c.range));
});

test('pattern file names: zero padding, open digit counts, literal dots', (t) => {
  t.is(patternFileName('/out/Z\\d{4}.tif', 7), '/out/Z0007.tif');
  t.is(patternFileName('/out/img\\d+.ome.tif', 123), '/out/img123.ome.tif');
  t.is(patternFileName('/out/img\\d{}\\.tif', 5), '/out/img5.tif');
  t.throws(() => patternFileName('/out/Z\\d{2}.tif', 100), { message: /plane 100 needs more than 2 digits/ });
  t.true(isFilePattern(`${REAL_CH0}/ch00\\d{3}.tif`));
  t.false(isFilePattern(`${REAL_CH0}/ch00000.tif`));
});
