// Parameters of ClearMap 0.9.2's spot detection (SpotDetection.detectSpots), grouped and named as
// ClearMap's detectSpotsParameter dict is; defaults are those of ClearMap's parameter_file_template.py
// (the tutorial pipeline), except where noted. null means ClearMap's None (step switched off).
import type { ParamsSchema } from '../../../engine/core/node-type.js';
import type { Reduction } from '../../../lib/kernels/measure.js';

export type IntensityMethod = 'Max' | 'Mean' | 'Sum' | 'Min';
const INTENSITY_METHODS: IntensityMethod[] = ['Max', 'Mean', 'Sum', 'Min'];

export interface IlluminationParams {
  /** Flat field file (2D TIFF image or a text/CSV line of intensities along y, ClearMap's line format); null = no correction. */
  flatfield: string | null;
  /** Background image file (2D TIFF) subtracted from image and flat field; null = zero. */
  background: string | null;
  /** 'Mean' / 'Max' of the flat field, a number, or null (then the result stays float32). */
  scaling: 'Mean' | 'Max' | number | null;
}
export interface BackgroundParams { size: [number, number] | null }
export interface DoGParams { size: [number, number, number] | null; sigma: number[] | null; sigma2: number[] | null }
export interface ExtendedMaximaParams { hMax: number | null; size: number | [number, number, number]; threshold: number | null }
export interface FindIntensityParams { method: IntensityMethod | null; size: [number, number, number] }
export interface CellShapeParams { threshold: number | null }
export interface CellIntensityParams { method: IntensityMethod }

export interface DetectParams {
  correctIlluminationParameter: IlluminationParams;
  removeBackgroundParameter: BackgroundParams;
  filterDoGParameter: DoGParams;
  findExtendedMaximaParameter: ExtendedMaximaParams;
  findIntensityParameter: FindIntensityParams;
  detectCellShapeParameter: CellShapeParams;
  findCellIntensityParameter: CellIntensityParams;
  /** Planes a cell's watershed region usually reaches from its centre along z (sizes the first read window only). */
  cellReach: number;
}

export const DEFAULT_DETECT_PARAMS: DetectParams = {
  correctIlluminationParameter: { flatfield: null, background: null, scaling: 'Mean' },
  removeBackgroundParameter: { size: [7, 7] },
  filterDoGParameter: { size: null, sigma: null, sigma2: null },
  findExtendedMaximaParameter: { hMax: null, size: 5, threshold: 0 },
  findIntensityParameter: { method: 'Max', size: [3, 3, 3] },
  detectCellShapeParameter: { threshold: 700 },
  // ClearMap 0.9.2's findCellIntensity defaults to 'Sum' (detectSpots never passes a method); the
  // documented intensity columns are maxima, so this port defaults to 'Max'. Set 'Sum' for 0.9.2's numbers.
  findCellIntensityParameter: { method: 'Max' },
  cellReach: 6,
};

// ---------------------------------------------------------------------------------------------
// JSON Schemas (with ClearMap's names, defaults and descriptions)

const nullable = (s: Record<string, unknown>) => ({ ...s, type: [s.type as string, 'null'] });
const intArray = (n: number, min: number, description: string, def: unknown) =>
  ({ type: 'array', items: { type: 'integer', minimum: min }, minItems: n, maxItems: n, description, default: def });

