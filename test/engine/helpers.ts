// Shared helpers for engine tests: temp workflows, running through the API or the real CLI.
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Subject } from 'rxjs';
import { loadWorkflow, runWorkflow } from '../../app/engine.js';
import type { EngineEvent, RunSummary } from '../../engine/core/events.js';
import type { Workflow } from '../../engine/workflow/format.js';
import { sha256 } from '../../engine/core/hash.js';

/** The repository root (dist/test/engine/ -> ../../..). */
export const ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
export const CLI = join(ROOT, 'bin', 'clearmap.js');
export const TEST_PLUGIN = join(ROOT, 'test', 'fixtures', 'plugins', 'engine-test-nodes');

export function tempDir(prefix = 'cm-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeWorkflow(dir: string, wf: Workflow | Record<string, unknown>, name = 'wf.json'): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(wf, null, 2));
  return file;
}

export async function runApi(file: string, opts: { cache: string; workers?: number; sets?: string[]; out?: string }): Promise<{ summary: RunSummary; events: EngineEvent[]; outputs: Map<string, unknown> }> {
  const { valid } = await loadWorkflow(file, opts.sets ?? []);
  const events: EngineEvent[] = [];
  const subject = new Subject<EngineEvent>();
  subject.subscribe((e) => events.push(e));
  const summary = await runWorkflow(valid, { cacheDir: opts.cache, outDir: opts.out ?? join(opts.cache, '..', 'out'), workers: opts.workers ?? 2, events: subject });
  return { summary, events, outputs: new Map() };
}

export function statuses(s: RunSummary): Record<string, string> {
  return Object.fromEntries(s.nodes.map((n) => [n.id, n.status]));
}

// generous: on a loaded 2-core machine the demo run alone takes ~4 min; ava's per-test timeout is the guard
export function runCli(args: string[], cwd = ROOT): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 600_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export { spawn };

/** sha256 of every file under the cache's node entries, keyed by relative path (for byte-identity checks). */
export function hashTree(dir: string, filter: (rel: string) => boolean = () => true): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name), r = rel ? `${rel}/${name}` : name;
      if (statSync(p).isDirectory()) walk(p, r);
      else if (filter(r)) out[r] = sha256(readFileSync(p));
    }
  };
  walk(dir, '');
  return out;
}
