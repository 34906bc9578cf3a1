// Worker side of the intensity node: findIntensity in a box around each point, as a new column.
import type { ChunkContext, DecidedPoints } from '../../../engine/core/node-type.js';
import type { ChunkGeometry } from '../../../engine/data/chunk.js';
import { makePoints } from '../../../engine/data/points.js';
import type { Volume } from '../../../engine/data/volume.js';
import { DEFAULT_DETECT_PARAMS, toReduction, type IntensityMethod } from '../lib/params.js';
import { boxIntensityStage, Undecided } from '../lib/stages.js';
import { intersect, pointsInput, slabOf, toSlab, trustedOf, withDefaults } from '../lib/point-kernels.js';

export interface IntensityParams { method: IntensityMethod | null; size: [number, number, number]; column: string }
export const DEFAULT_INTENSITY_PARAMS: IntensityParams = { ...DEFAULT_DETECT_PARAMS.findIntensityParameter, column: 'intensity' };

/** `intensity`: findIntensity of the volume in a box around each point, appended as a column. */
export async function intensityKernel(slab: Volume, g: ChunkGeometry, params: Record<string, unknown>, ctx?: ChunkContext): Promise<DecidedPoints> {
  const p = withDefaults(DEFAULT_INTENSITY_PARAMS, params, 'intensity');
  const s = slabOf(slab, g);
  const pts = pointsInput('points', s, ctx, 'intensity');
  if (p.column in pts.points.properties) throw new Error(`intensity: the points already have a column '${p.column}'; choose another 'column'`);
  const undecided = new Undecided(s);
  undecided.merge(pts.undecided);
  const [col] = boxIntensityStage([{ data: slab.data, trusted: trustedOf(slab, ctx) }], s, toSlab(pts.points.coords, slab.origin), p.method === null ? null : toReduction(p.method), p.size, undecided);
  const points = makePoints(pts.points.coords, { ...pts.points.properties, [p.column]: col });
  return { kind: 'decided-points', points, decided: intersect(undecided.around(g.core), pts.decided) };
}
