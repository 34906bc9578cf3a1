// CSV points: a header row `x,y,z[,property...]` then one row per point. Numbers are written with
// full precision (shortest round-trip form) so a write/read round trip is exact. Deviation from
// ClearMap (numpy.savetxt, '%.5e', no header): a header names the columns; headerless files
// (ClearMap's) are still read, their first three columns as x, y, z.
import { readFileSync } from 'node:fs';

export interface CsvColumns { names: string[]; columns: Float64Array[] }

function cell(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

export function encodeCsv(names: string[], columns: ArrayLike<number>[]): string {
  const n = columns.length ? columns[0].length : 0;
  const lines = [names.join(',')];
  for (let i = 0; i < n; i++) lines.push(columns.map((c) => cell(c[i])).join(','));
  return lines.join('\n') + '\n';
}

function parseNumber(s: string, path: string, line: number): number {
  const t = s.trim().toLowerCase();
  if (t === 'nan') return NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  const v = Number(t);
  if (t === '' || Number.isNaN(v)) throw new Error(`${path} line ${line}: '${s}' is not a number`);
  return v;
}

/** Parse a CSV of numbers with an optional header row (comma, semicolon, tab or space separated). */
export function readCsvColumns(path: string): CsvColumns {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).map((l, i) => [l, i + 1] as const).filter(([l]) => l.trim() !== '' && !l.startsWith('#'));
  if (lines.length === 0) return { names: [], columns: [] };
  const sep = /,/.test(lines[0][0]) ? ',' : /;/.test(lines[0][0]) ? ';' : /\t/.test(lines[0][0]) ? '\t' : /\s+/;
  const split = (l: string) => l.trim().split(sep).map((s) => s.trim());
  const firstCells = split(lines[0][0]);
  const hasHeader = firstCells.some((c) => Number.isNaN(Number(c)) && !/^[+-]?(nan|inf|infinity)$/i.test(c));
  const names = hasHeader ? firstCells.map((c) => c.replace(/^"(.*)"$/, '$1')) : firstCells.map((_, i) => `column${i}`);
  const body = hasHeader ? lines.slice(1) : lines;
  const columns = names.map(() => new Float64Array(body.length));
  body.forEach(([l, lineNo], r) => {
    const cells = split(l);
    if (cells.length !== names.length) throw new Error(`${path} line ${lineNo}: ${cells.length} values, expected ${names.length}`);
    cells.forEach((c, k) => { columns[k][r] = parseNumber(c, path, lineNo); });
  });
  return { names: hasHeader ? names : [], columns };
}
