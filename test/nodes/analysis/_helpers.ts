// Shared helpers for the analysis tests: locate the repo (tests run from dist/), load fixtures, compare numbers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../engine/helpers.js';

/** The repository root (shared with the engine tests). */
export function repoRoot(): string {
  return ROOT;
}

/** Decode the fixture encoding of non-finite numbers (null = NaN, "inf", "-inf"). */
export function num(v: unknown): number {
  if (v === null) return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return v as number;
}

export function loadFixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(repoRoot(), 'test', 'fixtures', 'analysis', name), 'utf8')) as T;
}

/** Relative difference, treating equal values (also both NaN or equal infinities) as 0. */
export function relDiff(a: number, b: number): number {
  if (Object.is(a, b) || a === b || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}
