// Node types of cell detection (ClearMap 0.9.2 SpotDetection and its steps).
import type { ChunkNodeType, NodeType, WholeNodeType } from '../../engine/core/node-type.js';
import type { Artefact, PointsArtefact } from '../../engine/core/artefacts.js';
import { requireVoxelSize } from '../io/lib/voxel-size.js';
import { describePixelParams, physicalUnitsSchema, toPixelParams, usesPhysicalUnits, withoutPhysicalKeys } from './lib/physical-units.js';
import type { DType } from '../../engine/data/volume.js';
import { FILTER_TYPES } from '../../lib/kernels/filter-kernel.js';
import {
  backgroundSchema, cellIntensitySchema, cellShapeSchema, checkSize, detectOverlap, detectParamProblems, detectParamsSchema, dogSchema, findIntensitySchema, illuminationSchema, maximaBox, maximaSchema, resolveDetectParams,
} from './lib/params.js';
import { checkBackgroundParams, checkDoGParams, checkFilterParams } from './lib/step-kernels.js';
import { checkThresholdParams, thresholdPoints, type ThresholdParams } from './lib/threshold-points.js';
import { illuminationFilesIdentity } from './lib/illumination.js';
import type { IlluminationParams } from './lib/params.js';

export { detectCells, detectCellsInVolume } from './detect/kernel.js';
export { thresholdPoints } from './lib/threshold-points.js';

