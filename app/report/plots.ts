// Plots of region tables, pre-rendered to inline SVG with vega-lite → vega (renderer 'none': no DOM,
// no canvas, no network), so the report opens anywhere and the same table gives the same SVG.
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { Table } from '../../engine/data/table.js';

export async function renderVegaLite(spec: vegaLite.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Index of the first column whose lower-cased name is in `names` (in the order of `names`). */
export function findColumn(t: Table, names: readonly string[]): number {
  const lower = t.columns.map((c) => c.toLowerCase());
  for (const n of names) {
    const i = lower.indexOf(n.toLowerCase());
    if (i >= 0) return i;
  }
  return -1;
}

export const LABEL_COLUMNS = ['acronym', 'name', 'region', 'id'];
export const COUNT_COLUMNS = ['count', 'counts', 'cells'];
export const PVALUE_COLUMNS = ['pvalue', 'p-value', 'p_value', 'pvalues', 'p'];

function column(t: Table, name: string | undefined, defaults: readonly string[], what: string): number {
  if (name === undefined) return findColumn(t, defaults);
  const i = t.columns.indexOf(name);
  if (i < 0) throw new Error(`${what}: table has no column '${name}' (columns: ${t.columns.join(', ')})`);
  return i;
}

export interface RegionPlotOptions {
  labelColumn?: string;
  countColumn?: string;
  pValueColumn?: string;
  /** Largest number of regions shown (the highest counts / smallest p-values). */
  top?: number;
  /** p-value threshold drawn as a line. */
  alpha?: number;
}

/** Bar chart of counts per region (highest first), or null when the table has no count/label column. */
export async function countsPlot(t: Table, o: RegionPlotOptions, what: string): Promise<string | null> {
  const label = column(t, o.labelColumn, LABEL_COLUMNS, `${what}: labelColumn`);
  const count = column(t, o.countColumn, COUNT_COLUMNS, `${what}: countColumn`);
  if (label < 0 || count < 0) return null;
  const values = t.rows
    .filter((r) => typeof r[count] === 'number' && Number.isFinite(r[count]))
    .map((r) => ({ region: String(r[label]), count: r[count] as number }))
    .sort((a, b) => b.count - a.count || (a.region < b.region ? -1 : a.region > b.region ? 1 : 0))
    .slice(0, o.top ?? 40);
  if (!values.length) return null;
  return renderVegaLite({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${t.columns[count]} per region`,
    width: Math.max(240, 14 * values.length), height: 220,
    data: { values },
    mark: { type: 'bar', color: '#4e79a7' },
    encoding: {
      x: { field: 'region', type: 'nominal', sort: null, title: t.columns[label], axis: { labelAngle: -60 } },
      y: { field: 'count', type: 'quantitative', title: t.columns[count] },
      tooltip: [{ field: 'region' }, { field: 'count' }],
    },
  });
}

/** −log10(p) per region (smallest p first) with the threshold as a rule, or null without a p column. */
export async function pValuePlot(t: Table, o: RegionPlotOptions, what: string): Promise<string | null> {
  const label = column(t, o.labelColumn, LABEL_COLUMNS, `${what}: labelColumn`);
  const p = column(t, o.pValueColumn, PVALUE_COLUMNS, `${what}: pValueColumn`);
  if (label < 0 || p < 0) return null;
  const alpha = o.alpha ?? 0.05;
  const values = t.rows
    .filter((r) => typeof r[p] === 'number' && (r[p] as number) > 0 && (r[p] as number) <= 1)
    .map((r) => ({ region: String(r[label]), p: r[p] as number, score: -Math.log10(r[p] as number), significant: (r[p] as number) < alpha ? 'yes' : 'no' }))
    .sort((a, b) => a.p - b.p || (a.region < b.region ? -1 : a.region > b.region ? 1 : 0))
    .slice(0, o.top ?? 40);
  if (!values.length) return null;
  return renderVegaLite({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `−log10(${t.columns[p]}) per region (line: ${t.columns[p]} = ${alpha})`,
    width: Math.max(240, 14 * values.length), height: 220,
    layer: [
      {
        data: { values },
        mark: 'bar',
        encoding: {
          x: { field: 'region', type: 'nominal', sort: null, title: t.columns[label], axis: { labelAngle: -60 } },
          y: { field: 'score', type: 'quantitative', title: `−log10(${t.columns[p]})` },
          color: { field: 'significant', type: 'nominal', title: `${t.columns[p]} < ${alpha}`, scale: { domain: ['yes', 'no'], range: ['#e15759', '#bab0ac'] } },
          tooltip: [{ field: 'region' }, { field: 'p' }],
        },
      },
      { data: { values: [{ y: -Math.log10(alpha) }] }, mark: { type: 'rule', color: '#333', strokeDash: [4, 3] }, encoding: { y: { field: 'y', type: 'quantitative' } } },
    ],
  });
}

/** Histogram of one point property (pre-binned), as a bar chart. */
export async function histogramPlot(h: { column: string; bins: { start: number; end: number; count: number }[]; min: number; max: number; mean: number }): Promise<string> {
  return renderVegaLite({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: h.column, subtitle: `min ${+h.min.toPrecision(4)}, mean ${+h.mean.toPrecision(4)}, max ${+h.max.toPrecision(4)}` },
    width: 260, height: 140,
    data: { values: h.bins },
    mark: { type: 'bar', color: '#4e79a7' },
    encoding: {
      x: { field: 'start', bin: { binned: true }, type: 'quantitative', title: h.column },
      x2: { field: 'end' },
      y: { field: 'count', type: 'quantitative', title: 'points' },
      tooltip: [{ field: 'start' }, { field: 'end' }, { field: 'count' }],
    },
  });
}
