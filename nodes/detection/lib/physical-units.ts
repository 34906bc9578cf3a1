// Detection in physical units: one cell diameter in µm (plus optional intensity thresholds under
// plain names) from which the ClearMap-named pixel parameters of `detect` are derived for the data's
// voxel size. Pure functions: no I/O, no engine.
//
// The formula. Let d = cellDiameter (µm), v = (vx, vy, vz) the voxel size (µm) and n_a = d / v_a the
// cell diameter in voxels along axis a. odd(x, m) = max(m, 2·round((x − 1) / 2) + 1) is the odd
// integer nearest x, at least m.
//   removeBackgroundParameter.size   = [odd(2·n_x, 3), odd(2·n_y, 3)]
//       a disk twice the cell diameter: the grey opening removes every cell but follows the background
//   filterDoGParameter.size          = [odd(n_x, 3), odd(n_y, 3), odd(n_z, 1)]
//       a DoG whose outer Gaussian has a full width at half maximum of one cell diameter
//   findExtendedMaximaParameter.size = [odd(n_x, 3), odd(n_y, 3), odd(n_z, 1)]
//       one maximum per cell diameter: two centres must be at least a cell radius apart
//   findIntensityParameter.size      = [odd(n_x / 2, 1), odd(n_y / 2, 1), odd(n_z / 2, 1)]
//       the central half of a cell, for the box intensities when no cell shape is detected
//   cellReach                        = max(6, ceil(n_z))
//       planes a cell may reach from its centre (sizes the chunk overlap only; never below the default)
// Intensity thresholds, in the image's intensity units, under names that say what they do:
//   cellThreshold -> detectCellShapeParameter.threshold (background-removed intensity a voxel must
//                    exceed to belong to a cell), peakHeight -> findExtendedMaximaParameter.hMax
//                    (how far a maximum must rise above its surroundings), peakThreshold ->
//                    findExtendedMaximaParameter.threshold (DoG value a maximum must reach).
// A ClearMap-named parameter set in the workflow to anything but its default wins over the derived
// value (parity). Workflow validation fills in defaults, so a value equal to the default cannot be told
// from an unset one: to force a default size together with cellDiameter, leave cellDiameter out.

import { DEFAULT_DETECT_PARAMS, type DetectParams } from './params.js';

export const PHYSICAL_KEYS = ['cellDiameter', 'cellThreshold', 'peakHeight', 'peakThreshold'] as const;

export const physicalUnitsSchema = {
  cellDiameter: { type: ['number', 'null'], exclusiveMinimum: 0, default: null, description: 'typical cell (nucleus) diameter in µm; derives the background disk, DoG, maxima and intensity box sizes and cellReach for the data\'s voxel size (see docs/tuning.md); explicitly set pixel parameters win; null = use the pixel parameters' },
  cellThreshold: { type: ['number', 'null'], default: null, description: 'intensity (background-removed image) a voxel must exceed to belong to a cell; sets detectCellShapeParameter.threshold' },
  peakHeight: { type: ['number', 'null'], minimum: 0, default: null, description: 'how far (intensity of the DoG image) a maximum must rise above its surroundings; sets findExtendedMaximaParameter.hMax' },
  peakThreshold: { type: ['number', 'null'], default: null, description: 'DoG intensity a maximum must reach to become a cell centre; sets findExtendedMaximaParameter.threshold' },
} as const;

export interface DerivedPixelParams {
  /** Cell diameter in voxels along x, y, z. */
  diameterVoxels: [number, number, number];
  removeBackgroundSize: [number, number];
  dogSize: [number, number, number];
  maximaSize: [number, number, number];
  intensitySize: [number, number, number];
  cellReach: number;
}

/** The odd integer nearest x, at least `min`. */
export function nearestOdd(x: number, min: number): number {
  return Math.max(min, 2 * Math.round((x - 1) / 2) + 1);
}

