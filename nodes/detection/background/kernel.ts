// Worker side of the background node (engine contract: (slab, geometry, params) => Volume).
import type { ChunkGeometry } from '../../../engine/data/chunk.js';
import type { Volume } from '../../../engine/data/volume.js';
import { removeBackground } from '../lib/background.js';
import { DEFAULT_DETECT_PARAMS, type BackgroundParams } from '../lib/params.js';
import { checkBackgroundParams, fail, merged } from '../lib/step-kernels.js';

export function backgroundKernel(slab: Volume, _g: ChunkGeometry, params: Record<string, unknown>): Volume {
  const p = merged<BackgroundParams>(DEFAULT_DETECT_PARAMS.removeBackgroundParameter, params, 'background');
  fail('background', checkBackgroundParams(p));
  return removeBackground(slab, p.size);
}
