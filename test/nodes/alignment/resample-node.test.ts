import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PointsArtefact, VolumeRef } from '../../../engine/core/artefacts.js';
import { planChunks } from '../../../engine/data/chunk.js';
import { rawVolumeRef } from '../../../engine/data/raw-volume.js';
import { readRegion } from '../../../engine/data/read.js';
import { sliceZ } from '../../../engine/data/volume.js';
import { parseOrientation } from '../../../nodes/alignment/lib/orientation.js';
import { resampleGeometry, resampleVolume } from '../../../nodes/alignment/lib/resample.js';
import { resamplePoints } from '../../../nodes/alignment/lib/resample-points.js';
import { joinResampled, resampleChunk, type ResamplePartial } from '../../../nodes/alignment/resample/kernel.js';
import { alignmentNodeTypes } from '../../../nodes/alignment/index.js';
import { planeRuns, resampleNode } from '../../../nodes/alignment/resample/node.js';
import { resamplePointsNode } from '../../../nodes/alignment/resample-points/node.js';
import { resamplePointsInverseNode } from '../../../nodes/alignment/resample-points-inverse/node.js';
import { makeContext, maxAbsDiff, readPlanes, removeTempDirs } from './_helpers.js';
import { nodeParams } from '../../../engine/workflow/validate.js';

test.after.always(removeTempDirs);

const PARAMS = { sinkResolution: [10, 10, 10], orientation: [-2, 1, 3], interpolation: 'linear' };
const POINT_PARAMS = { sinkResolution: PARAMS.sinkResolution, orientation: PARAMS.orientation };

async function realStack() {
  const v = await readPlanes('ch1', 0, 30); // autofluorescence, 667 x 510 x 30 at 2 x 2 x 5 µm
  const ctx = makeContext('stack');
  const raw = join(ctx.workDir, 'ch1.raw');
  writeFileSync(raw, new Uint8Array(v.data.buffer));
  return { v, ref: rawVolumeRef(raw, v.shape, 'uint16', [2, 2, 5]), raw };
}

test('resample node on the real autofluorescence stack: equals the in-memory kernel, the chunk-wise form, and scipy within rounding', async (t) => {
  const { v, ref, raw } = await realStack();
  const ctx = makeContext('resample');
  const out = await resampleNode.run({ input: ref }, nodeParams(resampleNode, PARAMS), ctx);
  const outRef = out.output as VolumeRef;
  t.is(outRef.kind, 'volume');
  // 667 x 510 x 30 at 2 x 2 x 5 µm, orientation (-2, 1, 3), 10 µm: [ceil(510*2/10), ceil(667*2/10), ceil(30*5/10)]
  t.deepEqual(outRef.shape, [102, 134, 15]);
  t.is(outRef.dtype, 'uint16');
  const result = await readRegion(outRef);
  t.deepEqual(outRef.voxelSize.map((x) => +x.toFixed(4)), [10, +(667 * 2 / 134).toFixed(4), 10]);

  // the in-memory kernel gives the same voxels
  const g = resampleGeometry({ sourceShape: v.shape, sourceResolution: [2, 2, 5], sinkResolution: PARAMS.sinkResolution, orientation: parseOrientation(PARAMS.orientation) });
  const direct = resampleVolume({ ...v, origin: [0, 0, 0] }, g, 'linear');
  t.deepEqual(Array.from(result.data), Array.from(direct.data));

  // the chunk-wise reduction (cores of planChunks, as the engine slices them) gives the same voxels
  const partials: ResamplePartial[] = [];
  for (const c of planChunks(30, { overlap: 0, sizeMin: 3, sizeMax: 7, workers: 2 })) {
    const slab = await readRegion(ref, { z: c.read });
    partials.push(resampleChunk(sliceZ(slab, c.core[0] - c.read[0], c.core[1] - c.read[0]), c, PARAMS));
  }
  const joined = await joinResampled(partials, PARAMS, makeContext('join'));
  t.deepEqual(Array.from((await readRegion(joined.output as VolumeRef)).data), Array.from(direct.data));

  // independent reference: scipy zoom (grid_mode, linear, edge replicate) on float data, then ClearMap's
  // reorientation. Ours rounds to uint16 after the x,y pass and after the z pass (as ClearMap's two
  // cv2.resize calls do), so the difference is at most 1.
  const py = `
import sys, numpy as np
from scipy import ndimage
a = np.fromfile(sys.argv[1], dtype='<u2').reshape((30, 510, 667)).transpose(2, 1, 0).astype(np.float64)
z = ndimage.zoom(a, (134 / 667, 102 / 510, 15 / 30), order=1, mode='nearest', grid_mode=True)
z = z.transpose(1, 0, 2)[::-1, :, :]
np.asfortranarray(z).flatten(order='F').astype('<f8').tofile(sys.argv[2])
`;
  const refOut = join(ctx.workDir, 'scipy.f64');
  execFileSync('/usr/bin/python3', ['-c', py, raw, refOut], { stdio: 'pipe' });
  const b = readFileSync(refOut);
  const expected = new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
  t.is(expected.length, result.data.length);
  const diff = maxAbsDiff(result.data, expected);
  t.log(`real stack 667x510x30 -> 102x134x15: max |ours - scipy| = ${diff}`);
  t.true(diff <= 1, `max |ours - scipy| = ${diff}`);
  t.true(ctx.logs.some((l) => l.includes('resampled [667,510,30] -> [102,134,15]')));
});

