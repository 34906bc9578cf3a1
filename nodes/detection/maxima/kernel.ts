// Worker side of the maxima node: findExtendedMaxima + centres, points with their decided z range.
import type { ChunkContext, DecidedPoints } from '../../../engine/core/node-type.js';
import type { ChunkGeometry } from '../../../engine/data/chunk.js';
import { makePoints } from '../../../engine/data/points.js';
import type { Volume } from '../../../engine/data/volume.js';
import { DEFAULT_DETECT_PARAMS, maximaBox } from '../lib/params.js';
import { maximaStage } from '../lib/stages.js';
import { fromSlab, slabOf, trustedOf, volumeInput, withDefaults } from '../lib/point-kernels.js';

/** `maxima`: findExtendedMaxima + centres (raw-weighted centres of the maxima with h-max, else every maximum voxel). */
export async function maximaKernel(slab: Volume, g: ChunkGeometry, params: Record<string, unknown>, ctx?: ChunkContext): Promise<DecidedPoints> {
  const p = withDefaults(DEFAULT_DETECT_PARAMS.findExtendedMaximaParameter, params, 'maxima');
  const data = slab.data instanceof Float32Array ? slab.data : Float32Array.from(slab.data);
  const img = { data, trusted: trustedOf(slab, ctx) };
  const weights = (await volumeInput('weights', slab, ctx, 'maxima')) ?? img;
  const r = maximaStage(img, weights, slabOf(slab, g), { hMax: p.hMax, size: maximaBox(p.size), threshold: p.threshold });
  return { kind: 'decided-points', points: makePoints(fromSlab(r.centres, slab.origin)), decided: r.undecided.around(g.core) };
}
