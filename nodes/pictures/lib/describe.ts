// One-line descriptions of what a picture shows, stored in the PNG (picture-info.ts) and shown as the
// caption in the run report.
import type { Shape3 } from '../../../engine/data/volume.js';
import type { Limits } from './contrast.js';
import type { PlaneWindow } from './read-planes.js';

export const num = (v: number) => String(+v.toPrecision(6));

export function describePlanes(w: PlaneWindow, step: number, shape: Shape3): string {
  const p = w.planes;
  const list = p.length <= 6 ? p.join(', ') : `${p.slice(0, 3).join(', ')}, …, ${p[p.length - 1]}`;
  const every = step > 1 ? ` (step ${step})` : '';
  const window = w.x[0] !== 0 || w.x[1] !== shape[0] || w.y[0] !== 0 || w.y[1] !== shape[1] ? `, window x [${w.x[0]}, ${w.x[1]}) y [${w.y[0]}, ${w.y[1]})` : '';
  return `planes z = ${list}${every} of a ${shape.join('×')} stack${window}`;
}

export function describeContrast(limits: Limits, percentiles: [number, number], inverse: boolean, factor: number): string {
  return `grey ${inverse ? 'inverted ' : ''}over [${limits.map(num).join(', ')}] (percentiles ${percentiles[0]}–${percentiles[1]} of these planes)`
    + (factor > 1 ? `, block-averaged ×${factor}` : '');
}
