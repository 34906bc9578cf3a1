// resample: ClearMap's resampleData (Alignment/Resampling.py).
import { defineWholeNode } from '../../../engine/core/node-type.js';
import { bytesPerVoxel } from '../../../engine/data/volume.js';
import { requireVoxelSize } from '../../io/lib/voxel-size.js';
import { INTERPOLATIONS, planResample, tapInputs } from '../lib/resample.js';
import { interpolationOf, joinResampled, resampleGeometryFromParams, type ResamplePartial } from './kernel.js';
import { checkResamplingParams, resamplingParams, volumeInput } from '../lib/node-helpers.js';

/** Worker threads import the pool task from here. */
const RESAMPLE_KERNEL_MODULE = new URL('./kernel.js', import.meta.url).href;

/** Bytes of source planes one pool task reads at most (a few tasks run at once). */
const SLAB_BYTES = 64 * 1024 * 1024;

/** Split sorted plane indices into runs of consecutive planes, each at most `maxPlanes` long. */
export function planeRuns(planes: number[], maxPlanes: number): number[][] {
  const runs: number[][] = [];
  for (const z of planes) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] === z - 1 && last.length < maxPlanes) last.push(z);
    else runs.push([z]);
  }
  return runs;
}

export const resampleNode = defineWholeNode({
  kind: 'whole',
  type: 'resample',
  version: '1',
  description: "Resample and reorient a volume as ClearMap's resampleData: each plane is resized in x,y (cv2.resize pixel-centre convention), then z is interpolated, then axes are permuted/flipped by `orientation`. Reads only the source planes the result needs, slab by slab on the worker pool; only the small resized planes stay in memory.",
  inputs: { input: { type: 'volume', description: 'Volume to resample (e.g. the autofluorescence stack)' } },
  outputs: { output: { type: 'volume', description: 'Resampled volume (MHD/RAW in the node work directory), voxel size = effective sink resolution' } },
  params: {
    type: 'object',
    properties: {
      ...resamplingParams,
      interpolation: { type: 'string', enum: [...INTERPOLATIONS], default: 'linear', description: "'linear' (cv2.INTER_LINEAR), 'nearest' (centre-aligned nearest voxel, for label images) or 'nearest-cv2' (cv2.INTER_NEAREST as ClearMap 0.9.2: floor(dst * n / m), shifted by up to half a voxel)" },
    },
    additionalProperties: false,
  },
  check: checkResamplingParams,
  async run(inputs, params, ctx) {
    const ref = volumeInput('resample', inputs, 'input');
    if (params.sourceResolution == null) requireVoxelSize(ref, `resample '${ctx.nodeId}'`, 'resampling to the atlas resolution');
    const g = resampleGeometryFromParams(params, ref.shape, ref.voxelSize);
    const plan = planResample(g, interpolationOf(params));
    const planeBytes = ref.shape[0] * ref.shape[1] * bytesPerVoxel(ref.dtype);
    const runs = planeRuns(tapInputs(plan.tz), Math.max(1, Math.floor(SLAB_BYTES / planeBytes)));
    let done = 0;
    const partials = await Promise.all(runs.map(async (planes) => {
      const [r] = await ctx.parallel<ResamplePartial>([{ module: RESAMPLE_KERNEL_MODULE, export: 'resampleSlabTask', args: { ref, params, planes } }]);
      ctx.progress(++done, runs.length);
      return r;
    }));
    return joinResampled(partials, params, ctx);
  },
});
