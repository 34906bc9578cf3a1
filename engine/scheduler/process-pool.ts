// The local executor's default pool: worker PROCESSES (child_process.fork of chunk.process.js).
// Worker threads share one address space, so every large ArrayBuffer V8 frees (munmap, often from its
// background threads) and every page fault of one thread costs the others TLB-shootdown IPIs; on a
// 2-core VM two threads ran each chunk 26-35% slower than one, while two processes ran at full speed.
// A chunk's slab and results are large but few, so the IPC copy (advanced serialization) is cheap.
//
// One task per process at a time; processes start lazily (a run that hits the cache starts none), are
// replaced when one dies (its task fails with a message naming the chunk and the exit code/signal),
// are killed by close() and by this process's exit, and exit themselves when the IPC channel closes
// (the parent died), so none is left behind.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PoolTask } from '../core/node-type.js';
import type { ChunkTask, ChunkTaskResult } from './chunk-task.js';

/** What the local executor and remote executors' local pools need of a pool (threads or processes). */
export interface TaskPool {
  readonly size: number;
  run(task: ChunkTask, onStart?: () => void): Promise<ChunkTaskResult>;
  runTask<T>(task: PoolTask): Promise<T>;
  close(): Promise<void>;
}

/** A worker process may take this long to start (import the engine) on a loaded machine. */
export const PROCESS_START_TIMEOUT_MS = 180_000;

export type ProcessRequest = { id: number; kind: 'chunk' | 'task'; task: ChunkTask | PoolTask };
export type ProcessReply =
  | { ready: true; pid: number }
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; stack?: string } };

interface Job {
  kind: 'chunk' | 'task';
  task: ChunkTask | PoolTask;
  /** What the task is, for messages about its worker process ("chunk 2/4 (z 10–30)"). */
  label: string;
  onStart?(): void;
  resolve(v: unknown): void;
  reject(e: Error): void;
}

interface Slot {
  child: ChildProcess;
  ready: boolean;
  job?: Job;
  jobId?: number;
}

const ENTRY = fileURLToPath(new URL('./chunk.process.js', import.meta.url));

// children of every pool, killed when this process exits (process.exit() included)
const live = new Set<ChildProcess>();
let exitHook = false;
let started = 0;
/** Worker processes this process has started so far (all pools): runs that hit the cache start none. */
export function workerProcessesStarted(): number {
  return started;
}
function track(child: ChildProcess): void {
  started++;
  live.add(child);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
}

/** Describe a chunk task for messages, like the chunk-task's own errors do. */
export function chunkLabel(task: ChunkTask): string {
  const g = task.geometry;
  const tile = g.tile ? `, x ${g.tile.read[0].join('–')}, y ${g.tile.read[1].join('–')}` : '';
  return `chunk ${g.index + 1}/${g.count} (z ${g.read[0]}–${g.read[1]}${tile})`;
}

function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal === 'SIGKILL') return 'was killed by signal SIGKILL (often the out-of-memory killer: see `dmesg`; fewer --workers or a smaller settings.chunkBytesMax use less memory)';
  if (signal) return `was killed by signal ${signal}`;
  return `exited with code ${code}`;
}

// Node options of this process, minus what would make the child run something else than the entry
// (-e/-p scripts: a child would re-run the parent's script), or clash (a debugger port is not shared).
const SCRIPT_OPTIONS = new Set(['-e', '--eval', '-p', '--print']);
const OWN_OPTIONS = /^(--inspect(-brk|-port|-wait)?|--eval|--print|--test|--watch|--watch-path|-i|--interactive|-c|--check|--input-type)(=|$)/;
function childExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    if (SCRIPT_OPTIONS.has(argv[i])) i++; // and its script
    else if (!OWN_OPTIONS.test(argv[i])) out.push(argv[i]);
  }
  return out;
}
/** Set in worker processes: they never start worker processes of their own. */
const WORKER_ENV = 'CLEARMAP_WORKER_PROCESS';

