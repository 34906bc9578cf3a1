// ClearMap's Analysis.Statistics.thresholdPoints: keep points whose property `row[0]` is >= threshold[0]
// and whose property `row[1]` is <= threshold[1]; a null bound (ClearMap's `all`) is not applied.
// `row` may be a column index (ClearMap's intensities row: 0 raw, 1 dog, 2 background, 3 size) or a
// column name, or a pair of them (one for each bound).
import { filterPoints, pointCount, type Points } from '../../../engine/data/points.js';

export interface ThresholdParams {
  threshold: number | [number | null, number | null];
  row: number | string | [number | string, number | string];
}

function column(p: Points, row: number | string): Float64Array {
  const names = Object.keys(p.properties);
  const name = typeof row === 'number' ? names[row] : row;
  if (name === undefined || !(name in p.properties)) {
    throw new Error(`threshold-points: row ${JSON.stringify(row)} is not a column of the points (columns: ${names.map((n, i) => `${i}=${n}`).join(', ') || 'none'})`);
  }
  return p.properties[name];
}

export function thresholdPoints(points: Points, params: ThresholdParams): Points {
  const [lo, hi] = Array.isArray(params.threshold) ? params.threshold : [params.threshold, null];
  const [r0, r1] = Array.isArray(params.row) ? params.row : [params.row, params.row];
  if (pointCount(points) === 0) return points;
  const a = column(points, r0), b = column(points, r1);
  return filterPoints(points, (i) => (lo === null || a[i] >= lo) && (hi === null || b[i] <= hi));
}

export function checkThresholdParams(p: Record<string, unknown>): string[] {
  const e: string[] = [];
  const t = p.threshold;
  const ok = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));
  if (!(typeof t === 'number' && Number.isFinite(t)) && !(Array.isArray(t) && t.length === 2 && t.every(ok))) {
    e.push(`threshold must be a number or [low, high] (null = unbounded), got ${JSON.stringify(t)}`);
  } else if (Array.isArray(t) && t[0] !== null && t[1] !== null && t[0] > t[1]) e.push(`threshold low ${t[0]} exceeds high ${t[1]}`);
  const rowOk = (r: unknown) => (typeof r === 'number' && Number.isInteger(r) && r >= 0) || (typeof r === 'string' && r.length > 0);
  const r = p.row;
  if (!rowOk(r) && !(Array.isArray(r) && r.length === 2 && r.every(rowOk))) e.push(`row must be a column index >= 0, a column name, or a pair of them, got ${JSON.stringify(r)}`);
  return e;
}
