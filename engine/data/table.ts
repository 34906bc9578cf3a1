// A small column table (region counts, statistics). Columns keep their insertion order.
export type Cell = string | number | null;

export interface Table {
  columns: string[];
  rows: Cell[][];
}

function csvCell(c: Cell): string {
  if (c === null || c === undefined) return '';
  if (typeof c === 'number') return Number.isFinite(c) ? String(c) : (Number.isNaN(c) ? 'nan' : c > 0 ? 'inf' : '-inf');
  return /[",\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c;
}

export function tableToCsv(t: Table): string {
  return [t.columns.map(csvCell).join(','), ...t.rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';
}
