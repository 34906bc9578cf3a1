// SLURM executor: chunk tasks as array jobs. Tasks arriving together (one node's chunks) are written
// as one task list under <cache>/tasks/ (the per-unit part once) and submitted as one array job
// (`sbatch --array=0-N%max`), each element running `clearmap task --list FILE --index
// $SLURM_ARRAY_TASK_ID` with this install's node and CLI (so every node needs the same install path
// and the cache on a shared filesystem). One bulk `squeue` per poll follows all elements; an element
// that left the queue has reported in its status file (or was killed): its failed tasks are
// resubmitted a bounded number of times, then the chunk fails with its node, host and log path.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PoolTask } from '../core/node-type.js';
import { localPool, type LocalWorkerKind, type TaskPool } from './pool.js';
import { readChunkHeader } from './chunk-file.js';
import type { StageSpec } from './chunk-task.js';
import type { ChunkHooks, ChunkJob, ChunkRunResult, Executor } from './executor.js';
import { logDir, statusFile, writeTaskList, writeUnitPart, type ElementStatus, type TaskEntry } from './task-file.js';
import { installRoot } from './task-policy.js';

const exec = promisify(execFile);

export interface SlurmOptions {
  /** The shared cache folder; task lists and logs go to <cache>/tasks/. */
  cacheRoot: string;
  partition?: string;
  account?: string;
  /** Time limit of one array element, in SLURM's syntax (e.g. 30, 1:00:00). */
  time?: string;
  /** Memory of one array element (bytes); chunks are sized from it. */
  memPerTask?: number;
  cpusPerTask?: number;
  /** Elements running at once (`%max` of --array); also the parallelism chunks are planned for. */
  maxParallel?: number;
  /** Extra sbatch arguments, e.g. --qos=short. */
  sbatchArgs?: string[];
  /** Seconds between bulk squeue polls. */
  poll?: number;
  /** Resubmissions of a failed or killed element before its chunk fails. */
  retries?: number;
  /** Chunk tasks one element runs in-process (start-up amortised over them). */
  tasksPerElement?: number;
  /** Plugin roots the elements may import modules from (passed to `clearmap task`). */
  pluginRoots?: string[];
  /** Threads for whole nodes' generic tasks, run on the coordinator. */
  localThreads: number;
  /** What those local workers are (default processes). */
  localWorkers?: LocalWorkerKind;
  log?(message: string): void;
}

interface Pending {
  job: ChunkJob;
  hooks?: ChunkHooks;
  resolve(r: ChunkRunResult): void;
  reject(e: Error): void;
}

interface Element {
  list: string;
  index: number;
  pending: Pending[];
  /** SLURM job id of the array this element was last submitted in. */
  jobId: string;
  attempts: number;
  running: boolean;
}

/** Bytes as SLURM's --mem value (whole MiB, at least 1). */
function memArg(bytes: number): string {
  return `${Math.max(1, Math.ceil(bytes / 2 ** 20))}M`;
}

export class SlurmExecutor implements Executor {
  readonly kind = 'slurm' as const;
  readonly inFlight = 100_000;
  readonly size: number;
  private readonly local: TaskPool;
  private readonly runDir: string;
  private readonly units = new Map<StageSpec[], string>();
  private batch: Pending[] = [];
  private flushTimer?: NodeJS.Timeout;
  private elements: Element[] = [];
  private pollTimer?: NodeJS.Timeout;
  private polling = false;
  private lists = 0;
  private closed = false;
  private failures = 0;

  constructor(private readonly o: SlurmOptions) {
    this.size = Math.max(1, o.maxParallel ?? 16);
    this.local = localPool(Math.max(1, o.localThreads), o.localWorkers);
    this.runDir = join(o.cacheRoot, 'tasks', `${hostname()}-${process.pid}-${Date.now().toString(36)}`);
  }

  async memoryPerTask(): Promise<number | undefined> {
    return this.o.memPerTask;
  }

  run(job: ChunkJob, hooks?: ChunkHooks): Promise<ChunkRunResult> {
    if (this.closed) return Promise.reject(new Error('the SLURM executor is closed'));
    return new Promise((resolve, reject) => {
      this.batch.push({ job, hooks, resolve, reject });
      // tasks issued together (a node's chunks) become one array job
      this.flushTimer ??= setTimeout(() => {
        this.flushTimer = undefined;
        const batch = this.batch;
        this.batch = [];
        this.submitBatch(batch).catch((e: Error) => batch.forEach((p) => p.reject(e)));
      }, 200);
    });
  }

