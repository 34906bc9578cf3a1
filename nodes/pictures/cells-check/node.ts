// Node 'cells-check': ClearMap's cells_check.tif (raw data and detected cells as a 2-channel stack)
// over a window of the stack, streamed plane by plane into a TIFF via the IO writer.
import { resolveOutPath } from '../../../engine/core/out-path.js';
import { type WholeNodeType, defineWholeNode } from '../../../engine/core/node-type.js';
import { createVolumeWriter } from '../../io/lib/formats.js';
import { cellMarksPlane, planesMax } from '../lib/cells-check.js';
import { planeOfSlab, resolveRange } from '../lib/planes.js';
import { volumeInput } from '../lib/read-planes.js';

export const cellsCheckNode = defineWholeNode({
  kind: 'whole',
  type: 'cells-check',
  version: '2',
  description: "ClearMap's cells_check.tif: the data and the detected cells (single voxels at the data maximum) as a 2-channel ImageJ hyperstack (channel 0 the data, channel 1 the marks; Fiji and tifffile open it as 2 channels x z).",
  inputs: {
    input: { type: 'volume', description: 'Stack the points were detected in.' },
    points: { type: 'points', description: 'Detected cells in voxel coordinates of that stack.' },
  },
  outputs: { stack: { type: 'file', description: 'The TIFF written.' } },
  params: {
    type: 'object', additionalProperties: false,
    properties: {
      path: { type: 'string', default: 'cells_check.tif', pattern: '\\.tiff?$', description: 'TIFF to write, relative to the output directory (--out).' },
      x: { anyOf: [{ type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 2, maxItems: 2 }, { type: 'null' }], default: null, description: 'Window [start, end) along x (null = all).' },
      y: { anyOf: [{ type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 2, maxItems: 2 }, { type: 'null' }], default: null, description: 'Window [start, end) along y (null = all).' },
      z: { anyOf: [{ type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 2, maxItems: 2 }, { type: 'null' }], default: null, description: 'Window [start, end) along z (null = all).' },
    },
  },
  producesFiles: true,
  async run(inputs, params, ctx) {
    const ref = volumeInput(inputs, 'input', ctx)!;
    const pts = inputs.points;
    if (!pts || pts.kind !== 'points') throw new Error(`node '${ctx.nodeId}': input 'points' must be connected to points`);
    const path = String(params.path);
    const dest = resolveOutPath(ctx.outDir, path, `node '${ctx.nodeId}': params.path`);
    const [X, Y, Z] = ref.shape;
    const x = resolveRange(params.x, X, `node '${ctx.nodeId}': params.x`);
    const y = resolveRange(params.y, Y, `node '${ctx.nodeId}': params.y`);
    const z = resolveRange(params.z, Z, `node '${ctx.nodeId}': params.z`);
    const w = x[1] - x[0], h = y[1] - y[0], depth = z[1] - z[0];
    const readPlane = async (k: number) => planeOfSlab(await ctx.readVolume(ref, { x, y, z: [k, k + 1] }), 'z').values;

    // ClearMap scales the marks by data.max() of the window: a first pass over its planes
    let max = -Infinity;
    for (let k = z[0]; k < z[1]; k++) max = Math.max(max, planesMax([await readPlane(k)]));

    const writer = createVolumeWriter(dest, { shape: [w, h, 2 * depth], dtype: ref.dtype, voxelSize: ref.voxelSize, channels: 2 });
    try {
      for (let k = z[0]; k < z[1]; k++) {
        if (ctx.signal.aborted) throw new Error(`node '${ctx.nodeId}': aborted while writing ${dest}`);
        const raw = await readPlane(k);
        const marks = cellMarksPlane(raw, w, h, pts.points, k, x[0], y[0], max);
        const both = new (raw.constructor as new (n: number) => typeof raw)(2 * w * h);
        both.set(raw, 0);
        both.set(marks, w * h);
        await writer.writeSlab({ data: both, shape: [w, h, 2], dtype: ref.dtype, voxelSize: ref.voxelSize, origin: [0, 0, 2 * (k - z[0])] });
        ctx.progress(k - z[0] + 1, depth);
      }
      await writer.commit();
    } catch (e) {
      await writer.abort();
      throw e;
    }
    return { stack: { kind: 'file', path: dest } };
  },
});
