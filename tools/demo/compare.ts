// The demo's check against the phantom's truth: for every region and hemisphere with at least
// `minCells` known cells, the region table's count (exclusive, and rolled up to every ancestor
// through structure_id_path) against the known count.
//   node dist/tools/demo/compare.js <demo-data dir> <region_counts.csv>
import { readFileSync } from 'node:fs';
import { parseCsv } from '../../app/report/collect.js';

export interface CountCheck {
  id: number;
  acronym: string;
  side: 'left' | 'right';
  kind: 'exclusive' | 'rolled-up';
  truth: number;
  found: number;
  /** (found - truth) / truth */
  error: number;
}

export function compareCounts(truthFile: string, tableFile: string, minCells = 100): CountCheck[] {
  const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as { countsPerRegion: Record<string, { left: number; right: number }> };
  const t = parseCsv(readFileSync(tableFile, 'utf8'), tableFile);
  const col = (name: string) => {
    const i = t.columns.indexOf(name);
    if (i < 0) throw new Error(`${tableFile}: no column '${name}' (columns: ${t.columns.join(', ')})`);
    return i;
  };
  const [cId, cAcr, cPath] = [col('id'), col('acronym'), col('structure_id_path')];
  const cols = { exclusive: { left: col('count_left'), right: col('count_right') }, 'rolled-up': { left: col('total_count_left'), right: col('total_count_right') } };
  // known counts rolled up: every region on a cell's region path gets the cell
  const rolled = new Map<number, { left: number; right: number }>();
  const pathOf = new Map<number, number[]>();
  for (const r of t.rows) pathOf.set(Number(r[cId]), String(r[cPath]).split('/').filter(Boolean).map(Number));
  for (const [id, c] of Object.entries(truth.countsPerRegion)) {
    const path = pathOf.get(Number(id));
    if (!path) throw new Error(`${tableFile}: region ${id} of the phantom is not in the table`);
    for (const a of path) {
      const r = rolled.get(a) ?? { left: 0, right: 0 };
      r.left += c.left; r.right += c.right;
      rolled.set(a, r);
    }
  }
  const out: CountCheck[] = [];
  for (const r of t.rows) {
    const id = Number(r[cId]);
    for (const kind of ['exclusive', 'rolled-up'] as const) {
      const known = kind === 'exclusive' ? truth.countsPerRegion[id] : rolled.get(id);
      if (!known) continue;
      for (const side of ['left', 'right'] as const) {
        if (known[side] < minCells) continue;
        const found = Number(r[cols[kind][side]]);
        out.push({ id, acronym: String(r[cAcr]), side, kind, truth: known[side], found, error: (found - known[side]) / known[side] });
      }
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dataDir = 'workflows/demo-data', table = 'results/demo/region_counts.csv'] = process.argv.slice(2);
  const checks = compareCounts(`${dataDir}/truth.json`, table);
  const worst = checks.reduce((w, c) => (Math.abs(c.error) > Math.abs(w.error) ? c : w), checks[0]);
  const over = checks.filter((c) => Math.abs(c.error) > 0.05);
  for (const c of over) console.log(`  ${c.acronym} (${c.id}) ${c.side} ${c.kind}: ${c.found} found, ${c.truth} placed (${(100 * c.error).toFixed(1)}%)`);
  console.log(`region counts vs the phantom's truth: ${checks.length} region/hemisphere counts with >= 100 cells (${checks.filter((c) => c.kind === 'exclusive').length} exclusive, ${checks.filter((c) => c.kind === 'rolled-up').length} rolled up); `
    + `worst ${worst ? `${(100 * worst.error).toFixed(1)}% (${worst.acronym} ${worst.side} ${worst.kind}: ${worst.found} vs ${worst.truth})` : 'n/a'}; ${over.length ? `${over.length} over 5%` : 'all within 5%'}`);
  if (over.length) process.exitCode = 1;
}