export const illuminationSchema = {
  type: 'object', additionalProperties: false, default: DEFAULT_DETECT_PARAMS.correctIlluminationParameter,
  description: "correctIlluminationParameter: flat-field correction C = (I - B) / (F - B), slice by slice (IlluminationCorrection.correctIllumination)",
  properties: {
    flatfield: { type: ['string', 'null'], format: 'path', default: null, description: 'flat field: path to a 2D TIFF (x, y) or a text file with one intensity per line along y (replicated along x); null = do not correct' },
    background: { type: ['string', 'null'], format: 'path', default: null, description: 'background image (2D TIFF); null = assume zero' },
    scaling: { anyOf: [{ enum: ['Mean', 'Max', 'mean', 'max'] }, { type: 'number' }, { type: 'null' }], default: 'Mean', description: "scale the corrected image by the flat field's 'Mean' or 'Max' (or a number) and cast back to the input type; null = keep float32" },
  },
};
export const backgroundSchema = {
  type: 'object', additionalProperties: false, default: DEFAULT_DETECT_PARAMS.removeBackgroundParameter,
  description: 'removeBackgroundParameter: per z-slice, subtract a grey opening with a disk (BackgroundRemoval.removeBackground)',
  properties: { size: nullable(intArray(2, 2, 'size (x, y) in pixels of the disk structuring element of the opening; null = no background removal', [7, 7])) },
};
export const dogSchema = {
  type: 'object', additionalProperties: false, default: DEFAULT_DETECT_PARAMS.filterDoGParameter,
  description: 'filterDoGParameter: difference-of-Gaussians filter, negative values clipped to 0 (Filter.DoGFilter.filterDoG)',
  properties: {
    size: nullable(intArray(3, 1, 'size (x, y, z) of the DoG kernel; null = no DoG filtering', null)),
    sigma: { type: ['array', 'null'], items: { type: 'number', exclusiveMinimum: 0 }, minItems: 1, maxItems: 3, default: null, description: 'std of the inner (narrow) Gaussian per axis; null = sigma2 / 1.5' },
    sigma2: { type: ['array', 'null'], items: { type: 'number', exclusiveMinimum: 0 }, minItems: 1, maxItems: 3, default: null, description: 'std of the outer (wide) Gaussian per axis; null = size / (2 sqrt(2 ln 2))' },
  },
};
export const maximaSchema = {
  type: 'object', additionalProperties: false, default: DEFAULT_DETECT_PARAMS.findExtendedMaximaParameter,
  description: 'findExtendedMaximaParameter: h-max transform, local maxima and threshold (MaximaDetection.findExtendedMaxima)',
  properties: {
    hMax: { type: ['number', 'null'], minimum: 0, default: null, description: 'h of the h-maximum transform (grey reconstruction of img - h under img); null = no transform, every maximum voxel becomes a centre' },
    size: { anyOf: [{ type: 'integer', minimum: 1 }, intArray(3, 1, '', null)], default: 5, description: 'size of the local-maximum box filter (odd; number or [x, y, z])' },
    threshold: { type: ['number', 'null'], default: 0, description: 'keep only maxima whose filtered value is >= threshold; null = keep all' },
  },
};
export const findIntensitySchema = {
  type: 'object', additionalProperties: false, default: DEFAULT_DETECT_PARAMS.findIntensityParameter,
  description: 'findIntensityParameter: intensities around centres when no cell shape is detected (MaximaDetection.findIntensity)',
  properties: {
    method: { enum: [...INTENSITY_METHODS, null], default: 'Max', description: 'reduction over the box; null = value at the centre voxel' },
    size: intArray(3, 1, 'box size (x, y, z), odd', [3, 3, 3]),
  },
};
export const cellShapeSchema = {
  type: 'object', additionalProperties: false, default: DEFAULT_DETECT_PARAMS.detectCellShapeParameter,
  description: 'detectCellShapeParameter: seeded watershed from the centres on the background-removed image (CellSizeDetection.detectCellShape)',
  properties: { threshold: { type: ['number', 'null'], default: 700, description: 'voxels of the background-removed image <= threshold are outside every cell; null = no cell shape / size (then only 3 intensity columns)' } },
};
export const cellIntensitySchema = {
  type: 'object', additionalProperties: false, default: DEFAULT_DETECT_PARAMS.findCellIntensityParameter,
  description: "findCellIntensityParameter: reduction of each image over a cell's shape (CellSizeDetection.findCellIntensity). ClearMap 0.9.2's effective default is 'Sum'; this port defaults to 'Max'",
  properties: { method: { enum: INTENSITY_METHODS, default: 'Max', description: 'Max, Mean, Sum or Min over the cell shape' } },
};

export const detectParamsSchema: ParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    correctIlluminationParameter: illuminationSchema,
    removeBackgroundParameter: backgroundSchema,
    filterDoGParameter: dogSchema,
    findExtendedMaximaParameter: maximaSchema,
    findIntensityParameter: findIntensitySchema,
    detectCellShapeParameter: cellShapeSchema,
    findCellIntensityParameter: cellIntensitySchema,
    cellReach: { type: 'integer', minimum: 0, default: 6, description: 'planes a cell usually extends from its centre along z: sizes the first read window of a chunk only; results never depend on it (chunks grow their window until every cell is decided; ClearMap used a fixed chunkOverlap, 32 in its template)' },
  },
};

// ---------------------------------------------------------------------------------------------
// Resolution of defaults and checks a schema cannot express

function isObj(v: unknown): v is Record<string, unknown> { return typeof v === 'object' && v !== null && !Array.isArray(v); }