test('resample-points node: source/sink inputs give the geometry; the inverse node maps back', async (t) => {
  const { ref } = await realStack();
  const ctx = makeContext('points');
  const sinkRef = (await resampleNode.run({ input: ref }, nodeParams(resampleNode, PARAMS), ctx)).output as VolumeRef;
  const points: PointsArtefact = { kind: 'points', points: { coords: Float64Array.from([0, 0, 0, 333, 255, 14, 666, 509, 29]), properties: { size: Float64Array.from([1, 2, 3]) } }, voxelSize: [2, 2, 5] };
  const fwd = (await resamplePointsNode.run({ points, source: ref, sink: sinkRef }, nodeParams(resamplePointsNode, POINT_PARAMS), ctx)).output as PointsArtefact;
  const g = resampleGeometry({ sourceShape: [667, 510, 30], sourceResolution: [2, 2, 5], sinkShape: sinkRef.shape, orientation: parseOrientation(PARAMS.orientation) });
  t.deepEqual(Array.from(fwd.points.coords), Array.from(resamplePoints(points.points.coords, g)));
  t.deepEqual(Array.from(fwd.points.properties.size), [1, 2, 3]);
  t.deepEqual(fwd.voxelSize!.map((x) => +x.toFixed(4)), [10, +(667 * 2 / 134).toFixed(4), 10]);
  const back = (await resamplePointsInverseNode.run({ points: fwd, source: ref, sink: sinkRef }, nodeParams(resamplePointsInverseNode, POINT_PARAMS), ctx)).output as PointsArtefact;
  t.true(maxAbsDiff(back.points.coords, points.points.coords) < 1e-9);
  // without a source volume or sourceShape the node says what is missing
  const e = await t.throwsAsync(resamplePointsNode.run({ points }, nodeParams(resamplePointsNode, POINT_PARAMS), ctx));
  t.regex(e!.message, /resample-points: the source volume size is unknown: wire the 'source' input .* or set param 'sourceShape'/);
});

test('alignment node types: names, and check() names the bad param', (t) => {
  t.deepEqual(alignmentNodeTypes.map((n) => n.type), ['resample', 'resample-points', 'resample-points-inverse', 'elastix', 'transform-points', 'transform-image', 'read-transform', 'registration-preview', 'registration-check']);
  t.deepEqual(resampleNode.check!({ orientation: [1, 2, 3], sinkResolution: [25, 25, 25], interpolation: 'linear' }), []);
  const problems = resampleNode.check!({ orientation: [1, -1, 3], sinkResolution: [25, 0, 25], interpolation: 'linear' });
  t.is(problems.length, 2);
  t.regex(problems[0], /^orientation: axis 1 appears twice/);
  t.regex(problems[1], /^sinkResolution: expected three positive numbers/);
  t.deepEqual(planeRuns([2, 3, 4, 5, 9, 10, 20], 3), [[2, 3, 4], [5], [9, 10], [20]]);
});
