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

/** Progress bars per chunk-wise node (chunks done / total), other events as lines above them. */
export function ttyRenderer(): Renderer {
  const multi = new cliProgress.MultiBar({
    format: ' {bar} {percentage}% | {node} | {value}/{total} chunks',
    hideCursor: true,
    clearOnComplete: false,
    stream: process.stderr,
  }, cliProgress.Presets.shades_classic);
  const bars = new Map<string, cliProgress.SingleBar>();
  return {
    on(e) {
      if (e.event === 'node-start' && e.chunks !== undefined) {
        if (!bars.has(e.node)) bars.set(e.node, multi.create(e.chunks, 0, { node: `${e.node} (${e.type})` }));
        return;
      }
      if (e.event === 'chunk-done') {
        bars.get(e.node)?.increment();
        return;
      }
      const line = formatEvent(e);
      if (line !== undefined) multi.log(line + '\n');
    },
    stop: () => multi.stop(),
  };
}
