// Turning engine events into what a person (TTY: progress bars) or a program (--json: JSON lines) reads.
import cliProgress from 'cli-progress';
import type { EngineEvent } from '../../engine/core/events.js';

export type Renderer = { on(e: EngineEvent): void; stop(): void };

export function jsonRenderer(out: NodeJS.WritableStream = process.stdout): Renderer {
  return { on: (e) => out.write(JSON.stringify(e) + '\n'), stop: () => {} };
}

/** One human-readable line for an event, or undefined for events shown only as progress. */
export function formatEvent(e: EngineEvent): string | undefined {
  switch (e.event) {
    case 'node-start': return e.chunks !== undefined ? `• ${e.node} (${e.type}): ${e.chunks} chunks` : `• ${e.node} (${e.type})`;
    case 'node-cached': return `✔ ${e.node} (${e.type}): cached${e.computedSeconds !== undefined ? ` (computed in ${e.computedSeconds.toFixed(2)} s)` : ''}`;
    case 'node-done': return `✔ ${e.node} (${e.type}): computed in ${e.seconds.toFixed(2)} s`;
    case 'node-failed': return `✖ ${e.node} (${e.type}): ${e.error}`;
    case 'node-skipped': return `- ${e.node} (${e.type}): skipped, ${e.reason}`;
    case 'cache-corrupt': return `! ${e.node}: cache entry was corrupt (${e.reason}); recomputing`;
    case 'log': return `  ${e.node ? `${e.node}: ` : ''}${e.message}`;
    default: return undefined;
  }
}

export function plainRenderer(out: NodeJS.WritableStream = process.stderr): Renderer {
  return {
    on(e) {
      const line = formatEvent(e);
      if (line !== undefined) out.write(line + '\n');
    },
    stop() {},
  };
}

/** Seconds left for a node from its measured throughput (computed chunks per second), or undefined before one is measured. */
export function etaSeconds(done: number, total: number, computed: number, elapsedSeconds: number): number | undefined {
  if (computed < 1 || elapsedSeconds <= 0) return undefined;
  return Math.max(0, total - done) / (computed / elapsedSeconds);
}

export function formatDuration(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return '--';
  const t = Math.round(s);
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
}

interface BarState {
  bar: cliProgress.SingleBar;
  total: number;
  done: number;
  computed: number;
  started: number;
  queued: number;
  running: number;
  where: string;
}

/**
 * Progress bars per chunk-wise node (chunks done / total, ETA from the node's measured throughput;
 * for remote executors queued/running counts and the host:pid of the last chunk), other events as
 * lines above them. Lines are never lost: before any bar exists they are written directly, and stop()
 * flushes the lines still buffered by the bars before the final render.
 */
export function ttyRenderer(stream: NodeJS.WritableStream = process.stderr, now: () => number = () => performance.now()): Renderer {
  const multi = new cliProgress.MultiBar({
    format: ' {bar} {percentage}% | {node} | {value}/{total} chunks | ETA {left}{extra}',
    hideCursor: true,
    clearOnComplete: false,
    stream,
  }, cliProgress.Presets.shades_classic);
  const bars = new Map<string, BarState>();
  const payload = (b: BarState) => {
    const eta = b.done >= b.total ? '0s' : formatDuration(etaSeconds(b.done, b.total, b.computed, (now() - b.started) / 1000));
    const remote = b.queued || b.running ? ` | ${b.queued} queued, ${b.running} running` : '';
    return { left: eta, extra: `${remote}${b.where ? ` | ${b.where}` : ''}` };
  };
  const line = (text: string) => {
    if (bars.size) multi.log(text + '\n');
    else stream.write(text + '\n');
  };
  return {
    on(e) {
      if (e.event === 'node-start' && e.chunks !== undefined) {
        if (!bars.has(e.node)) {
          const b: BarState = { bar: undefined as unknown as cliProgress.SingleBar, total: e.chunks, done: 0, computed: 0, started: now(), queued: 0, running: 0, where: '' };
          b.bar = multi.create(e.chunks, 0, { node: `${e.node} (${e.type})`, ...payload(b) });
          bars.set(e.node, b);
        }
        return;
      }
      if (e.event === 'chunk-done') {
        const b = bars.get(e.node);
        if (!b) return;
        b.done++;
        if (!e.cached) b.computed++; // throughput from computed chunks only (cached ones take no time)
        if (e.host) b.where = `last ${e.host}:${e.pid}`;
        b.bar.update(b.done, payload(b));
        return;
      }
      if (e.event === 'chunk-state') {
        const b = bars.get(e.node);
        if (!b) return;
        b.queued = e.queued;
        b.running = e.running;
        b.bar.update(b.done, payload(b));
        return;
      }
      const text = formatEvent(e);
      if (text !== undefined) line(text);
    },
    stop: () => {
      if (!bars.size) return;
      multi.update(); // flushes buffered lines (the last nodes' results) above the bars
      multi.stop();
    },
  };
}
