// Chunk kernels of the single detection steps (engine contract: (slab, geometry, params) => Volume,
// same z extent as the slab). Each resolves its params against the defaults and validates them.
import type { ChunkContext } from '../../../engine/core/node-type.js';
import type { ChunkGeometry } from '../../../engine/data/chunk.js';
import type { Volume } from '../../../engine/data/volume.js';
import { FILTER_TYPES, type FilterType, type Triple } from '../../../lib/kernels/filter-kernel.js';
import { removeBackground } from './background.js';
import { filterDoG, filterLinear } from './filters.js';
import { correctIllumination, loadFlatField, resolveIlluminationPaths, scalingFactor } from './illumination.js';
import { checkSize, DEFAULT_DETECT_PARAMS, type BackgroundParams, type DoGParams, type IlluminationParams } from './params.js';

function merged<T extends object>(defaults: T, params: Record<string, unknown> | undefined, node: string): T {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(params ?? {})) {
    if (!(k in out)) throw new Error(`${node}: unknown parameter '${k}' (expected ${Object.keys(out).join(', ')})`);
    out[k] = v;
  }
  return out as T;
}

function fail(node: string, problems: string[]): void {
  if (problems.length) throw new Error(`${node}: invalid parameters:\n  - ${problems.join('\n  - ')}`);
}

export function checkBackgroundParams(p: Record<string, unknown>): string[] {
  return p.size === null || p.size === undefined ? [] : checkSize('size', p.size, 2, 2, false);
}

export function checkDoGParams(p: Record<string, unknown>): string[] {
  const e = p.size === null || p.size === undefined ? [] : checkSize('size', p.size, 3, 1, false);
  for (const k of ['sigma', 'sigma2']) {
    const s = p[k];
    if (s === null || s === undefined) continue;
    if (!Array.isArray(s) || s.length < 1 || s.length > 3 || !s.every((x) => typeof x === 'number' && x > 0)) e.push(`${k} must be null or a list of 1-3 positive numbers, got ${JSON.stringify(s)}`);
  }
  return e;
}

export interface FilterParams { ftype: FilterType; size: Triple | null; sigma: number[] | null; sigma2: number[] | null }
export const DEFAULT_FILTER_PARAMS: FilterParams = { ftype: 'gaussian', size: [5, 5, 5], sigma: null, sigma2: null };

export function checkFilterParams(p: Record<string, unknown>): string[] {
  const e: string[] = [];
  if (!FILTER_TYPES.includes(p.ftype as FilterType)) e.push(`ftype must be one of ${FILTER_TYPES.join(', ')}, got ${JSON.stringify(p.ftype)}`);
  return e.concat(checkDoGParams(p));
}

export async function illuminationKernel(slab: Volume, _g: ChunkGeometry, params: Record<string, unknown>, context?: ChunkContext): Promise<Volume> {
  const p = resolveIlluminationPaths(merged<IlluminationParams>(DEFAULT_DETECT_PARAMS.correctIlluminationParameter, params, 'illumination'), context?.baseDir);
  if (p.flatfield === null) return slab;
  const flat = await loadFlatField(p, slab.origin[0] + slab.shape[0], slab.origin[1] + slab.shape[1]);
  return correctIllumination(slab, flat!, scalingFactor(p.scaling, flat!.flatfield));
}

export function backgroundKernel(slab: Volume, _g: ChunkGeometry, params: Record<string, unknown>): Volume {
  const p = merged<BackgroundParams>(DEFAULT_DETECT_PARAMS.removeBackgroundParameter, params, 'background');
  fail('background', checkBackgroundParams(p as unknown as Record<string, unknown>));
  return removeBackground(slab, p.size);
}

export function dogKernel(slab: Volume, _g: ChunkGeometry, params: Record<string, unknown>): Volume {
  const p = merged<DoGParams>({ size: [7, 7, 3], sigma: null, sigma2: null }, params, 'dog');
  fail('dog', checkDoGParams(p as unknown as Record<string, unknown>));
  return filterDoG(slab, p.size, p.sigma, p.sigma2);
}

export function filterKernel(slab: Volume, _g: ChunkGeometry, params: Record<string, unknown>): Volume {
  const p = merged<FilterParams>(DEFAULT_FILTER_PARAMS, params, 'filter');
  const ftype = typeof p.ftype === 'string' ? (p.ftype.toLowerCase() as FilterType) : p.ftype;
  fail('filter', checkFilterParams({ ...p, ftype }));
  return filterLinear(slab, ftype, p.size, p.sigma, p.sigma2);
}
