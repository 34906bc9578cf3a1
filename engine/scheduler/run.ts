// Executes a validated workflow: cache keys, fusion of consecutive chunk nodes, parallel execution of
// independent nodes, chunk streams over the worker pool with bounded concurrency, atomic cache commits.
import { mkdirSync, rmSync, openSync, closeSync, writeSync, readSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { deserialize } from 'node:v8';
import { defer, from, lastValueFrom, mergeMap, Subject, toArray } from 'rxjs';
import type { Artefact, VolumeRef } from '../core/artefacts.js';
import type { ChunkNodeType, NodeContext, PoolTask } from '../core/node-type.js';
import type { EngineEvent, NodeSummary, RunSummary } from '../core/events.js';
import { NodeError, messageOf } from '../core/errors.js';
import { CacheStore } from '../cache/store.js';
import { computeKeys } from '../cache/keys.js';
import { planChunks, type ChunkGeometry } from '../data/chunk.js';
import { concatPoints, selectPoints, type Points } from '../data/points.js';
import { bytesPerVoxel, type DType } from '../data/volume.js';
import { rawVolumeRef, writeMhdHeader } from '../data/raw-volume.js';
import { readRegion } from '../data/read.js';
import type { ResolvedNode, ValidWorkflow } from '../workflow/validate.js';
import type { WorkflowSettings } from '../workflow/format.js';
import { ChunkPool } from './pool.js';
import { readChunkHeader, readChunkPayload } from './chunk-file.js';
import type { ChunkTask, StageSpec } from './chunk-task.js';

export interface RunOptions {
  cacheDir: string;
  outDir: string;
  workers: number;
  events?: Subject<EngineEvent>;
  signal?: AbortSignal;
}

/** runWorkflow's result: the summary, plus each node's output artefacts for programs embedding the engine. */
export interface RunResult extends RunSummary {
  /** nodeId -> port -> artefact, for the nodes that finished (not serialised into --summary files). */
  outputs: Map<string, Record<string, Artefact>>;
}

/** ClearMap's default largest chunk; the memory budget usually decides first on full-size planes. */
const DEFAULT_CHUNK_SIZE_MAX = 100;
const DEFAULT_CHUNK_SIZE_MIN = 1;
const MAX_OVERLAP_SHARE = 0.15;
const DEFAULT_WORKING_BYTES_PER_VOXEL = 8;

interface Unit {
  /** Nodes of a fused chain in order (a single node for whole nodes and lone chunk nodes). */
  nodes: ResolvedNode[];
  last: ResolvedNode;
}

export async function runWorkflow(wf: ValidWorkflow, opts: RunOptions): Promise<RunResult> {
  const t0 = performance.now();
  const events = opts.events ?? new Subject<EngineEvent>();
  const emit = (e: EngineEvent) => events.next(e);
  const cache = new CacheStore(resolve(opts.cacheDir));
  cache.sweepTemps();
  const baseDir = dirname(resolve(wf.file));
  const pool = new ChunkPool(Math.max(1, opts.workers));
  const keys = await computeKeys(wf, baseDir, resolve(opts.outDir));
  const units = planUnits(wf);
  const summaries = new Map<string, NodeSummary>(wf.order.map((n) => [n.id, { id: n.id, type: n.type.type, status: 'skipped', seconds: 0 }]));
  const results = new Map<string, Promise<Record<string, Artefact>>>();
  const unitOf = new Map<string, Unit>();
  for (const u of units) for (const n of u.nodes) unitOf.set(n.id, u);
  emit({ event: 'run-start', workflow: wf.file, nodes: wf.order.length, workers: pool.size, cache: cache.root });

  const settings = wf.workflow.settings ?? {};

  const inputsOf = async (n: ResolvedNode): Promise<Record<string, Artefact | undefined>> => {
    const out: Record<string, Artefact | undefined> = {};
    for (const [port, src] of Object.entries(n.inputs)) out[port] = (await resultOf(src.node))[src.port];
    return out;
  };

  const makeCtx = (n: ResolvedNode, workDir: string): NodeContext => ({
    nodeId: n.id,
    workDir,
    baseDir,
    outDir: resolve(opts.outDir),
    workers: pool.size,
    log: (message) => emit({ event: 'log', node: n.id, message }),
    progress: (done, total) => emit({ event: 'progress', node: n.id, done, total }),
    readVolume: (ref, region) => readRegion(ref, region),
    parallel: <T>(tasks: PoolTask[]) => Promise.all(tasks.map((t) => pool.runTask<T>(t))),
    signal: opts.signal ?? new AbortController().signal,
  });

  const runUnit = async (u: Unit): Promise<Record<string, Artefact>> => {
    const last = u.last;
    const key = keys.get(last.id)!;
    const loaded = await cache.load(key);
    if (loaded.status === 'corrupt') emit({ event: 'cache-corrupt', node: last.id, reason: loaded.reason });
    if (loaded.status === 'hit') {
      for (const n of u.nodes) {
        summaries.set(n.id, { id: n.id, type: n.type.type, status: 'cached', seconds: 0 });
        emit({ event: 'node-cached', node: n.id, type: n.type.type });
      }
      return loaded.outputs;
    }
    // inputs first: the chain's head takes the stream input; every stage may have other inputs too
    const inputs = await inputsOf(u.nodes[0]);
    const stageInputs = new Map<string, Record<string, Artefact | undefined>>();
    for (const n of u.nodes) {
      const all = n === u.nodes[0] ? inputs : await inputsOf({ ...n, inputs: Object.fromEntries(Object.entries(n.inputs).filter(([port]) => port !== 'input')) });
      stageInputs.set(n.id, Object.fromEntries(Object.entries(all).filter(([port]) => port !== 'input')));
    }
    const start = performance.now();
    const workDir = cache.newWorkDir(key);
    const ctx = makeCtx(last, workDir);
    for (const n of u.nodes) emit({ event: 'node-start', node: n.id, type: n.type.type });
    let chunkStats: NodeSummary['chunks'];
    try {
      let outputs: Record<string, Artefact>;
      let external: string[] = [];
      if (last.type.kind === 'chunk') {
        const r = await runChain(u, inputs, stageInputs, key, workDir, ctx);
        outputs = r.outputs;
        chunkStats = r.chunks;
      } else {
        outputs = await last.type.run(inputs, last.params, ctx);
        checkOutputs(last, outputs);
        if (last.type.producesFiles) external = Object.values(outputs).filter((a) => a.kind === 'file' && !a.path.startsWith(workDir)).map((a) => (a as { path: string }).path);
      }
      const committed = await cache.commit(key, workDir, last.type.type, last.type.version, outputs, external);
      if (last.type.kind === 'chunk') rmSync(join(cache.chunksDir, key), { recursive: true, force: true });
      const seconds = (performance.now() - start) / 1000;
      for (const n of u.nodes) {
        summaries.set(n.id, { id: n.id, type: n.type.type, status: 'computed', seconds, ...(chunkStats ? { chunks: chunkStats } : {}) });
        emit({ event: 'node-done', node: n.id, type: n.type.type, seconds });
      }
      return committed;
    } catch (e) {
      cache.abandon(workDir);
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

  // ---- chunk chains -------------------------------------------------------------------------------
  const runChain = async (u: Unit, inputs: Record<string, Artefact | undefined>, stageInputs: Map<string, Record<string, Artefact | undefined>>, key: string, workDir: string, ctx: NodeContext) => {
    const source = inputs.input as VolumeRef | undefined;
    const head = u.nodes[0];
    if (!source || source.kind !== 'volume') throw new NodeError(head.id, head.type.type, 'input is not a volume');
    const stages: StageSpec[] = u.nodes.map((n) => {
      const t = n.type as ChunkNodeType;
      return { nodeId: n.id, nodeType: t.type, module: t.kernel.module, export: t.kernel.export, params: n.params, produces: t.produces, context: { inputs: stageInputs.get(n.id) ?? {}, baseDir } };
    });
    const overlap = u.nodes.reduce((s, n) => s + Math.max(0, Math.ceil((n.type as ChunkNodeType).overlap(n.params, stageInputs.get(n.id)))), 0);
    const [X, Y, Z] = source.shape;
    const sizeMax = chunkSizeLimit(u, X * Y, bytesPerVoxel(source.dtype), overlap, pool.size, settings);
    if (sizeMax < overlap) ctx.log(`memory allows only ${sizeMax}-plane chunks for an overlap of ${overlap} planes each side: most of each slab is overlap; raise settings.workerMemoryMax or use fewer workers`);
    // planChunks splits for more workers only when that finishes sooner, overlap included
    const sizeMin = settings.chunkSizeMin ?? DEFAULT_CHUNK_SIZE_MIN;
    const geometries = planChunks(Z, { overlap, sizeMin, sizeMax, workers: pool.size });
    const chunkDir = join(cache.chunksDir, key);
    mkdirSync(chunkDir, { recursive: true });
    const fileOf = (g: ChunkGeometry) => join(chunkDir, `${g.core[0]}-${g.core[1]}_read${g.read[0]}-${g.read[1]}.chunk`);
    for (const n of u.nodes) emit({ event: 'node-start', node: n.id, type: n.type.type, chunks: geometries.length });

    // resume: chunks finished by an interrupted run are verified and reused
    const todo: ChunkGeometry[] = [];
    let cached = 0;
    for (const g of geometries) {
      if (readChunkPayload(fileOf(g))) {
        cached++;
        emit({ event: 'chunk-done', node: u.last.id, index: g.index, count: g.count, cached: true, seconds: 0 });
      } else todo.push(g);
    }
    let done = cached;
    // bounded concurrency: a chunk is read inside the worker, so at most `workers` slabs are alive
    const run$ = from(todo).pipe(
      mergeMap((g) => defer(async () => {
        const task: ChunkTask = { source, geometry: g, stages, chunkFile: fileOf(g) };
        const r = await pool.run(task);
        done++;
        emit({ event: 'chunk-done', node: u.last.id, index: g.index, count: g.count, cached: false, seconds: r.seconds });
        ctx.progress(done, geometries.length);
        return g.index;
      }), pool.size),
      toArray(),
    );
    await lastValueFrom(run$, { defaultValue: [] });
    const chunks = { computed: todo.length, cached, total: geometries.length };
    const lastType = u.last.type as ChunkNodeType;
    const outPort = Object.keys(lastType.outputs)[0];
    if (lastType.produces === 'volume') {
      const dtype = readChunkHeader(fileOf(geometries[0]))!.header.dtype as DType;
      const raw = join(workDir, 'volume.raw');
      concatChunks(geometries.map(fileOf), raw);
      writeMhdHeader(join(workDir, 'volume.mhd'), 'volume.raw', [X, Y, Z], dtype, source.voxelSize);
      const ref = rawVolumeRef(raw, [X, Y, Z], dtype, source.voxelSize);
      return { outputs: { [outPort]: ref } as Record<string, Artefact>, chunks };
    }
    const payloads = geometries.map((g) => {
      const c = readChunkPayload(fileOf(g));
      if (!c) throw new Error(`chunk file ${fileOf(g)} vanished or is corrupt`);
      return deserialize(c.payload) as unknown;
    });
    if (lastType.produces === 'points') {
      const points = sortPoints(concatPoints(payloads as Points[]));
      return { outputs: { [outPort]: { kind: 'points', points, voxelSize: source.voxelSize } } as Record<string, Artefact>, chunks };
    }
    if (!lastType.join) throw new Error(`chunk node type '${lastType.type}' produces 'reduce' but has no join()`);
    const outputs = await lastType.join(payloads, u.last.params, ctx);
    checkOutputs(u.last, outputs);
    return { outputs, chunks };
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
    await pool.close();
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

/**
 * Largest chunk core (planes) such that one worker's slab (core + 2 x overlap planes) times the chain's
 * working bytes per voxel fits the per-worker memory budget, capped by chunkSizeMax / chunkBytesMax.
 */
function chunkSizeLimit(u: Unit, planeVoxels: number, inputBytes: number, overlap: number, workers: number, settings: WorkflowSettings): number {
  const working = Math.max(...u.nodes.map((n) => (n.type as ChunkNodeType).workingBytesPerVoxel?.(n.params) ?? DEFAULT_WORKING_BYTES_PER_VOXEL));
  const budget = settings.workerMemoryMax ?? Math.floor((0.6 * totalmem()) / workers);
  let planes = Math.floor(budget / (planeVoxels * (inputBytes + working))) - 2 * overlap;
  if (settings.chunkBytesMax) planes = Math.min(planes, Math.floor(settings.chunkBytesMax / (planeVoxels * inputBytes)) - 2 * overlap);
  // by default cores are long enough that the re-read overlap stays <= MAX_OVERLAP_SHARE of the work
  const cap = settings.chunkSizeMax ?? Math.max(DEFAULT_CHUNK_SIZE_MAX, Math.ceil((2 * overlap) / MAX_OVERLAP_SHARE));
  return Math.max(1, Math.min(cap, planes));
}

/**
 * Fuse consecutive chunk nodes: a chunk node joins its producer's chain when the producer is a
 * chunk node producing a volume that nothing else consumes (and that is not marked materialize).
 */
function planUnits(wf: ValidWorkflow): Unit[] {
  const consumers = new Map<string, number>();
  for (const n of wf.order) for (const s of Object.values(n.inputs)) consumers.set(s.node, (consumers.get(s.node) ?? 0) + 1);
  const unitOf = new Map<string, Unit>();
  const units: Unit[] = [];
  for (const n of wf.order) {
    const src = n.inputs.input ? wf.byId.get(n.inputs.input.node) : undefined;
    const fusable = n.type.kind === 'chunk' && src && src.type.kind === 'chunk' && src.type.produces === 'volume'
      && consumers.get(src.id) === 1 && !src.spec.materialize;
    if (fusable) {
      const u = unitOf.get(src.id)!;
      u.nodes.push(n);
      u.last = n;
      unitOf.set(n.id, u);
    } else {
      const u = { nodes: [n], last: n };
      units.push(u);
      unitOf.set(n.id, u);
    }
  }
  return units;
}

function checkOutputs(n: ResolvedNode, outputs: Record<string, Artefact>): void {
  for (const [port, spec] of Object.entries(n.type.outputs)) {
    const a = outputs[port];
    if (!a) throw new NodeError(n.id, n.type.type, `produced no '${port}' output`);
    if (a.kind !== spec.type) throw new NodeError(n.id, n.type.type, `output '${port}' should be ${spec.type} but is ${a.kind}`);
  }
}

/** Points in a canonical order (z, y, x, then properties) so the list is the same whatever the chunking. */
function sortPoints(p: Points): Points {
  const n = p.coords.length / 3;
  const idx = Array.from({ length: n }, (_, i) => i);
  const c = p.coords;
  const cols = Object.values(p.properties);
  idx.sort((a, b) => (c[3 * a + 2] - c[3 * b + 2]) || (c[3 * a + 1] - c[3 * b + 1]) || (c[3 * a] - c[3 * b])
    || cols.reduce((r, col) => r || col[a] - col[b], 0) || a - b);
  return selectPoints(p, idx);
}

/** Concatenate the payloads of volume chunk files (cores in z order) into one raw file, streaming. */
function concatChunks(files: string[], out: string): void {
  const fd = openSync(out, 'w');
  const buf = Buffer.alloc(1 << 24);
  try {
    let pos = 0;
    for (const f of files) {
      const h = readChunkHeader(f);
      if (!h) throw new Error(`chunk file ${f} is missing or corrupt`);
      const src = openSync(f, 'r');
      try {
        let off = h.payloadOffset;
        let left = h.header.bytes;
        while (left > 0) {
          const n = readSync(src, buf, 0, Math.min(buf.length, left), off);
          if (n === 0) throw new Error(`chunk file ${f} is truncated`);
          writeSync(fd, buf, 0, n, pos);
          pos += n; off += n; left -= n;
        }
      } finally {
        closeSync(src);
      }
    }
  } finally {
    closeSync(fd);
  }
}