  private async submitBatch(batch: Pending[]): Promise<void> {
    mkdirSync(logDir(join(this.runDir, 'x')), { recursive: true });
    const perElement = Math.max(1, this.o.tasksPerElement ?? 1);
    const tasks: TaskEntry[] = batch.map((p) => {
      let unit = this.units.get(p.job.task.stages);
      if (!unit) {
        unit = `unit-${this.units.size}.v8`;
        writeUnitPart(join(this.runDir, unit), { source: p.job.task.source, stages: p.job.task.stages });
        this.units.set(p.job.task.stages, unit);
      }
      return { id: p.job.id, node: p.job.node, unit, geometry: p.job.task.geometry, chunkFile: p.job.task.chunkFile };
    });
    const list = join(this.runDir, `list-${this.lists++}.v8`);
    writeTaskList(list, { version: 1, perElement, tasks });
    const elements: Element[] = [];
    for (let i = 0; i * perElement < batch.length; i++) {
      elements.push({ list, index: i, pending: batch.slice(i * perElement, (i + 1) * perElement), jobId: '', attempts: 0, running: false });
    }
    await this.submit(list, elements);
    this.elements.push(...elements);
    this.schedulePoll();
  }

  private async submit(list: string, elements: Element[]): Promise<void> {
    const o = this.o;
    const indices = elements.map((e) => e.index);
    const contiguous = indices.every((x, i) => x === indices[0] + i);
    const range = contiguous ? `${indices[0]}-${indices[indices.length - 1]}` : indices.join(',');
    const plugins = (o.pluginRoots ?? []).map((p) => ` --allow-plugins ${shellQuote(p)}`).join('');
    const cmd = `exec ${shellQuote(process.execPath)} ${shellQuote(join(installRoot(), 'bin', 'clearmap.js'))} task --list ${shellQuote(list)} --index "$SLURM_ARRAY_TASK_ID"${plugins}`;
    const args = [
      '--parsable', `--array=${range}%${this.size}`, '--job-name=clearmap', `--output=${join(logDir(list), '%A_%a.log')}`,
      ...(o.partition ? [`--partition=${o.partition}`] : []),
      ...(o.account ? [`--account=${o.account}`] : []),
      ...(o.time ? [`--time=${o.time}`] : []),
      ...(o.memPerTask ? [`--mem=${memArg(o.memPerTask)}`] : []),
      ...(o.cpusPerTask ? [`--cpus-per-task=${o.cpusPerTask}`] : []),
      ...(o.sbatchArgs ?? []),
      `--wrap=${cmd}`,
    ];
    let out: string;
    try {
      out = (await exec('sbatch', args, { encoding: 'utf8' })).stdout;
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: string };
      if (err.code === 'ENOENT') throw new Error('--executor slurm: sbatch was not found; run the coordinator on a machine with the SLURM client commands (sbatch, squeue, scancel)');
      throw new Error(`sbatch failed: ${(err.stderr ?? err.message).trim()}`);
    }
    const jobId = out.trim().split(';')[0];
    if (!/^\d+$/.test(jobId)) throw new Error(`sbatch printed no job id: '${out.trim()}'`);
    for (const e of elements) {
      e.jobId = jobId;
      e.running = false;
      for (const p of e.pending) p.hooks?.onState?.('queued');
    }
    o.log?.(`submitted SLURM array job ${jobId} (${elements.length} element${elements.length === 1 ? '' : 's'}, at most ${this.size} at once; logs in ${logDir(list)})`);
  }

  private schedulePoll(): void {
    if (this.pollTimer || this.closed) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      this.poll().catch((e: Error) => this.o.log?.(`squeue poll failed: ${e.message}`)).finally(() => {
        if (this.elements.length) this.schedulePoll();
      });
    }, Math.max(0.1, this.o.poll ?? 5) * 1000);
  }

  /** One bulk squeue for all outstanding elements, then settle those that left the queue. */
  private async poll(): Promise<void> {
    if (this.polling || !this.elements.length) return;
    this.polling = true;
    try {
      const ids = [...new Set(this.elements.map((e) => e.jobId))];
      const live = new Map<string, { state: string; node: string }>();
      try {
        const { stdout } = await exec('squeue', ['--noheader', '--array', '--format=%F|%K|%T|%N', `--jobs=${ids.join(',')}`], { encoding: 'utf8' });
        for (const line of stdout.split('\n')) {
          const [job, idx, state, node] = line.trim().split('|');
          if (job && idx) live.set(`${job}_${idx}`, { state, node });
        }
      } catch (e) {
        const msg = (e as { stderr?: string }).stderr ?? (e as Error).message;
        if (!/Invalid job id/i.test(msg)) throw new Error(msg.trim());
      }
      const failed = new Map<string, Element[]>();
      for (const el of [...this.elements]) {
        const q = live.get(`${el.jobId}_${el.index}`);
        if (q) {
          if (q.state === 'RUNNING' && !el.running) {
            el.running = true;
            const st = readStatus(el);
            for (const p of el.pending) p.hooks?.onState?.('running', { host: st?.host ?? q.node, pid: st?.pid ?? 0 });
          }
          continue;
        }
        // left the queue: settle what it completed, retry or fail the rest
        const st = readStatus(el);
        const left: Pending[] = [];
        for (const p of el.pending) {
          if (readChunkHeader(p.job.task.chunkFile) && (st?.done.includes(p.job.id) ?? true)) {
            p.resolve({ bytes: 0, seconds: st?.seconds?.[p.job.id] ?? 0, host: st?.host, pid: st?.pid });
          } else left.push(p);
        }
        el.pending = left;
        if (!left.length) {
          this.elements.splice(this.elements.indexOf(el), 1);
          continue;
        }
        el.attempts++;
        const log = join(logDir(el.list), `${el.jobId}_${el.index}.log`);
        const why = st?.state === 'failed' ? st.error : st ? `killed or timed out on ${st.host} (pid ${st.pid}) before finishing` : `ended without starting its tasks${logTail(log)}`;
        if (el.attempts > (this.o.retries ?? 2)) {
          this.elements.splice(this.elements.indexOf(el), 1);
          this.failures++;
          for (const p of left) {
            const g = p.job.task.geometry;
            p.reject(new Error(`node '${p.job.node}' chunk ${g.index + 1}/${g.count} (z ${g.core[0]}–${g.core[1]}) failed ${el.attempts} times on SLURM${st?.host ? `, last on node ${st.host}` : ''}: ${why}; log: ${log}`));
          }
          continue;
        }
        this.o.log?.(`SLURM element ${el.jobId}_${el.index} ${why}; resubmitting (attempt ${el.attempts + 1}); log: ${log}`);
        failed.set(el.list, [...(failed.get(el.list) ?? []), el]);
      }
      for (const [list, els] of failed) {
        for (const el of els) rmSync(statusFile(el.list, el.index), { force: true });
        await this.submit(list, els).catch((e: Error) => {
          for (const el of els) {
            this.elements.splice(this.elements.indexOf(el), 1);
            el.pending.forEach((p) => p.reject(e));
          }
        });
      }
    } finally {
      this.polling = false;
    }
  }

  /** Cancel this coordinator's outstanding jobs (Ctrl-C, or a run that failed). */
  async cancel(): Promise<void> {
    const ids = [...new Set(this.elements.map((e) => e.jobId).filter(Boolean))];
    if (ids.length) await exec('scancel', ids).catch(() => {});
    const err = new Error('cancelled');
    for (const el of this.elements) el.pending.forEach((p) => p.reject(err));
    this.elements = [];
  }

  runTask<T>(task: PoolTask): Promise<T> {
    return this.local.runTask<T>(task);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.pollTimer) clearTimeout(this.pollTimer);
    await this.cancel();
    await this.local.close();
    // task lists and logs are kept only when something failed (the errors name the logs)
    if (!this.failures && this.lists) rmSync(this.runDir, { recursive: true, force: true });
  }
}

function readStatus(el: Element): ElementStatus | undefined {
  const f = statusFile(el.list, el.index);
  if (!existsSync(f)) return undefined;
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as ElementStatus;
  } catch {
    return undefined;
  }
}

/** The last lines of an element's log, for messages (': …' or ''). */
function logTail(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
    return lines.length ? `: ${lines.slice(-3).join(' | ').slice(0, 500)}` : '';
  } catch {
    return '';
  }
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
