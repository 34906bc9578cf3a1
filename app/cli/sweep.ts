// `clearmap sweep wf.json --crop x0:x1,y0:y1,z0:z1 --vary node.param=a,b,c [--vary ...]`: every
// combination on a crop, one HTML page comparing them (app/sweep/).
import { availableParallelism } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { writeFileSync, renameSync } from 'node:fs';
import { Subject } from 'rxjs';
import type { Command } from 'commander';
import type { EngineEvent } from '../../engine/core/events.js';
import { plainRenderer } from './render.js';

export function registerSweep(program: Command): void {
  program.command('sweep')
    .description('run every combination of --vary values on a crop (shared upstream results come from the cache) and write one HTML page comparing counts, overlays and cell properties')
    .argument('<workflow>', 'workflow JSON file')
    .requiredOption('--crop <x0:x1,y0:y1,z0:z1>', 'crop in voxels of the full stack (an empty end is open, e.g. 100:400,:,5:25)')
    .option('--vary <node.param=a,b,c>', 'values of one param (JSON each; nested params with dots), repeatable', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--points <nodeId>', 'node whose points are compared (default: the last node producing points)')
    .option('--cache <dir>', 'cache directory', '.clearmap-cache')
    .option('--out <dir>', 'output directory (default: results/<workflow name>-sweep)')
    .option('--workers <n>', 'worker threads', (s: string) => Math.max(1, Number.parseInt(s, 10) || 1))
    .option('--planes <z,z,...>', 'planes of the crop shown in the overlays (default: 3 evenly spaced)', (s: string) => s.split(',').map(Number))
    .option('--quiet', 'no progress lines')
    .action(async (file: string, o: { crop: string; vary: string[]; points?: string; cache: string; out?: string; workers?: number; planes?: number[]; quiet?: boolean }) => {
      const { parseCrop, parseVary, runSweep } = await import('../sweep/sweep.js');
      const { renderSweepPage } = await import('../sweep/page.js');
      if (o.vary.length === 0) throw new Error('sweep: give at least one --vary <node.param=a,b,c>');
      const outDir = resolve(o.out ?? `results/${basename(file, extname(file))}-sweep`);
      const events = new Subject<EngineEvent>();
      if (!o.quiet) { const r = plainRenderer(); events.subscribe((e) => r.on(e)); }
      const result = await runSweep(file, { crop: parseCrop(o.crop), vary: o.vary.map(parseVary), cacheDir: o.cache, outDir, workers: o.workers ?? availableParallelism(), pointsNode: o.points, events });
      const html = await renderSweepPage(result, { planes: o.planes });
      const page = join(outDir, 'sweep.html');
      const write = (path: string, text: string) => { writeFileSync(`${path}.tmp-${process.pid}`, text); renameSync(`${path}.tmp-${process.pid}`, path); };
      write(page, html);
      const summary = result.variants.map((v) => ({ variant: v.index, values: v.values, ok: v.ok, cells: v.points ? v.points.points.coords.length / 3 : null, nodes: v.nodes.map((n) => ({ id: n.id, status: n.status, seconds: n.seconds })), ...(v.error ? { error: v.error } : {}) }));
      write(join(outDir, 'sweep.json'), JSON.stringify({ workflow: result.workflow, crop: result.crop, pointsNode: result.pointsNode, variants: summary }, null, 2) + '\n');
      for (const v of summary) process.stderr.write(`variant ${v.variant}: ${Object.entries(v.values).map(([k, x]) => `${k}=${JSON.stringify(x)}`).join(' ')} -> ${v.cells ?? 'FAILED'} cells\n`);
      process.stderr.write(`sweep page: ${page}\n`);
      if (summary.some((v) => !v.ok)) process.exitCode = 1;
    });
}
