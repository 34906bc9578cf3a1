// Point resampling that matches the image resampling of resample.ts (ClearMap's resamplePoints /
// resamplePointsInverse). Coordinates are [x, y, z] in voxels of the respective volume.
//
// convention 'voxel-centre' (default): voxel i has its centre at coordinate i, as detection nodes
// report and as elastix/transformix read indices. The map is the one the image resampling uses,
// q = (p + 0.5) * m / n - 0.5 per source axis, then the orientation: permute, and a reversed axis
// maps q -> (size - 1) - q. A point at a source voxel centre therefore lands on the result voxel
// the resampled image puts that voxel's value in.
// convention 'clearmap': ClearMap 0.9.2's formulas exactly, q = p * m / n and reversal q -> size - q
// (voxel i spans [i, i+1)); kept for parity with ClearMap results. Mixed with voxel-centre points it
// is off by half a source voxel in scale and by one result voxel on flipped axes.
import type { ResampleGeometry } from './resample.js';

export type PointConvention = 'voxel-centre' | 'clearmap';
export const POINT_CONVENTIONS: readonly PointConvention[] = ['voxel-centre', 'clearmap'];

function checkConvention(c: PointConvention): void {
  if (!POINT_CONVENTIONS.includes(c)) throw new Error(`convention: expected one of ${POINT_CONVENTIONS.join(', ')}, got ${JSON.stringify(c)}`);
}

/** Source-volume coordinates -> resampled (and reoriented) coordinates. */
export function resamplePoints(coords: Float64Array, g: ResampleGeometry, convention: PointConvention = 'voxel-centre'): Float64Array {
  checkConvention(convention);
  const n = coords.length / 3;
  const out = new Float64Array(coords.length);
  const centre = convention === 'voxel-centre' ? 0.5 : 0;
  const flipEnd = convention === 'voxel-centre' ? 1 : 0;
  const { permutation: per, flip } = g.orientation;
  const scale = [0, 1, 2].map((a) => g.sinkShapeInSourceAxes[a] / g.sourceShape[a]);
  const q = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 3; a++) q[a] = (coords[3 * i + a] + centre) * scale[a] - centre;
    for (let j = 0; j < 3; j++) {
      const v = q[per[j]];
      out[3 * i + j] = flip[j] ? g.sinkShape[j] - flipEnd - v : v;
    }
  }
  return out;
}

/** Resampled (and reoriented) coordinates -> source-volume coordinates: the exact inverse of resamplePoints. */
export function resamplePointsInverse(coords: Float64Array, g: ResampleGeometry, convention: PointConvention = 'voxel-centre'): Float64Array {
  checkConvention(convention);
  const n = coords.length / 3;
  const out = new Float64Array(coords.length);
  const centre = convention === 'voxel-centre' ? 0.5 : 0;
  const flipEnd = convention === 'voxel-centre' ? 1 : 0;
  const { permutation: per, flip } = g.orientation;
  const scale = [0, 1, 2].map((a) => g.sourceShape[a] / g.sinkShapeInSourceAxes[a]);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) {
      const v = coords[3 * i + j];
      const q = flip[j] ? g.sinkShape[j] - flipEnd - v : v;
      const a = per[j];
      out[3 * i + a] = (q + centre) * scale[a] - centre;
    }
  }
  return out;
}
