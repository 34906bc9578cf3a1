// Image kernels plugins may build on (package subpath 'clearmap-ts/kernels'): the same functions the
// built-in detectors use, on flat typed arrays in x-fastest order with shape [x, y, z].
export { cellsFromMask, type CellOptions } from '../lib/kernels/cells-from-mask.js';
export { labelComponents, type Labelling } from '../lib/kernels/label.js';
export { centresOfMass, reduceByLabel, labelSizes, REDUCTIONS, type Reduction } from '../lib/kernels/measure.js';
export { localMaxima, regionalMaxima, maxFilterXY } from '../lib/kernels/maxima.js';
export { filterKernel3d, gaussian1d, mean1d, dogSigmas, FILTER_TYPES, type FilterType, type FilterKernelOptions, type Kernel3 } from '../lib/kernels/filter-kernel.js';
export { correlateSeparable, correlate3d, type SeparableWeights, type PlaneSink } from '../lib/kernels/correlate.js';
export { reconstructByDilation, hMaxTransform } from '../lib/kernels/reconstruction.js';
export { neighbourhood, type Connectivity, type Neighbourhood } from '../lib/kernels/neighbourhood.js';
