// Tables as sortable HTML: every cell carries its sort key, and a small inline script (sort-script.ts)
// sorts the rows when a header is clicked.
import type { Table } from '../../engine/data/table.js';
import { escapeHtml, formatNumber } from './html.js';

export function tableHtml(t: Table, id: string, maxRows = 5000): string {
  const head = t.columns.map((c, i) => `<th data-col="${i}" tabindex="0" aria-sort="none">${escapeHtml(c)}</th>`).join('');
  const body = t.rows.slice(0, maxRows).map((r) => '<tr>' + r.map((c) => {
    if (typeof c === 'number') return `<td class="num" data-sort="${Number.isNaN(c) ? '' : c}">${escapeHtml(formatNumber(c))}</td>`;
    if (c === null || c === undefined) return '<td data-sort=""></td>';
    return `<td>${escapeHtml(c)}</td>`;
  }).join('') + '</tr>').join('\n');
  const note = t.rows.length > maxRows ? `<p class="note">First ${maxRows} of ${t.rows.length} rows.</p>` : '';
  return `<table class="sortable" id="${id}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>${note}`;
}
