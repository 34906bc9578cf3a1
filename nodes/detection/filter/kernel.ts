// Worker side of the filter node (engine contract: (slab, geometry, params) => Volume).
import type { ChunkGeometry } from '../../../engine/data/chunk.js';
import type { Volume } from '../../../engine/data/volume.js';
import type { FilterType } from '../../../lib/kernels/filter-kernel.js';
import { filterLinear } from '../lib/filters.js';
import { checkFilterParams, DEFAULT_FILTER_PARAMS, fail, merged, type FilterParams } from '../lib/step-kernels.js';

export function filterKernel(slab: Volume, _g: ChunkGeometry, params: Record<string, unknown>): Volume {
  const p = merged<FilterParams>(DEFAULT_FILTER_PARAMS, params, 'filter');
  const ftype = typeof p.ftype === 'string' ? (p.ftype.toLowerCase() as FilterType) : p.ftype;
  fail('filter', checkFilterParams({ ...p, ftype }));
  return filterLinear(slab, ftype, p.size, p.sigma, p.sigma2);
}
