// Image kernels plugins may build on (package subpath 'clearmap-ts/kernels'): the same functions the
// built-in detectors use, on flat typed arrays in x-fastest order with shape [x, y, z].
export { cellsFromMask, type CellOptions } from '../nodes/kernels/cells-from-mask.js';
export { labelComponents, type Labelling } from '../nodes/kernels/label.js';
export { centresOfMass, reduceByLabel, labelSizes, REDUCTIONS, type Reduction } from '../nodes/kernels/measure.js';
export { localMaxima, regionalMaxima, maxFilterXY } from '../nodes/kernels/maxima.js';
export { filterKernel3d, gaussian1d, mean1d, dogSigmas, FILTER_TYPES, type FilterType, type FilterKernelOptions, type Kernel3 } from '../nodes/kernels/filter-kernel.js';
export { correlateSeparable, correlate3d, type SeparableWeights, type PlaneSink } from '../nodes/kernels/correlate.js';
export { reconstructByDilation, hMaxTransform } from '../nodes/kernels/reconstruction.js';
export { neighbourhood, type Connectivity, type Neighbourhood } from '../nodes/kernels/neighbourhood.js';
