// Worker side of the dog node (engine contract: (slab, geometry, params) => Volume).
import type { ChunkGeometry } from '../../../engine/data/chunk.js';
import type { Volume } from '../../../engine/data/volume.js';
import { filterDoG } from '../lib/filters.js';
import type { DoGParams } from '../lib/params.js';
import { checkDoGParams, fail, merged } from '../lib/step-kernels.js';

export function dogKernel(slab: Volume, _g: ChunkGeometry, params: Record<string, unknown>): Volume {
  const p = merged<DoGParams>({ size: [7, 7, 3], sigma: null, sigma2: null }, params, 'dog');
  fail('dog', checkDoGParams(p));
  return filterDoG(slab, p.size, p.sigma, p.sigma2);
}
