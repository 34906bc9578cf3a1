// Parity with tools/detection/reference.py (ClearMap 0.9.2's detectSpots in numpy/scipy/skimage, run
// with Debian's /usr/bin/python3) on the real cellfinder crop and on a synthetic stack: >= 98% of the
// reference's cells matched within 1.5 voxels, counts within 2%, and the background / DoG stages
// numerically equal (background exactly; DoG within float32 rounding).
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sliceZ, type Volume } from '../../../engine/data/volume.js';
import { detectCellsInVolume } from '../../../nodes/detection/detect/kernel.js';
import { resolveDetectParams } from '../../../nodes/detection/lib/params.js';
import { readNpy, writeNpy } from '../../../tools/detection/npy.js';
import { matchPoints, syntheticNuclei } from '../../../tools/detection/synthetic-nuclei.js';
import { readTiffStack } from '../../../tools/detection/tiff-stack.js';
import { CELLFINDER_PLANES } from '../../shared-data.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const REFERENCE = fileURLToPath(new URL('../../../../tools/detection/reference.py', import.meta.url));
const REAL = join(CELLFINDER_PLANES, 'ch0');

interface RefResult { coords: Float64Array; columns: Record<string, Float64Array>; background: Volume; dog: Volume }

async function reference(stack: Volume, params: object): Promise<RefResult> {
  const dir = mkdtempSync(join(tmpdir(), 'detect-parity-'));
  try {
    writeNpy(join(dir, 'stack.npy'), stack);
    await run(PYTHON, [REFERENCE, join(dir, 'stack.npy'), join(dir, 'cells.csv'), '--params', JSON.stringify(params), '--stages', join(dir, 'stages')]);
    const [head, ...lines] = readFileSync(join(dir, 'cells.csv'), 'utf8').trim().split('\n');
    const names = head.split(',');
    const rows = lines.filter(Boolean).map((l) => l.split(',').map(Number));
    const coords = Float64Array.from(rows.flatMap((r) => r.slice(0, 3)));
    const columns = Object.fromEntries(names.slice(3).map((n, k) => [n, Float64Array.from(rows.map((r) => r[3 + k]))]));
    return { coords, columns, background: readNpy(join(dir, 'stages', 'background.npy')), dog: readNpy(join(dir, 'stages', 'dog.npy')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function compare(t: import('ava').ExecutionContext, stack: Volume, params: object) {
  const ref = await reference(stack, params);
  const ours = detectCellsInVolume(stack, resolveDetectParams(params as Record<string, unknown>), null, 0);
  t.deepEqual(ref.background.shape, stack.shape);
  t.is(maxAbsDiff(ours.stages.background.data, ref.background.data), 0, 'background removal identical');
  const dogDiff = maxAbsDiff(ours.stages.dog.data, ref.dog.data);
  let dogMax = 0; for (const v of ref.dog.data as Float32Array) dogMax = Math.max(dogMax, v);
  t.true(dogDiff <= 1e-5 * dogMax + 1e-4, `DoG max |diff| ${dogDiff} (max value ${dogMax})`);
  const nRef = ref.coords.length / 3, nOurs = ours.coords.length / 3;
  const m = matchPoints(ours.coords, ref.coords, 1.5);
  t.log(`reference ${nRef} cells, ours ${nOurs}, matched ${m.pairs.length} (${(100 * m.recall).toFixed(2)}% of the reference)`);
  t.true(nRef > 20, 'the reference finds cells');
  t.true(m.recall >= 0.98, 'matched >= 98% of the reference cells');
  t.true(Math.abs(nOurs - nRef) <= 0.02 * nRef, 'counts within 2%');
  // matched cells carry the same measurements (size exact unless a watershed tie differs)
  let sameSize = 0;
  for (const [i, j] of m.pairs) if (ours.columns.size[i] === ref.columns.size[j]) sameSize++;
  t.true(sameSize >= 0.95 * m.pairs.length, `${sameSize} of ${m.pairs.length} sizes identical`);
}

test('parity with reference.py on the real cellfinder crop (signal channel, 10 planes)', async (t) => {
  if (!existsSync(REAL)) return t.fail(`real data missing: ${REAL}`);
  const stack = sliceZ(await readTiffStack(REAL), 0, 10);
  await compare(t, stack, {
    removeBackgroundParameter: { size: [15, 15] },
    filterDoGParameter: { size: [7, 7, 3] },
    findExtendedMaximaParameter: { hMax: null, size: 5, threshold: 30 },
    detectCellShapeParameter: { threshold: 200 },
  });
});

test('parity with reference.py on a synthetic stack, with the h-max transform', async (t) => {
  const s = syntheticNuclei({ shape: [128, 128, 32], cells: 90, seed: 9, gain: 2, readNoise: 20 });
  await compare(t, s.volume, {
    removeBackgroundParameter: { size: [17, 17] },
    filterDoGParameter: { size: [11, 11, 7] },
    findExtendedMaximaParameter: { hMax: 20, size: 5, threshold: 20 },
    detectCellShapeParameter: { threshold: 150 },
  });
});
