// Chunk kernels for the slab-reuse test: the slab itself, and the slab with every voxel + 1 (a new
// array), so a stale or early-released source buffer would show in the joined output.
import type { Volume } from '../../../engine/data/volume.js';

export function identityKernel(input: Volume): Volume {
  return input;
}

export function plusOneKernel(input: Volume): Volume {
  const data = input.data.slice();
  for (let i = 0; i < data.length; i++) data[i] += 1;
  return { ...input, data };
}
