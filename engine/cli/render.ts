// Turning engine events into what a person (TTY: progress bars) or a program (--json: JSON lines) reads.
import cliProgress from 'cli-progress';
import type { EngineEvent } from '../core/events.js';

export type Renderer = { on(e: EngineEvent): void; stop(): void };

export function jsonRenderer(out: NodeJS.WritableStream = process.stdout): Renderer {
  return { on: (e) => out.write(JSON.stringify(e) + '\n'), stop: () => {} };
}

export function plainRenderer(out: NodeJS.WritableStream = process.stderr): Renderer {
  return {
    on(e) {
      switch (e.event) {
        case 'node-start': if (e.chunks !== undefined) out.write(`• ${e.node} (${e.type}): ${e.chunks} chunks\n`); else out.write(`• ${e.node} (${e.type})\n`); break;
        case 'node-cached': out.write(`✔ ${e.node} (${e.type}): cached\n`); break;
        case 'node-done': out.write(`✔ ${e.node} (${e.type}): computed in ${e.seconds.toFixed(2)} s\n`); break;
        case 'node-failed': out.write(`✖ ${e.node} (${e.type}): ${e.error}\n`); break;
        case 'node-skipped': out.write(`- ${e.node} (${e.type}): skipped, ${e.reason}\n`); break;
        case 'cache-corrupt': out.write(`! ${e.node}: cache entry was corrupt (${e.reason}); recomputing\n`); break;
        case 'log': out.write(`  ${e.node ? `${e.node}: ` : ''}${e.message}\n`); break;
        default: break;
      }
    },
    stop() {},
  };
}

export function ttyRenderer(): Renderer {
  const multi = new cliProgress.MultiBar({
    format: ' {bar} {percentage}% | {node} | {value}/{total} chunks',
    hideCursor: true,
    clearOnComplete: false,
    stream: process.stderr,
  }, cliProgress.Presets.shades_classic);
  const bars = new Map<string, cliProgress.SingleBar>();
  const plain = plainRenderer();
  return {
    on(e) {
      if (e.event === 'node-start' && e.chunks !== undefined && !bars.has(e.node)) {
        bars.set(e.node, multi.create(e.chunks, 0, { node: `${e.node} (${e.type})` }));
      } else if (e.event === 'chunk-done') {
        bars.get(e.node)?.increment();
      } else if (e.event === 'node-start' || e.event === 'node-cached' || e.event === 'node-done' || e.event === 'node-failed' || e.event === 'log' || e.event === 'node-skipped') {
        multi.log(lineOf(e, plain));
      }
    },
    stop: () => multi.stop(),
  };
}

function lineOf(e: EngineEvent, plain: Renderer): string {
  let s = '';
  const capture = { write: (x: string) => { s += x; return true; } } as unknown as NodeJS.WritableStream;
  plainRenderer(capture).on(e);
  void plain;
  return s;
}
