// Worker side of the shape node: watershed cell shapes from seeds, sizes and intensities.
import type { ChunkContext, DecidedPoints } from '../../../engine/core/node-type.js';
import type { ChunkGeometry } from '../../../engine/data/chunk.js';
import { makePoints } from '../../../engine/data/points.js';
import { dtypeRange, type Volume } from '../../../engine/data/volume.js';
import { toReduction, type IntensityMethod } from '../lib/params.js';
import { shapeStage, Undecided, type TrustedImage } from '../lib/stages.js';
import { intersect, pointsInput, slabOf, toSlab, trustedOf, volumeInput, withDefaults } from '../lib/point-kernels.js';

export interface ShapeParams { threshold: number | null; method: IntensityMethod; cellReach: number }
export const DEFAULT_SHAPE_PARAMS: ShapeParams = { threshold: 700, method: 'Max', cellReach: 6 };

/** `shape`: detectCellShape from seed points + findCellSize + findCellIntensity (columns raw, dog, background, size). */
export async function shapeKernel(slab: Volume, g: ChunkGeometry, params: Record<string, unknown>, ctx?: ChunkContext): Promise<DecidedPoints> {
  const p = withDefaults(DEFAULT_SHAPE_PARAMS, params, 'shape');
  if (p.threshold !== null) {
    const [lo, hi] = dtypeRange(slab.dtype);
    if (p.threshold < lo || p.threshold > hi) throw new Error(`shape: threshold ${p.threshold} is outside the range [${lo}, ${hi}] of the ${slab.dtype} image it is compared with`);
  }
  const flood: TrustedImage = { data: slab.data, trusted: trustedOf(slab, ctx) };
  const seeds = pointsInput('seeds', slabOf(slab, g), ctx, 'shape');
  const raw = (await volumeInput('raw', slab, ctx, 'shape')) ?? flood;
  const dog = (await volumeInput('dog', slab, ctx, 'shape')) ?? flood;
  const s = slabOf(slab, g);
  const undecided = new Undecided(s);
  const coords = seeds.points.coords;
  const r = shapeStage(flood, s, toSlab(coords, slab.origin), seeds.undecided, p.threshold, [raw, dog, flood], toReduction(p.method), undecided);
  const out = new Float64Array(3 * r.kept.length);
  r.kept.forEach((i, j) => { out[3 * j] = coords[3 * i]; out[3 * j + 1] = coords[3 * i + 1]; out[3 * j + 2] = coords[3 * i + 2]; });
  const [iRaw, iDog, iBg] = r.intensities;
  return { kind: 'decided-points', points: makePoints(out, { raw: iRaw, dog: iDog, background: iBg, size: r.size }), decided: intersect(undecided.around(g.core), seeds.decided) };
}