/** Merge user params over the defaults (one level deep per group); problems are collected, not thrown. */
function mergeDetectParams(raw: Record<string, unknown> | undefined): { params: DetectParams; problems: string[] } {
  const out = structuredClone(DEFAULT_DETECT_PARAMS) as unknown as Record<string, unknown>;
  const problems: string[] = [];
  for (const [k, v] of Object.entries(raw ?? {})) {
    if (!(k in out)) { problems.push(`unknown parameter '${k}' (expected one of ${Object.keys(out).join(', ')})`); continue; }
    if (isObj(out[k])) {
      if (!isObj(v)) { problems.push(`parameter '${k}' must be an object, got ${JSON.stringify(v)}`); continue; }
      const known = Object.keys(out[k] as object);
      for (const kk of Object.keys(v)) if (!known.includes(kk)) problems.push(`unknown parameter '${k}.${kk}' (expected one of ${known.join(', ')})`);
      out[k] = { ...(out[k] as object), ...v };
    } else out[k] = v;
  }
  const params = out as unknown as DetectParams;
  if (problems.length === 0) problems.push(...checkDetectParams(params));
  return { params, problems };
}

/** Messages naming each bad parameter (empty when the params are valid). */
export function detectParamProblems(raw: Record<string, unknown> | undefined): string[] {
  return mergeDetectParams(raw).problems;
}

