// detect: ClearMap 0.9.2's detectSpots, fused in one worker task per chunk (kernel.ts).
import type { ChunkNodeType } from '../../../engine/core/node-type.js';
import type { Artefact } from '../../../engine/core/artefacts.js';
import { requireVoxelSize } from '../../io/lib/voxel-size.js';
import { describePixelParams, physicalUnitsSchema, toPixelParams, usesPhysicalUnits, withoutPhysicalKeys } from '../lib/physical-units.js';
import { detectOverlap, detectOverlapXY, detectParamProblems, detectParamsSchema, resolveDetectParams } from '../lib/params.js';
import { illuminationFilesIdentity } from '../lib/illumination.js';
import { volumeIn } from '../lib/node-helpers.js';

const detectModule = new URL('./kernel.js', import.meta.url).href;

export const detectNode: ChunkNodeType = {
  type: 'detect',
  version: '1',
  kind: 'chunk',
  produces: 'points',
  description: "Cell detection as ClearMap 0.9.2's detectSpots: illumination correction, background removal, DoG, extended maxima, watershed cell shape; points with columns raw, dog, background, size",
  inputs: volumeIn,
  outputs: { points: { type: 'points', description: 'cell centres [x, y, z] in voxels of the stack, columns raw, dog, background[, size]' } },
  params: { ...detectParamsSchema, properties: { ...detectParamsSchema.properties, ...physicalUnitsSchema } },
  check: (params) => detectParamProblems(withoutPhysicalKeys(params)),
  // cellDiameter (µm) becomes pixel sizes for the input's voxel size (physical-units.ts)
  overlap: (params, inputs) => detectOverlap(resolveDetectParams(toPixelParams(params, detectVoxelSize(params, inputs)))),
  // x/y tiles: the kernel reports the x/y box where its cells are decided (stages.ts)
  overlapXY: (params, inputs) => detectOverlapXY(resolveDetectParams(toPixelParams(params, detectVoxelSize(params, inputs)))),
  describeParams: (params, inputs) => {
    const vs = detectVoxelSize(params, inputs);
    const line = vs && describePixelParams(params, vs, resolveDetectParams(toPixelParams(params, vs)));
    return line ? [line] : [];
  },
  // measured peak (during the h-max reconstruction): about 33 bytes per slab voxel
  workingBytesPerVoxel: () => 33,
  kernel: { module: detectModule, export: 'detectKernel' },
  externalIdentity: async (params, baseDir) => illuminationFilesIdentity(resolveDetectParams(withoutPhysicalKeys(params)).correctIlluminationParameter, baseDir),
};

/** The input's voxel size when cellDiameter needs it (an error asking for voxelSize when the file does not record it). */
function detectVoxelSize(params: Record<string, unknown>, inputs: Record<string, Artefact | undefined> | undefined): [number, number, number] | undefined {
  if (!usesPhysicalUnits(params)) return undefined;
  const input = inputs?.input;
  if (!input || input.kind !== 'volume') throw new Error('detect: cellDiameter needs the voxel size of the input volume, which is not available here');
  return requireVoxelSize(input, 'detect', 'cellDiameter (µm)');
}
