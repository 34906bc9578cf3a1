// `clearmap report <results dir>`: the HTML run report of an existing results folder, without
// running anything. Node statuses come from a run summary (--summary, as written by `run
// --summary`) or else from the cache: a node whose result is in the cache counts as 'cached', one
// whose result is not as 'skipped'. Pictures and tables are collected from the results folder as
// `run --report` does.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { NodeSummary, RunSummary } from '../../engine/core/events.js';
import { CacheStore } from '../../engine/cache/store.js';
import { computeKeys } from '../../engine/cache/keys.js';
import { planUnits } from '../../engine/scheduler/units.js';
import { loadWorkflow } from '../engine.js';

export interface ReportFromResultsOptions { workflow: string; cache: string; summary?: string; out?: string; sets?: string[] }

/** Build the report of `resultsDir`; returns the report file written. */
export async function reportFromResults(resultsDir: string, o: ReportFromResultsOptions): Promise<string> {
  const outDir = resolve(resultsDir);
  if (!existsSync(outDir) || !statSync(outDir).isDirectory()) throw new Error(`report: results folder ${outDir} does not exist`);
  const { valid } = await loadWorkflow(o.workflow, o.sets ?? []);
  const { collectRunReport, readRunSummary, writeRunReport } = await import('../report/index.js');
  let summary: RunSummary;
  if (o.summary) summary = readRunSummary(o.summary);
  else {
    if (!existsSync(o.cache)) throw new Error(`report: cache ${resolve(o.cache)} does not exist (give --cache, or --summary from 'run --summary')`);
    const cache = new CacheStore(resolve(o.cache));
    const keys = await computeKeys(valid, dirname(resolve(o.workflow)), outDir);
    // a fused chunk chain caches only its last node: the chain's nodes share its status
    const lastOf = new Map<string, string>();
    for (const u of planUnits(valid)) for (const n of u.nodes) lastOf.set(n.id, u.last.id);
    const nodes: NodeSummary[] = [];
    for (const n of valid.order) {
      const hit = (await cache.load(keys.get(lastOf.get(n.id) ?? n.id)!)).status === 'hit';
      nodes.push({ id: n.id, type: n.type.type, status: hit ? 'cached' : 'skipped', seconds: 0 });
    }
    summary = { workflow: resolve(o.workflow), ok: nodes.every((n) => n.status === 'cached'), nodes, seconds: 0, peakRssMB: 0 };
  }
  const file = resolve(o.out ?? join(outDir, 'report.html'));
  await writeRunReport(summary, collectRunReport(valid.order, summary, outDir), file);
  return file;
}

export function registerReportCommand(program: Command): void {
  program.command('report')
    .description('write the HTML report of an existing results folder (statuses from --summary or the cache)')
    .argument('<results>', 'results folder of a run (its --out)')
    .requiredOption('--workflow <file>', 'the workflow that produced it')
    .option('--cache <dir>', 'cache directory of that run', '.clearmap-cache')
    .option('--summary <file>', "run summary written by 'run --summary' (statuses and times)")
    .option('--set <assignment>', 'param overrides used for the run', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--out <file>', 'report file (default: <results>/report.html)')
    .action(async (results: string, o: { workflow: string; cache: string; summary?: string; set: string[]; out?: string }) => {
      const file = await reportFromResults(results, { workflow: o.workflow, cache: o.cache, summary: o.summary, out: o.out, sets: o.set });
      process.stderr.write(`report: ${file}\n`);
    });
}
