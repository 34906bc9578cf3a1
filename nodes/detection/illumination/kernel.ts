// Worker side of the illumination node (engine contract: (slab, geometry, params) => Volume).
import type { ChunkContext } from '../../../engine/core/node-type.js';
import type { ChunkGeometry } from '../../../engine/data/chunk.js';
import type { Volume } from '../../../engine/data/volume.js';
import { correctIllumination, loadFlatField, resolveIlluminationPaths, scalingFactor } from '../lib/illumination.js';
import { DEFAULT_DETECT_PARAMS, type IlluminationParams } from '../lib/params.js';
import { merged } from '../lib/step-kernels.js';

export async function illuminationKernel(slab: Volume, _g: ChunkGeometry, params: Record<string, unknown>, context?: ChunkContext): Promise<Volume> {
  const p = resolveIlluminationPaths(merged<IlluminationParams>(DEFAULT_DETECT_PARAMS.correctIlluminationParameter, params, 'illumination'), context?.baseDir);
  if (p.flatfield === null) return slab;
  const flat = await loadFlatField(p, slab.origin[0] + slab.shape[0], slab.origin[1] + slab.shape[1]);
  return correctIllumination(slab, flat!, scalingFactor(p.scaling, flat!.flatfield));
}