export class ProcessPool implements TaskPool {
  private readonly slots = new Set<Slot>();
  private readonly waiting: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number) {}

  /** Worker processes alive now (started lazily, at most `size`). */
  get processes(): number[] {
    return [...this.slots].map((s) => s.child.pid!).filter((p) => p !== undefined);
  }

  run(task: ChunkTask, onStart?: () => void): Promise<ChunkTaskResult> {
    return this.submit({ kind: 'chunk', task, label: chunkLabel(task), onStart }) as Promise<ChunkTaskResult>;
  }

  /** Generic task (the pool itself queues: at most `size` run at once). */
  runTask<T>(task: PoolTask): Promise<T> {
    return this.submit({ kind: 'task', task, label: `pool task '${task.export}' of ${task.module}` }) as Promise<T>;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.waiting.splice(0)) j.reject(new Error(`${j.label}: the worker pool was closed before it ran`));
    await Promise.all([...this.slots].map((s) => new Promise<void>((done) => {
      if (s.child.exitCode !== null || s.child.signalCode !== null) return done();
      s.child.once('exit', () => done());
      s.child.ref(); // an idle child is unref'd: keep this process alive until it is gone
      s.child.kill('SIGTERM');
    })));
  }

  private submit(j: Omit<Job, 'resolve' | 'reject'>): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error(`${j.label}: the worker pool is closed`));
    if (process.env[WORKER_ENV]) return Promise.reject(new Error(`${j.label}: a worker process cannot start worker processes of its own`));
    return new Promise((resolve, reject) => {
      this.waiting.push({ ...j, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.closed) return;
    for (const s of this.slots) if (s.ready && !s.job && this.waiting.length) this.start(s, this.waiting.shift()!);
    // jobs left over start new processes (up to `size`); each takes the next job once it is ready
    let starting = [...this.slots].filter((s) => !s.ready).length;
    while (this.waiting.length > starting && this.slots.size < this.size) {
      this.spawn();
      starting++;
    }
  }

  private spawn(): Slot {
    const child = fork(ENTRY, [], {
      serialization: 'advanced',
      execArgv: childExecArgv(),
      env: { ...process.env, [WORKER_ENV]: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    track(child);
    const slot: Slot = { child, ready: false };
    this.slots.add(slot);
    let startFailure: string | undefined;
    const timer = setTimeout(() => {
      if (slot.ready) return;
      startFailure = `did not start within ${PROCESS_START_TIMEOUT_MS / 1000} s`;
      child.kill('SIGKILL');
    }, PROCESS_START_TIMEOUT_MS);
    timer.unref();
    child.on('message', (m: ProcessReply) => {
      if ('ready' in m) {
        slot.ready = true;
        clearTimeout(timer);
        this.idle(slot);
        this.pump();
        return;
      }
      const job = slot.job;
      if (!job || m.id !== slot.jobId) return;
      slot.job = slot.jobId = undefined;
      this.idle(slot);
      if (m.ok) job.resolve(m.value);
      else job.reject(Object.assign(new Error(m.error.message), { name: m.error.name, ...(m.error.stack ? { stack: m.error.stack } : {}) }));
      this.pump();
    });
    let gone = false;
    const onGone = (why: string) => {
      if (gone) return;
      gone = true;
      clearTimeout(timer);
      live.delete(child);
      this.slots.delete(slot);
      const job = slot.job;
      slot.job = undefined;
      if (job) {
        job.reject(new Error(`${job.label}: its worker process (pid ${child.pid}) ${why}${this.closed ? ' (the pool was closed)' : ''}`));
      } else if (!slot.ready && !this.closed && this.waiting.length) {
        // the process died before it could take work: the jobs waiting for it fail instead of
        // respawning forever (the entry cannot load, or the machine cannot start processes)
        const message = `a worker process (pid ${child.pid ?? '?'}) ${why} before it was ready`;
        for (const j of this.waiting.splice(0)) j.reject(new Error(`${j.label}: ${message}`));
      }
      this.pump(); // a replacement starts when work is waiting
    };
    child.on('exit', (code, signal) => onGone(startFailure && !slot.ready ? startFailure : exitText(code, signal)));
    child.on('error', (e) => onGone(`failed: ${e.message}`));
    return slot;
  }

  private start(slot: Slot, job: Job): void {
    slot.job = job;
    slot.jobId = this.nextId++;
    slot.child.ref();
    (slot.child.channel as { ref?(): void } | undefined)?.ref?.();
    try {
      job.onStart?.();
      slot.child.send({ id: slot.jobId, kind: job.kind, task: job.task } satisfies ProcessRequest);
    } catch (e) {
      slot.job = slot.jobId = undefined;
      job.reject(new Error(`${job.label}: cannot be sent to a worker process: ${(e as Error).message}`));
      this.idle(slot);
    }
  }

  // an idle process does not keep this process alive (a pool nobody closed does not hang the exit)
  private idle(slot: Slot): void {
    // once closing, close() holds every child ref'd until it exits: a reply arriving after close()
    // must not unref it, or the event loop can empty (and this process end) before the 'exit' event
    if (this.closed) return;
    slot.child.unref();
    (slot.child.channel as { unref?(): void } | undefined)?.unref?.();
  }
}