const detectModule = new URL('./detect/kernel.js', import.meta.url).href;
const stepsModule = new URL('./lib/step-kernels.js', import.meta.url).href;
const stepNodesModule = new URL('./lib/point-kernels.js', import.meta.url).href;
const volumeIn = { input: { type: 'volume' as const, description: 'image stack (e.g. the c-Fos channel)' } };
const volumeOut = (what: string) => ({ output: { type: 'volume' as const, description: what } });

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
  describeParams: (params, inputs) => {
    const vs = detectVoxelSize(params, inputs);
    const line = vs && describePixelParams(params, vs, resolveDetectParams(toPixelParams(params, vs)) as unknown as Record<string, unknown>);
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

export const illuminationNode: ChunkNodeType = {
  type: 'illumination',
  version: '1',
  kind: 'chunk',
  produces: 'volume',
  description: "Flat-field correction C = (I - B) / (F - B) per z-slice (ClearMap's correctIllumination)",
  inputs: volumeIn,
  outputs: volumeOut('illumination-corrected stack'),
  params: { type: 'object', additionalProperties: false, properties: illuminationSchema.properties },
  overlap: () => 0,
  kernel: { module: stepsModule, export: 'illuminationKernel' },
  externalIdentity: async (params, baseDir) => illuminationFilesIdentity({ flatfield: null, background: null, scaling: 'Mean', ...params } as IlluminationParams, baseDir),
  // ClearMap casts back to the input type only when it scales; without a flat field the stack passes through
  outputDtype: (dtype: DType, params) => (params.flatfield != null && params.scaling === null ? 'float32' : dtype),
};

export const backgroundNode: ChunkNodeType = {
  type: 'background',
  version: '1',
  kind: 'chunk',
  produces: 'volume',
  description: "Background removal: image minus its grey opening with a disk, per z-slice, clipped at 0 (ClearMap's removeBackground)",
  inputs: volumeIn,
  outputs: volumeOut('background-removed stack (same type as the input)'),
  params: { type: 'object', additionalProperties: false, properties: backgroundSchema.properties },
  check: (p) => checkBackgroundParams(p),
  overlap: () => 0,
  kernel: { module: stepsModule, export: 'backgroundKernel' },
  outputDtype: (dtype) => dtype,
};

const dogZ = (p: Record<string, unknown>) => (Array.isArray(p.size) && typeof p.size[2] === 'number' ? p.size[2] >> 1 : 0);

export const dogNode: ChunkNodeType = {
  type: 'dog',
  version: '1',
  kind: 'chunk',
  produces: 'volume',
  description: "Difference-of-Gaussians filter, negative values set to 0, float32 (ClearMap's filterDoG)",
  inputs: volumeIn,
  outputs: volumeOut('DoG-filtered stack (float32)'),
  params: { type: 'object', additionalProperties: false, properties: { ...dogSchema.properties, size: { ...dogSchema.properties.size, default: [7, 7, 3] } } },
  check: (p) => checkDoGParams(p),
  overlap: (p) => dogZ({ size: [7, 7, 3], ...p }),
  kernel: { module: stepsModule, export: 'dogKernel' },
  outputDtype: () => 'float32',
};

export const filterNode: ChunkNodeType = {
  type: 'filter',
  version: '1',
  kind: 'chunk',
  produces: 'volume',
  description: "Linear filter of ClearMap's FilterKernel types (mean, gaussian, log, dog, sphere, disk); negative values set to 0, float32 (ClearMap's filterLinear)",
  inputs: volumeIn,
  outputs: volumeOut('filtered stack (float32)'),
  params: {
    type: 'object', additionalProperties: false,
    properties: {
      ftype: { enum: [...FILTER_TYPES], default: 'gaussian', description: 'filter type (ClearMap ftype)' },
      size: { ...dogSchema.properties.size, default: [5, 5, 5], description: 'kernel size (x, y, z); null = only convert to float32' },
      sigma: { ...dogSchema.properties.sigma, description: 'Gaussian std (gaussian, log, dog inner) per axis; null = ClearMap default from size' },
      sigma2: { ...dogSchema.properties.sigma2, description: 'outer Gaussian std of dog per axis; null = ClearMap default' },
    },
  },
  check: (p) => checkFilterParams({ ftype: 'gaussian', ...p }),
  overlap: (p) => dogZ({ size: [5, 5, 5], ...p }),
  kernel: { module: stepsModule, export: 'filterKernel' },
  outputDtype: () => 'float32',
};

export const thresholdPointsNode: WholeNodeType = {
  type: 'threshold-points',
  version: '1',
  kind: 'whole',
  description: "Keep points whose property lies within [low, high] (ClearMap's thresholdPoints)",
  inputs: { points: { type: 'points', description: 'points with property columns (e.g. from detect)' } },
  outputs: { points: { type: 'points', description: 'the points that pass, with the same columns' } },
  params: {
    type: 'object', additionalProperties: false,
    properties: {
      threshold: {
        anyOf: [{ type: 'number' }, { type: 'array', items: { type: ['number', 'null'] }, minItems: 2, maxItems: 2 }],
        default: [20, 900],
        description: 'low bound (number) or [low, high]; null = unbounded (ClearMap\'s all). The template uses (20, 900) on the size row',
      },
      row: {
        anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string' }, { type: 'array', items: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string' }] }, minItems: 2, maxItems: 2 }],
        default: 3,
        description: 'column index (0 raw, 1 dog, 2 background, 3 size) or name, or [for low, for high]',
      },
    },
  },
  check: (p) => checkThresholdParams({ threshold: [20, 900], row: 3, ...p }),
  async run(inputs, params) {
    const pts = inputs.points;
    if (!pts || pts.kind !== 'points') throw new Error(`threshold-points: input 'points' must be points, got ${pts ? pts.kind : 'nothing'}`);
    const p = { threshold: [20, 900], row: 3, ...params } as ThresholdParams;
    const problems = checkThresholdParams(p as unknown as Record<string, unknown>);
    if (problems.length) throw new Error(`threshold-points: ${problems.join('; ')}`);
    const out: PointsArtefact = { kind: 'points', points: thresholdPoints(pts.points, p), voxelSize: pts.voxelSize };
    return { points: out };
  },
};

const maximaZ = (p: Record<string, unknown>) => maximaBox((p.size ?? 5) as number | [number, number, number])[2] >> 1;