/** The documented formula (see the top of this file). */
export function derivePixelParams(cellDiameter: number, voxelSize: [number, number, number]): DerivedPixelParams {
  if (!(cellDiameter > 0)) throw new Error(`cellDiameter must be a positive number of µm, got ${cellDiameter}`);
  if (!voxelSize.every((v) => v > 0)) throw new Error(`the voxel size must be positive, got [${voxelSize.join(', ')}] µm`);
  const n = voxelSize.map((v) => cellDiameter / v) as [number, number, number];
  return {
    diameterVoxels: n,
    removeBackgroundSize: [nearestOdd(2 * n[0], 3), nearestOdd(2 * n[1], 3)],
    dogSize: [nearestOdd(n[0], 3), nearestOdd(n[1], 3), nearestOdd(n[2], 1)],
    maximaSize: [nearestOdd(n[0], 3), nearestOdd(n[1], 3), nearestOdd(n[2], 1)],
    intensitySize: [nearestOdd(n[0] / 2, 1), nearestOdd(n[1] / 2, 1), nearestOdd(n[2] / 2, 1)],
    cellReach: Math.max(6, Math.ceil(n[2])),
  };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when the params use any physical-unit key (so the voxel size matters). */
export function usesPhysicalUnits(params: Record<string, unknown>): boolean {
  return params.cellDiameter != null;
}

/** The params without the physical keys (what ClearMap-named checks see). */
export function withoutPhysicalKeys(params: Record<string, unknown>): Record<string, unknown> {
  const out = { ...params };
  for (const k of PHYSICAL_KEYS) delete out[k];
  return out;
}

function setUnlessGiven(out: Record<string, unknown>, group: string, key: string, value: unknown): void {
  const g = isObj(out[group]) ? { ...(out[group] as Record<string, unknown>) } : {};
  const dflt = (DEFAULT_DETECT_PARAMS as unknown as Record<string, Record<string, unknown>>)[group]?.[key];
  if (g[key] === undefined || JSON.stringify(g[key]) === JSON.stringify(dflt)) g[key] = value;
  out[group] = g;
}

/**
 * ClearMap-named params from physical ones: the derived sizes for `voxelSize` and the named
 * thresholds, filled in wherever the workflow does not set the pixel parameter itself. Params without
 * physical keys come back unchanged (no voxel size needed).
 */
export function toPixelParams(params: Record<string, unknown>, voxelSize: [number, number, number] | undefined): Record<string, unknown> {
  const out = withoutPhysicalKeys(params);
  if (params.cellThreshold != null) setUnlessGiven(out, 'detectCellShapeParameter', 'threshold', params.cellThreshold);
  if (params.peakHeight != null) setUnlessGiven(out, 'findExtendedMaximaParameter', 'hMax', params.peakHeight);
  if (params.peakThreshold != null) setUnlessGiven(out, 'findExtendedMaximaParameter', 'threshold', params.peakThreshold);
  if (params.cellDiameter == null) return out;
  if (!voxelSize) throw new Error('cellDiameter needs the voxel size of the input volume');
  const d = derivePixelParams(params.cellDiameter as number, voxelSize);
  setUnlessGiven(out, 'removeBackgroundParameter', 'size', d.removeBackgroundSize);
  setUnlessGiven(out, 'filterDoGParameter', 'size', d.dogSize);
  setUnlessGiven(out, 'findExtendedMaximaParameter', 'size', d.maximaSize);
  setUnlessGiven(out, 'findIntensityParameter', 'size', d.intensitySize);
  if (out.cellReach === undefined || out.cellReach === DEFAULT_DETECT_PARAMS.cellReach) out.cellReach = d.cellReach;
  return out;
}

/**
 * One line for the log and the report: what the physical params became in pixels. `resolved` are the
 * effective ClearMap-named params (defaults filled in) of toPixelParams(params, voxelSize).
 */
export function describePixelParams(params: Record<string, unknown>, voxelSize: [number, number, number], r: DetectParams): string | undefined {
  if (!PHYSICAL_KEYS.some((k) => params[k] != null)) return undefined;
  const j = JSON.stringify;
  const head = params.cellDiameter != null
    ? `cellDiameter ${params.cellDiameter} µm at ${voxelSize.join(' x ')} µm voxels = ${derivePixelParams(params.cellDiameter as number, voxelSize).diameterVoxels.map((x) => +x.toFixed(2)).join(' x ')} voxels`
    : 'intensity thresholds';
  const mx = r.findExtendedMaximaParameter;
  return `${head} -> removeBackgroundParameter.size ${j(r.removeBackgroundParameter.size)}, filterDoGParameter.size ${j(r.filterDoGParameter.size)}, `
    + `findExtendedMaximaParameter.size ${j(mx.size)} hMax ${j(mx.hMax)} threshold ${j(mx.threshold)}, `
    + `findIntensityParameter.size ${j(r.findIntensityParameter.size)}, detectCellShapeParameter.threshold ${j(r.detectCellShapeParameter.threshold)}, cellReach ${j(r.cellReach)}`;
}
