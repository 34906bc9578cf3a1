// `clearmap` command line. Exit codes: 0 ok, 1 a node failed, 2 invalid workflow or usage.
import 'reflect-metadata';
import { availableParallelism } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { Subject } from 'rxjs';
import type { EngineEvent } from '../../engine/core/events.js';
import { WorkflowError, NodeError, UsageError, messageOf } from '../../engine/core/errors.js';
import { createRegistry, loadWorkflow, runWorkflow } from '../engine.js';
import { composeSchema } from '../../engine/workflow/validate.js';
import { registerCacheCommands } from './cache.js';
import { registerCacheWhy } from './cache-why.js';
import { checkInputFiles, pickTypes, registerVersion } from './extras.js';
import { jsonRenderer, plainRenderer, ttyRenderer } from './render.js';
import { addExecutorOptions, executorFromOptions, type ExecutorCliOptions } from './executor-options.js';
import { registerWorkerCommand } from './worker.js';
import { registerTaskCommand } from './task.js';
import { registerSweep } from './sweep.js';
import { registerInit } from './init.js';
import { writeFileAtomic } from '../../engine/data/atomic.js';
import { explainText } from './explain.js';
import { registerAtlasCommand } from './atlas.js';
import { registerReportCommand } from './report.js';

const DEFAULT_CACHE = '.clearmap-cache';

/** More worker threads than this is a typo, not a machine (each thread holds a chunk in memory). */
const MAX_WORKERS = 1024;

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  if (n > MAX_WORKERS) throw new InvalidArgumentError(`at most ${MAX_WORKERS} (one worker thread per core is usually best)`);
  return n;
}

const program = new Command('clearmap')
  .description('ClearMap.ts: light-sheet whole-brain analysis as JSON dataflow workflows')
  .showHelpAfterError();