export const maximaNode: ChunkNodeType = {
  type: 'maxima',
  version: '1',
  kind: 'chunk',
  produces: 'points',
  description: "Extended maxima and their centres (ClearMap's findExtendedMaxima + findCenterOfMaxima): h-max transform, box local maxima, threshold; centres of mass weighted by `weights` (h-max set) or every maximum voxel",
  inputs: {
    input: { type: 'volume', description: 'image to find maxima in (e.g. the DoG output)' },
    weights: { type: 'volume', optional: true, description: 'weights of the centres of mass (ClearMap: the raw image); default the input' },
  },
  outputs: { points: { type: 'points', description: 'maxima centres [x, y, z] in voxels of the stack, no columns' } },
  params: { type: 'object', additionalProperties: false, properties: maximaSchema.properties },
  check: (p) => {
    const size = p.size ?? 5;
    if (typeof size === 'number') return Number.isInteger(size) && size >= 1 && size % 2 === 1 ? [] : [`size must be an odd integer >= 1, got ${size}`];
    return checkSize('size', size, 3, 1, true);
  },
  // the first read window only: the kernel decides where its points are exact and the window grows
  overlap: (p) => maximaZ(p) + (p.hMax != null ? 1 : 0),
  workingBytesPerVoxel: () => 33,
  kernel: { module: stepNodesModule, export: 'maximaKernel' },
};

export const shapeNode: ChunkNodeType = {
  type: 'shape',
  version: '1',
  kind: 'chunk',
  produces: 'points',
  description: "Cell shape from seed points (ClearMap's detectCellShape: watershed of -input from the seeds within input > threshold), then findCellSize and findCellIntensity; cells of size 0 are removed",
  inputs: {
    input: { type: 'volume', description: 'image flooded by the watershed (ClearMap: the background-removed image); gives the background column' },
    seeds: { type: 'points', description: 'seed points [x, y, z] in voxels of the stack (e.g. from maxima or a plugin detector)' },
    raw: { type: 'volume', optional: true, description: 'image of the raw column (default: input)' },
    dog: { type: 'volume', optional: true, description: 'image of the dog column (ClearMap: the DoG output; default: input, as ClearMap without DoG)' },
  },
  outputs: { points: { type: 'points', description: 'cells [x, y, z] at the seeds, columns raw, dog, background, size' } },
  params: {
    type: 'object', additionalProperties: false,
    properties: {
      threshold: cellShapeSchema.properties.threshold,
      method: cellIntensitySchema.properties.method,
      cellReach: { type: 'integer', minimum: 0, default: 6, description: 'planes a cell usually extends from its seed along z: sets only the first read window of a chunk (results never depend on it)' },
    },
  },
  overlap: (p) => (typeof p.cellReach === 'number' ? p.cellReach : 6),
  workingBytesPerVoxel: () => 24,
  kernel: { module: stepNodesModule, export: 'shapeKernel' },
};

export const intensityNode: ChunkNodeType = {
  type: 'intensity',
  version: '1',
  kind: 'chunk',
  produces: 'points',
  description: "Intensity of a volume in a box around each point (ClearMap's findIntensity), appended to the points as a column",
  inputs: {
    input: { type: 'volume', description: 'image to measure' },
    points: { type: 'points', description: 'points [x, y, z] in voxels of the stack' },
  },
  outputs: { points: { type: 'points', description: 'the same points with the new column appended' } },
  params: {
    type: 'object', additionalProperties: false,
    properties: { ...findIntensitySchema.properties, column: { type: 'string', minLength: 1, default: 'intensity', description: 'name of the new column (detect names them raw, dog, background)' } },
  },
  check: (p) => (p.size === undefined ? [] : checkSize('size', p.size, 3, 1, true)),
  overlap: (p) => (Array.isArray(p.size) && typeof p.size[2] === 'number' ? p.size[2] >> 1 : 1),
  kernel: { module: stepNodesModule, export: 'intensityKernel' },
};

export const detectionNodeTypes: NodeType[] = [detectNode, illuminationNode, backgroundNode, dogNode, filterNode, maximaNode, shapeNode, intensityNode, thresholdPointsNode];
