// Executes a validated workflow: cache keys, fusion of consecutive chunk nodes (planner, plan.ts),
// parallel execution of independent nodes, chunk tasks on an executor (local threads, SLURM or
// BullMQ, executor.ts) with bounded concurrency, joins of chunk files (join.ts), atomic cache commits.
import { basename, dirname, resolve } from 'node:path';
import { defer, from, lastValueFrom, mergeMap, Subject, toArray } from 'rxjs';
import type { Artefact } from '../core/artefacts.js';
import type { NodeContext, PoolTask } from '../core/node-type.js';
import { EVENT_SINK, type EngineEvent, type NodeSummary, type RunSummary } from '../core/events.js';
import { NodeError, UsageError, messageOf } from '../core/errors.js';
import { checkWritableDir, sweepOutTemps } from '../core/out-path.js';
import { CacheStore } from '../cache/store.js';
import { computeKeyParts } from '../cache/keys.js';
import type { ChunkGeometry } from '../data/chunk.js';
import { readRegion } from '../data/read.js';
import type { ResolvedNode, ValidWorkflow } from '../workflow/validate.js';
import { LocalExecutor } from './pool.js';
import type { Executor } from './executor.js';
import { readChunkPayload } from './chunk-file.js';
import type { ChunkTask } from './chunk-task.js';
import { planChain } from './plan.js';
import { planUnits, stageLinks, type Unit } from './units.js';
import { checkOutputs, joinChain } from './join.js';

export interface RunOptions {
  cacheDir: string;
  outDir: string;
  workers: number;
  events?: Subject<EngineEvent>;
  signal?: AbortSignal;
  /** Where chunk tasks run (default: a local threads pool of `workers`); closed when the run ends. */
  executor?: Executor;
  /** Re-hash every cached file this run uses instead of trusting size + mtime. */
  verify?: boolean;
}

/** runWorkflow's result: the summary, plus each node's output artefacts for programs embedding the engine. */
export interface RunResult extends RunSummary {
  /** nodeId -> port -> artefact, for the nodes that finished (not serialised into --summary files). */
  outputs: Map<string, Record<string, Artefact>>;
}

/** Upper bound on worker threads (each holds a slab in memory; more is a typo). */
export const MAX_WORKERS = 1024;