/** Params with defaults filled in; throws one error listing every problem. */
export function resolveDetectParams(raw: Record<string, unknown> | undefined): DetectParams {
  const { params, problems } = mergeDetectParams(raw);
  if (problems.length) throw new Error(`detect: invalid parameters:\n  - ${problems.join('\n  - ')}`);
  return params;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const FLOAT32_MAX = 3.4028234663852886e38;

export function checkSize(name: string, v: unknown, n: number, min: number, odd: boolean): string[] {
  if (!Array.isArray(v) || v.length !== n || !v.every(isInt)) return [`${name} must be a list of ${n} integers, got ${JSON.stringify(v)}`];
  const out: string[] = [];
  v.forEach((s: number, i) => {
    if (s < min) out.push(`${name}[${i}] must be >= ${min}, got ${s}`);
    else if (odd && s % 2 === 0) out.push(`${name}[${i}] must be odd (an even window has no centre voxel), got ${s}`);
  });
  return out;
}

function checkNumber(name: string, v: unknown, nullable: boolean, min = -FLOAT32_MAX, max = FLOAT32_MAX): string[] {
  if (v === null && nullable) return [];
  if (typeof v !== 'number' || !Number.isFinite(v)) return [`${name} must be a finite number${nullable ? ' or null' : ''}, got ${JSON.stringify(v)}`];
  if (v < min || v > max) return [`${name} must be within [${min}, ${max}], got ${v}`];
  return [];
}

export function checkDetectParams(p: DetectParams): string[] {
  const e: string[] = [];
  const il = p.correctIlluminationParameter;
  if (il.flatfield !== null && typeof il.flatfield !== 'string') e.push(`correctIlluminationParameter.flatfield must be a file path or null, got ${JSON.stringify(il.flatfield)}`);
  if (il.background !== null && typeof il.background !== 'string') e.push(`correctIlluminationParameter.background must be a file path or null`);
  if (!(il.scaling === null || typeof il.scaling === 'number' || (typeof il.scaling === 'string' && ['mean', 'max'].includes(il.scaling.toLowerCase())))) {
    e.push(`correctIlluminationParameter.scaling must be 'Mean', 'Max', a number or null, got ${JSON.stringify(il.scaling)}`);
  }
  if (p.removeBackgroundParameter.size !== null) e.push(...checkSize('removeBackgroundParameter.size', p.removeBackgroundParameter.size, 2, 2, false));
  const dog = p.filterDoGParameter;
  if (dog.size !== null) e.push(...checkSize('filterDoGParameter.size', dog.size, 3, 1, false));
  for (const k of ['sigma', 'sigma2'] as const) {
    const s = dog[k];
    if (s === null) continue;
    if (!Array.isArray(s) || s.length < 1 || s.length > 3 || !s.every((x) => typeof x === 'number' && x > 0)) e.push(`filterDoGParameter.${k} must be null or a list of 1-3 positive numbers, got ${JSON.stringify(s)}`);
  }
  const mx = p.findExtendedMaximaParameter;
  e.push(...checkNumber('findExtendedMaximaParameter.hMax', mx.hMax, true, 0));
  e.push(...checkNumber('findExtendedMaximaParameter.threshold', mx.threshold, true));
  if (isInt(mx.size)) { if (mx.size < 1 || mx.size % 2 === 0) e.push(`findExtendedMaximaParameter.size must be an odd integer >= 1, got ${mx.size}`); }
  else e.push(...checkSize('findExtendedMaximaParameter.size', mx.size, 3, 1, true));
  const fi = p.findIntensityParameter;
  if (fi.method !== null && !INTENSITY_METHODS.includes(fi.method)) e.push(`findIntensityParameter.method must be one of ${INTENSITY_METHODS.join(', ')} or null, got ${JSON.stringify(fi.method)}`);
  e.push(...checkSize('findIntensityParameter.size', fi.size, 3, 1, true));
  e.push(...checkNumber('detectCellShapeParameter.threshold', p.detectCellShapeParameter.threshold, true));
  if (!INTENSITY_METHODS.includes(p.findCellIntensityParameter.method)) e.push(`findCellIntensityParameter.method must be one of ${INTENSITY_METHODS.join(', ')}, got ${JSON.stringify(p.findCellIntensityParameter.method)}`);
  if (!isInt(p.cellReach) || p.cellReach < 0) e.push(`cellReach must be an integer >= 0, got ${JSON.stringify(p.cellReach)}`);
  return e;
}

export function maximaBox(size: number | [number, number, number]): [number, number, number] {
  return typeof size === 'number' ? [size, size, size] : size;
}

export function toReduction(m: IntensityMethod): Reduction {
  return m.toLowerCase() as Reduction;
}

/**
 * Planes of context each side of a chunk's first read window: the DoG kernel's reach, the
 * local-maximum window's reach, three cell reaches (a cell in the core and a competing seed beyond it
 * seen whole, and room for the touching nuclei a watershed component chains), plus one plane for the
 * h-max plateaus' edge. Only sizes the first window; what it leaves undecided is patched. Measured on
 * the bench stack (512x512x384, 2 chunks): 2 reaches left 15 patches and took 28.4 s on one worker,
 * 3 reaches 26.6 s, 4 reaches 27.5 s.
 */
export function detectOverlap(p: DetectParams): number {
  const dogZ = p.filterDoGParameter.size ? p.filterDoGParameter.size[2] >> 1 : 0;
  const maxZ = maximaBox(p.findExtendedMaximaParameter.size)[2] >> 1;
  const shape = p.detectCellShapeParameter.threshold !== null ? 3 * p.cellReach : 0;
  const boxZ = p.detectCellShapeParameter.threshold === null ? p.findIntensityParameter.size[2] >> 1 : 0;
  return dogZ + maxZ + shape + boxZ + (p.findExtendedMaximaParameter.hMax !== null ? 1 : 0);
}

/**
 * Columns/rows of context each side of an x/y tile for the first read window (as detectOverlap in
 * z): the background opening's reach (erosion + dilation), the DoG's, the local-maximum window's,
 * five cell reaches (cells are wider in pixels than in planes: on the whole-brain bench, 2 reaches
 * left 5 of 6 tiles undecided at their first window, 5 none) and one for the h-max plateaus' edge. Only sizes the first window: the kernel
 * decides where its cells are exact in x and y as in z, and the window grows where they are not.
 */
export function detectOverlapXY(p: DetectParams): number {
  const bg = Math.max(...backgroundReach(p.removeBackgroundParameter.size));
  const dog = p.filterDoGParameter.size ? Math.ceil(Math.max(p.filterDoGParameter.size[0], p.filterDoGParameter.size[1]) / 2) : 0;
  const box = maximaBox(p.findExtendedMaximaParameter.size);
  const max = Math.max(box[0], box[1]) >> 1;
  const shape = p.detectCellShapeParameter.threshold !== null ? 5 * p.cellReach : 0;
  const fi = p.findIntensityParameter.size;
  const boxXY = p.detectCellShapeParameter.threshold === null ? Math.max(fi[0], fi[1]) >> 1 : 0;
  return bg + dog + max + shape + boxXY + (p.findExtendedMaximaParameter.hMax !== null ? 1 : 0);
}

/** Columns/rows of context the background opening needs (an erosion then a dilation by the disk). */
export function backgroundReach(size: [number, number] | null): [number, number] {
  return size === null ? [0, 0] : [2 * Math.ceil(size[0] / 2), 2 * Math.ceil(size[1] / 2)];
}
