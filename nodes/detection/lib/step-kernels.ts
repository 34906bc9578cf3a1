// Parameter checks and defaults shared by the kernels of the single detection steps (illumination,
// background, dog, filter: <step>/kernel.ts) and their node declarations.
import { FILTER_TYPES, type FilterType, type Triple } from '../../../lib/kernels/filter-kernel.js';
import { checkSize } from './params.js';

export function merged<T extends object>(defaults: T, params: Record<string, unknown> | undefined, node: string): T {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(params ?? {})) {
    if (!(k in out)) throw new Error(`${node}: unknown parameter '${k}' (expected ${Object.keys(out).join(', ')})`);
    out[k] = v;
  }
  return out as T;
}

export function fail(node: string, problems: string[]): void {
  if (problems.length) throw new Error(`${node}: invalid parameters:\n  - ${problems.join('\n  - ')}`);
}

export function checkBackgroundParams(p: { size?: unknown }): string[] {
  return p.size === null || p.size === undefined ? [] : checkSize('size', p.size, 2, 2, false);
}

export function checkDoGParams(p: { size?: unknown; sigma?: unknown; sigma2?: unknown }): string[] {
  const e = p.size === null || p.size === undefined ? [] : checkSize('size', p.size, 3, 1, false);
  for (const k of ['sigma', 'sigma2'] as const) {
    const s = p[k];
    if (s === null || s === undefined) continue;
    if (!Array.isArray(s) || s.length < 1 || s.length > 3 || !s.every((x) => typeof x === 'number' && x > 0)) e.push(`${k} must be null or a list of 1-3 positive numbers, got ${JSON.stringify(s)}`);
  }
  return e;
}

export interface FilterParams { ftype: FilterType; size: Triple | null; sigma: number[] | null; sigma2: number[] | null }
export const DEFAULT_FILTER_PARAMS: FilterParams = { ftype: 'gaussian', size: [5, 5, 5], sigma: null, sigma2: null };

export function checkFilterParams(p: { ftype?: unknown; size?: unknown; sigma?: unknown; sigma2?: unknown }): string[] {
  const e: string[] = [];
  if (!FILTER_TYPES.includes(p.ftype as FilterType)) e.push(`ftype must be one of ${FILTER_TYPES.join(', ')}, got ${JSON.stringify(p.ftype)}`);
  return e.concat(checkDoGParams(p));
}