export async function runWorkflow(wf: ValidWorkflow, opts: RunOptions): Promise<RunResult> {
  const t0 = performance.now();
  const events = opts.events ?? new Subject<EngineEvent>();
  const emit = eventEmitter(events, wf);
  const baseDir = dirname(resolve(wf.file));
  let cache: CacheStore;
  let keys: Map<string, string>;
  let keyParts: Awaited<ReturnType<typeof computeKeyParts>>;
  try {
    if (!(opts.workers <= MAX_WORKERS)) throw new UsageError(`workers: ${opts.workers} is more than ${MAX_WORKERS} worker threads`);
    prepareFolders(wf, resolve(opts.cacheDir), resolve(opts.outDir));
    cache = new CacheStore(resolve(opts.cacheDir));
    cache.sweepTemps();
    keyParts = await computeKeyParts(wf, baseDir, resolve(opts.outDir));
    keys = new Map([...keyParts].map(([id, v]) => [id, v.key]));
  } catch (e) {
    await opts.executor?.close(); // the run owns the executor it was given, even when it cannot start
    throw e;
  }
  const executor: Executor = opts.executor ?? new LocalExecutor(Math.max(1, opts.workers), wf.workflow.settings?.localWorkers);
  const units = planUnits(wf);
  const summaries = new Map<string, NodeSummary>(wf.order.map((n) => [n.id, { id: n.id, type: n.type.type, status: 'skipped', seconds: 0 }]));
  const results = new Map<string, Promise<Record<string, Artefact>>>();
  const unitOf = new Map<string, Unit>();
  for (const u of units) for (const n of u.nodes) unitOf.set(n.id, u);
  emit({ event: 'run-start', workflow: wf.file, nodes: wf.order.length, workers: executor.size, cache: cache.root, executor: executor.kind });

  const settings = wf.workflow.settings ?? {};

  const inputsOf = async (n: ResolvedNode): Promise<Record<string, Artefact | undefined>> => {
    const out: Record<string, Artefact | undefined> = {};
    for (const [port, src] of Object.entries(n.inputs)) out[port] = (await resultOf(src.node))[src.port];
    return out;
  };

  // scratch directories handed out by ctx.tempDir, by the node run's workDir: removed when it ends
  const scratch = new Map<string, string[]>();
  const dropScratch = (workDir: string) => {
    for (const d of scratch.get(workDir) ?? []) cache.removeScratchDir(d);
    scratch.delete(workDir);
  };

  const makeCtx = (n: ResolvedNode, workDir: string): NodeContext => ({
    nodeId: n.id,
    workDir,
    baseDir,
    outDir: resolve(opts.outDir),
    workers: executor.size,
    log: (message) => emit({ event: 'log', node: n.id, message }),
    progress: (done, total) => emit({ event: 'progress', node: n.id, done, total }),
    readVolume: (ref, region, opts) => readRegion(ref, region, opts),
    parallel: <T>(tasks: PoolTask[]) => Promise.all(tasks.map((t) => executor.runTask<T>(t))),
    signal: opts.signal ?? new AbortController().signal,
    services: wf.services,
    tempDir: (label) => {
      const dir = cache.newScratchDir(label);
      (scratch.get(workDir) ?? scratch.set(workDir, []).get(workDir)!).push(dir);
      return dir;
    },
  });

  const runUnit = async (u: Unit): Promise<Record<string, Artefact>> => {
    const last = u.last;
    const key = keys.get(last.id)!;
    const loaded = await cache.load(key, { full: opts.verify });
    if (loaded.status === 'corrupt') emit({ event: 'cache-corrupt', node: last.id, reason: loaded.reason });
    const useCached = (hit: Extract<typeof loaded, { status: 'hit' }>) => {
      const computedSeconds = hit.manifest.computedSeconds;
      for (const n of u.nodes) {
        summaries.set(n.id, { id: n.id, type: n.type.type, status: 'cached', seconds: 0, ...(computedSeconds !== undefined ? { computedSeconds } : {}) });
        emit({ event: 'node-cached', node: n.id, type: n.type.type, ...(computedSeconds !== undefined ? { computedSeconds } : {}) });
      }
      return hit.outputs;
    };
    if (loaded.status === 'hit') return useCached(loaded);
    // inputs first: the chain's head takes the stream input; every stage may have other inputs too
    const inputs = await inputsOf(u.nodes[0]);
    const stageInputs = new Map<string, Record<string, Artefact | undefined>>();
    for (const n of u.nodes) {
      // ports fed inside the chunk (earlier stages, the source slab) are not resolved as whole artefacts
      const linked = stageLinks(u, n);
      const all = n === u.nodes[0] ? inputs : await inputsOf({ ...n, inputs: Object.fromEntries(Object.entries(n.inputs).filter(([port]) => !(port in linked))) });
      stageInputs.set(n.id, Object.fromEntries(Object.entries(all).filter(([port]) => port !== 'input' && !(port in linked))));
    }
    const start = performance.now();
    const workDir = cache.newWorkDir(key);
    const ctx = makeCtx(last, workDir);
    for (const n of u.nodes) emit({ event: 'node-start', node: n.id, type: n.type.type });
    let chunkStats: NodeSummary['chunks'];
    try {
      // a wired input whose source did not produce that (optional) output, e.g. an atlas without a reference image
      for (const n of u.nodes) {
        const got = n === u.nodes[0] ? inputs : stageInputs.get(n.id) ?? {};
        for (const [port, src] of Object.entries(n.inputs)) {
          if (port in got && !got[port] && !n.type.inputs[port]?.optional) throw new NodeError(n.id, n.type.type, `input '${port}' is wired to '${src.node}.${src.port}', which node '${src.node}' did not produce (an optional output)`);
        }
      }
      let outputs: Record<string, Artefact>;
      let external: string[] = [];
      if (last.type.kind === 'chunk') {
        const r = await runChain(u, inputs, stageInputs, key, workDir, ctx);
        outputs = r.outputs;
        chunkStats = r.chunks;
      } else {
        outputs = await last.type.run(inputs, last.params, ctx);
        checkOutputs(last, outputs);
        if (last.type.producesFiles) external = Object.values(outputs).flatMap((a) => (a.kind === 'file' ? a.files ?? [a.path] : [])).filter((p) => !p.startsWith(workDir));
      }
      dropScratch(workDir);
      const computedSeconds = (performance.now() - start) / 1000;
      const committed = await cache.commit(key, workDir, last.type.type, last.type.version, outputs, external, { nodeId: last.id, workflow: resolve(wf.file), computedSeconds, keyParts: keyParts.get(last.id)!.parts, inputNodes: Object.fromEntries(Object.entries(last.inputs).map(([port, src]) => [port, src.node])) });
      // chunk files are no longer needed once the node is committed (kept while another live run uses them)
      if (last.type.kind === 'chunk') cache.chunkDir(key).removeIfUnused();
      const seconds = (performance.now() - start) / 1000;
      for (const n of u.nodes) {
        summaries.set(n.id, { id: n.id, type: n.type.type, status: 'computed', seconds, ...(chunkStats ? { chunks: chunkStats } : {}) });
        emit({ event: 'node-done', node: n.id, type: n.type.type, seconds });
      }
      return committed;
    } catch (e) {
      dropScratch(workDir);
      cache.abandon(workDir);
      // a concurrent run committed this node first (and may have removed the shared chunks): use its entry
      if (last.type.kind === 'chunk' && cache.has(key)) {
        const winner = await cache.load(key);
        if (winner.status === 'hit') return useCached(winner);
      }
      const err = e instanceof NodeError ? e : new NodeError(last.id, last.type.type, messageOf(e), { cause: e });
      for (const n of u.nodes) {
        summaries.set(n.id, { id: n.id, type: n.type.type, status: 'failed', seconds: (performance.now() - start) / 1000, error: err.message, ...(chunkStats ? { chunks: chunkStats } : {}) });
        emit({ event: 'node-failed', node: n.id, type: n.type.type, error: err.message });
      }
      throw err;
    }
  };

  const resultOf = (id: string): Promise<Record<string, Artefact>> => {
    let p = results.get(id);
    if (!p) {
      const u = unitOf.get(id)!;
      p = runUnit(u);
      for (const n of u.nodes) results.set(n.id, p);
    }
    return p;
  };

  // ---- chunk chains: plan (planner), run each chunk (executor), join the chunk files (joiner) -----
  const runChain = async (u: Unit, inputs: Record<string, Artefact | undefined>, stageInputs: Map<string, Record<string, Artefact | undefined>>, key: string, workDir: string, ctx: NodeContext) => {
    const plan = planChain(u, inputs, stageInputs, { key, chunksDir: cache.chunksDir, baseDir, workers: executor.size, memoryPerTask: await executor.memoryPerTask(), settings });
    for (const line of plan.described) ctx.log(line);
    if (plan.warning) ctx.log(plan.warning);
    const { geometries, fileOf } = plan;
    const chunkDir = cache.chunkDir(key).open();
    try {
    const nameOf = (g: ChunkGeometry) => basename(fileOf(g));
    for (const n of u.nodes) emit({ event: 'node-start', node: n.id, type: n.type.type, chunks: geometries.length });

    // resume: chunks finished by an interrupted run (or by another run on this cache) are verified and reused
    const todo: ChunkGeometry[] = [];
    let cached = 0;
    for (const g of geometries) {
      if (readChunkPayload(fileOf(g))) {
        cached++;
        emit({ event: 'chunk-done', node: u.last.id, index: g.index, count: g.count, cached: true, seconds: 0 });
      } else todo.push(g);
    }
    let done = cached;
    let computed = 0;
    let queued = 0;
    let running = 0;
    let regrown = 0; // chunks whose read window had to grow until their points were decided
    let patched = 0; // chunks that recomputed undecided parts of their core on small windows
    const state = () => emit({ event: 'chunk-state', node: u.last.id, queued, running, executor: executor.kind });
    // bounded concurrency: locally a chunk is read inside the worker, so at most `workers` slabs are alive
    const run$ = from(todo).pipe(
      mergeMap((g) => defer(async () => {
        // another run sharing the cache committed the node: stop (runUnit then loads its entry)
        if (chunkDir.superseded()) throw new Error(`node committed by a concurrent run`);
        // or computed this chunk already
        if (chunkDir.complete(nameOf(g))) {
          cached++;
          done++;
          emit({ event: 'chunk-done', node: u.last.id, index: g.index, count: g.count, cached: true, seconds: 0 });
          ctx.progress(done, geometries.length);
          return g.index;
        }
        const task: ChunkTask = { source: plan.source, geometry: g, stages: plan.stages, chunkFile: fileOf(g) };
        let phase: 'new' | 'queued' | 'running' = 'new';
        const r = await executor.run({ id: plan.jobIdOf(g), node: u.last.id, task }, {
          onState: (s) => {
            if (s === phase) return;
            if (phase === 'queued') queued--;
            if (phase === 'running') running--;
            if (s === 'queued') queued++; else running++;
            phase = s;
            state();
          },
        }).finally(() => {
          if (phase === 'queued') queued--;
          if (phase === 'running') running--;
          if (phase !== 'new') state();
        });
        done++;
        computed++;
        if ((r.windows ?? 1) > 1) regrown++;
        if (r.patches) patched++;
        emit({ event: 'chunk-done', node: u.last.id, index: g.index, count: g.count, cached: false, seconds: r.seconds, ...(r.host !== undefined ? { host: r.host, pid: r.pid } : {}) });
        ctx.progress(done, geometries.length);
        return g.index;
      }), Math.max(1, executor.inFlight)),
      toArray(),
    );
    await lastValueFrom(run$, { defaultValue: [] });
    const chunks = { computed, cached, total: geometries.length, ...(regrown ? { regrown } : {}), ...(patched ? { patched } : {}), ...(geometries.some((g) => g.tile) ? { tiles: true } : {}) };
    return { outputs: await joinChain(u, plan, workDir, ctx), chunks };
    } finally {
      chunkDir.close();
    }
  };

  const failures: Error[] = [];
  try {
    await Promise.all(wf.order.map(async (n) => {
      // a node whose upstream failed is reported as skipped, not as a second failure
      try {
        await resultOf(n.id);
      } catch (e) {
        if (unitOf.get(n.id)!.nodes.some((m) => summaries.get(m.id)!.status === 'failed')) {
          if (!failures.includes(e as Error)) failures.push(e as Error);
        } else {
          emit({ event: 'node-skipped', node: n.id, type: n.type.type, reason: 'an upstream node failed' });
        }
      }
    }));
  } finally {
    await executor.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const ok = failures.length === 0;
  emit({ event: 'run-done', seconds, ok });
  const outputs = new Map<string, Record<string, Artefact>>();
  for (const n of wf.order) {
    const u = unitOf.get(n.id)!;
    if (u.last === n && summaries.get(n.id)!.status !== 'failed' && summaries.get(n.id)!.status !== 'skipped') outputs.set(n.id, await results.get(n.id)!);
  }
  const summary: RunResult = { workflow: wf.file, ok, nodes: wf.order.map((n) => summaries.get(n.id)!), seconds, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024), outputs };
  Object.defineProperty(summary, 'outputs', { enumerable: false }); // keeps JSON.stringify(summary) to the summary
  return summary;
}

/** The run's emit(): its event stream, then the EVENT_SINK service when a plugin binds one. */
function eventEmitter(events: Subject<EngineEvent>, wf: ValidWorkflow): (e: EngineEvent) => void {
  const sink = wf.services.find(EVENT_SINK);
  if (!sink) return (e) => events.next(e);
  let failed = false;
  return (e) => {
    events.next(e);
    if (failed) return;
    try {
      sink.emit(e);
    } catch (err) {
      failed = true; // a broken log sink must not fail the analysis
      events.next({ event: 'log', message: `event sink '${sink.id}' failed (${messageOf(err)}); it gets no further events in this run` });
    }
  };
}

/** Before any compute: --cache (and --out, if a node writes results) must be writable; dead runs' temps in --out go. */
function prepareFolders(wf: ValidWorkflow, cacheDir: string, outDir: string): void {
  try {
    checkWritableDir(cacheDir, 'cache folder (--cache)');
    if (wf.order.some((n) => n.type.kind === 'whole' && n.type.producesFiles)) {
      checkWritableDir(outDir, 'output folder (--out)');
      sweepOutTemps(outDir);
    }
  } catch (e) {
    throw new UsageError(messageOf(e));
  }
}