addExecutorOptions(program.command('run'))
  .argument('<workflow>', 'workflow JSON file')
  .option('--cache <dir>', 'cache directory', DEFAULT_CACHE)
  .option('--out <dir>', 'directory for result files (default: results/<workflow name>)')
  .option('--workers <n>', 'chunks computed at once, each by its own worker process (or thread: --local-workers) (default: one per core)', positiveInt)
  .option('--set <assignment>', 'override a param: <nodeId>.<param>=<json> (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
  .option('--summary <file>', 'write a JSON run summary')
  .option('--json', 'print events as JSON lines on stdout')
  .option('--report [file]', 'write a self-contained HTML run report (default: <out>/report.html)')
  .option('--verify', 're-hash every cached file used (instead of trusting size + mtime); damaged entries are recomputed')
  .option('--explain', 'print, for each recomputed node, which cache key component changed (param, input file, upstream node, kernel)')
  .action(async (file: string, o: ExecutorCliOptions & { cache: string; out?: string; workers?: number; set: string[]; summary?: string; json?: boolean; report?: string | boolean; verify?: boolean; explain?: boolean }) => {
    const { valid } = await loadWorkflow(file, o.set);
    const events = new Subject<EngineEvent>();
    const renderer = o.json ? jsonRenderer() : process.stderr.isTTY ? ttyRenderer() : plainRenderer();
    events.subscribe((e) => renderer.on(e));
    const outDir = resolve(o.out ?? `results/${basename(file, extname(file))}`);
    const workers = o.workers ?? availableParallelism();
    let executor;
    try {
      executor = await executorFromOptions(o, valid.workflow.settings, workers, o.cache, (message) => events.next({ event: 'log', message }));
    } catch (e) {
      // a usage problem (--redis missing, Redis unreachable): nothing has run
      renderer.stop();
      process.stderr.write(`error: ${messageOf(e)}\n`);
      process.exitCode = 2;
      return;
    }
    // Ctrl-C: a remote executor cancels its jobs (scancel), then exit 130. threads.js's own handlers
    // (installed when it is imported) would exit 0 at once, racing the cancel: they are replaced.
    const interrupt = () => { void (executor.cancel?.() ?? Promise.resolve()).catch(() => {}).finally(() => process.exit(130)); };
    process.removeAllListeners('SIGINT');
    process.removeAllListeners('SIGTERM');
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    const summary = await runWorkflow(valid, { cacheDir: o.cache, outDir, workers, events, executor, verify: o.verify });
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    renderer.stop();
    if (o.explain) process.stderr.write(explainText(summary));
    if (o.summary) writeFileAtomic(o.summary, JSON.stringify(summary, null, 2) + '\n');
    if (o.report !== undefined) {
      // loaded on demand: vega takes about a second to import
      const { collectRunReport, writeRunReport } = await import('../report/index.js');
      const reportFile = typeof o.report === 'string' ? resolve(o.report) : join(outDir, 'report.html');
      await writeRunReport(summary, collectRunReport(valid.order, summary, outDir), reportFile);
      process.stderr.write(`report: ${reportFile}\n`);
    }
    const counts = summary.nodes.reduce((m, n) => ({ ...m, [n.status]: (m[n.status] ?? 0) + 1 }), {} as Record<string, number>);
    process.stderr.write(`${summary.ok ? 'done' : 'FAILED'} in ${summary.seconds.toFixed(2)} s: ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}; results in ${outDir}\n`);
    if (!summary.ok) {
      for (const n of summary.nodes.filter((x) => x.status === 'failed')) process.stderr.write(`error: ${n.error}\n`);
      process.exitCode = 1;
    }
  });

registerReportCommand(program);

program.command('validate')
  .argument('<workflow>', 'workflow JSON file')
  .option('--set <assignment>', 'override a param as in run', (v: string, acc: string[]) => [...acc, v], [] as string[])
  .option('--no-check-files', 'check the workflow only, not that its input files exist')
  .action(async (file: string, o: { set: string[]; checkFiles: boolean }) => {
    const { valid } = await loadWorkflow(file, o.set);
    if (o.checkFiles) await checkInputFiles(valid);
    process.stdout.write(`${file}: valid (${valid.order.length} nodes: ${valid.order.map((n) => n.id).join(' → ')})\n`);
  });

program.command('nodes')
  .description('list node types with their ports and params (or only <type>)')
  .argument('[type]', 'show only this node type')
  .option('--json', 'machine-readable output')
  .option('--plugin <spec>', 'also load a plugin (folder or package)', (v: string, acc: string[]) => [...acc, v], [] as string[])
  .action(async (only: string | undefined, o: { json?: boolean; plugin: string[] }) => {
    const registry = await createRegistry();
    const { loadPlugin } = await import('../../engine/core/plugins.js');
    for (const p of o.plugin) await loadPlugin(registry, p, process.cwd());
    const types = pickTypes(registry.all(), only).map((t) => ({
      type: t.type, kind: t.kind, version: t.version, description: t.description, origin: registry.origin(t.type),
      inputs: t.inputs, outputs: t.outputs, params: t.params.properties,
    }));
    if (o.json) { process.stdout.write(JSON.stringify(types, null, 2) + '\n'); return; }
    for (const t of types) {
      process.stdout.write(`${t.type}  [${t.kind}, v${t.version}]  ${t.description}\n`);
      for (const [k, p] of Object.entries(t.inputs)) process.stdout.write(`  in  ${k}: ${p.type}${p.optional ? ' (optional)' : ''}  ${p.description}\n`);
      for (const [k, p] of Object.entries(t.outputs)) process.stdout.write(`  out ${k}: ${p.type}  ${p.description}\n`);
      for (const [k, p] of Object.entries(t.params)) {
        const d = 'default' in p ? ` = ${JSON.stringify(p.default)}` : '';
        process.stdout.write(`  param ${k}${d}  ${(p.description as string | undefined) ?? ''}\n`);
      }
    }
  });

program.command('schema')
  .description('print the JSON Schema of workflows for all built-in node types')
  .action(async () => {
    process.stdout.write(JSON.stringify(composeSchema(await createRegistry()), null, 2) + '\n');
  });

function rangeArg(s: string): [number | null, number | null] {
  const m = /^(-?\d*):(-?\d*)$/.exec(s);
  if (!m) throw new InvalidArgumentError(`expected start:end (either may be empty; negative counts from the end), got '${s}'`);
  return [m[1] === '' ? null : Number(m[1]), m[2] === '' ? null : Number(m[2])];
}

program.command('info')
  .description('shape, data type, voxel size and format of a volume (file or per-plane pattern)')
  .argument('<file>', 'volume file, or a pattern such as "ch00\\d{3}.tif"')
  .option('--json', 'machine-readable output')
  .option('--channel <n>', 'channel of a multi-channel file (ImageJ hyperstack, Imaris, OME-Zarr)', Number)
  .option('--level <n>', 'resolution level (Imaris, OME-Zarr)', Number)
  .option('--timepoint <n>', 'time point (Imaris, OME-Zarr)', Number)
  .action(async (file: string, o: { json?: boolean; channel?: number; level?: number; timepoint?: number }) => {
    const { openVolume } = await import('../../nodes/io/lib/formats.js');
    const v = await openVolume(file, { channel: o.channel, level: o.level, timepoint: o.timepoint });
    // what the file records: null (JSON) / 'unknown' (text) where it says nothing
    const info = { file: resolve(file), format: v.format, shape: v.shape, dtype: v.dtype, voxelSize: v.fileVoxelSize, files: v.files.length };
    if (o.json) process.stdout.write(JSON.stringify(info) + '\n');
    else process.stdout.write(`${info.file}\n  format ${info.format} (${info.files} file${info.files === 1 ? '' : 's'})\n  shape [x, y, z] = [${info.shape.join(', ')}]\n  dtype ${info.dtype}\n  voxel size ${info.voxelSize.map((x) => x ?? 'unknown').join(' x ')} µm\n`);
  });

program.command('convert')
  .description('convert a volume (or a sub-range) to another format, slab by slab: TIFF stack, per-plane TIFFs, MHD/RAW, NRRD')
  .argument('<in>', 'source volume or pattern')
  .argument('<out>', 'destination (.tif, .mhd, .nrrd, or a pattern such as "Z\\d{4}.tif")')
  .option('--x <a:b>', 'x range', rangeArg).option('--y <a:b>', 'y range', rangeArg).option('--z <a:b>', 'z range', rangeArg)
  .option('--voxel-size <x,y,z>', 'voxel size in µm (overrides the file)', (s: string) => s.split(',').map(Number) as [number, number, number])
  .action(async (src: string, dest: string, o: { x?: [number | null, number | null]; y?: [number | null, number | null]; z?: [number | null, number | null]; voxelSize?: [number, number, number] }) => {
    const { convertVolume } = await import('../../nodes/io/lib/convert.js');
    const files = await convertVolume(src, dest, { range: { x: o.x, y: o.y, z: o.z }, voxelSize: o.voxelSize });
    process.stdout.write(`wrote ${files.join(', ')}\n`);
  });

registerCacheCommands(program);
registerCacheWhy(program);
registerVersion(program);

registerWorkerCommand(program);
registerTaskCommand(program);
registerSweep(program);
registerInit(program);
registerAtlasCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof WorkflowError) {
    process.stderr.write(e.message + '\n');
    process.exitCode = 2;
  } else if (e instanceof UsageError) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exitCode = 2;
  } else if (e instanceof NodeError) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`error: ${messageOf(e)}\n`);
    process.exitCode = 1;
  }
}
