// Voxel neighbourhoods on [x, y, z] volumes (index = x + X * (y + Y * z)).
// connectivity 6 = faces (scipy's default structure for label/watershed), 26 = full 3x3x3 cube.
import type { Shape3 } from '../../engine/data/volume.js';

export type Connectivity = 6 | 18 | 26;

export interface Neighbourhood {
  dx: Int32Array; dy: Int32Array; dz: Int32Array;
  /** Linear index offsets for voxels away from the border. */
  offsets: Int32Array;
  /** Offsets of neighbours that come earlier in raster order (dz, dy, dx) < 0 lexicographically. */
  before: number[];
  /** Offsets of neighbours that come later in raster order. */
  after: number[];
}

export function neighbourhood(shape: Shape3, connectivity: Connectivity): Neighbourhood {
  if (connectivity !== 6 && connectivity !== 18 && connectivity !== 26) throw new Error(`connectivity must be 6, 18 or 26, got ${connectivity}`);
  const [X, Y] = shape;
  const dx: number[] = [], dy: number[] = [], dz: number[] = [], off: number[] = [], before: number[] = [], after: number[] = [];
  for (let c = -1; c <= 1; c++) for (let b = -1; b <= 1; b++) for (let a = -1; a <= 1; a++) {
    const n = Math.abs(a) + Math.abs(b) + Math.abs(c);
    if (n === 0) continue;
    if (connectivity === 6 && n > 1) continue;
    if (connectivity === 18 && n > 2) continue;
    const k = dx.length;
    dx.push(a); dy.push(b); dz.push(c); off.push(a + X * (b + Y * c));
    if (c < 0 || (c === 0 && (b < 0 || (b === 0 && a < 0)))) before.push(k); else after.push(k);
  }
  return { dx: Int32Array.from(dx), dy: Int32Array.from(dy), dz: Int32Array.from(dz), offsets: Int32Array.from(off), before, after };
}
