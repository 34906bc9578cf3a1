// Background removal, ClearMap's BackgroundRemoval.removeBackground: per z-slice
//   img - opening(img, disk(size))      clipped at 0 and cast back to the input type.
import { allocate, type Volume } from '../../../engine/data/volume.js';
import { diskElement, openPlane } from '../../../lib/kernels/morphology2d.js';
import { removeBackgroundU16 } from '../../../lib/kernels/wasm/morphology.js';
import { castTo } from './illumination.js';

export function removeBackground(slab: Volume, size: [number, number] | null): Volume {
  if (size === null) return slab;
  const [X, Y, Z] = slab.shape;
  const P = X * Y;
  const se = diskElement(size[0], size[1]);
  const out = allocate(slab.dtype, P * Z);
  // WebAssembly + SIMD for uint16 (the same bytes; false when it is off or unavailable)
  if (slab.dtype === 'uint16' && removeBackgroundU16(slab.data as Uint16Array, X, Y, Z, se, out as Uint16Array)) return { ...slab, data: out };
  const plane = new Float64Array(P), opened = new Float64Array(P), tmp = new Float64Array(P);
  const cast = castTo(slab.dtype);
  const src = slab.data;
  for (let z = 0; z < Z; z++) {
    const o = z * P;
    for (let i = 0; i < P; i++) plane[i] = src[o + i]; // ClearMap works in float64 too
    openPlane(plane, 0, X, Y, se, opened, tmp);
    for (let i = 0; i < P; i++) {
      const d = plane[i] - opened[i];
      out[o + i] = d > 0 ? cast(d) : 0;
    }
  }
  return { ...slab, data: out };
}
