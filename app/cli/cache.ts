// `clearmap cache ls | verify | clean`: inspect, check or clear the result cache.
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { CacheStore } from '../../engine/cache/store.js';

export const DEFAULT_CACHE = '.clearmap-cache';

function age(ms: number): string {
  const s = Math.max(0, (Date.now() - ms) / 1000);
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 2 * 86400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

function size(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(2)} MB`;
}

export function registerCacheCommands(program: Command): void {
  const cacheCmd = program.command('cache').description('inspect, verify or clear the result cache');
  cacheCmd.command('ls')
    .description('list cache entries: node id, type, workflow, size, age (and the key)')
    .option('--cache <dir>', 'cache directory', DEFAULT_CACHE)
    .option('--json', 'machine-readable output')
    .action((o: { cache: string; json?: boolean }) => {
      const entries = new CacheStore(resolve(o.cache)).list().sort((a, b) => b.createdMs - a.createdMs);
      if (o.json) { process.stdout.write(JSON.stringify(entries, null, 2) + '\n'); return; }
      const rows = entries.map((e) => [e.nodeId ?? '?', e.nodeType, e.workflow ? relative(process.cwd(), e.workflow) || e.workflow : '?', size(e.bytes), age(e.createdMs), e.key.slice(0, 12)]);
      const head = ['node', 'type', 'workflow', 'size', 'age', 'key'];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd() + '\n';
      if (rows.length) process.stdout.write(line(head));
      for (const r of rows) process.stdout.write(line(r));
      process.stdout.write(`${entries.length} entries, ${size(entries.reduce((s, e) => s + e.bytes, 0))}\n`);
    });
  cacheCmd.command('verify')
    .description('re-hash every cached file (ignoring the size + mtime trust) and report; --repair removes corrupt entries')
    .option('--cache <dir>', 'cache directory', DEFAULT_CACHE)
    .option('--repair', 'remove corrupt entries and chunk files (the next run recomputes them)')
    .option('--json', 'machine-readable output')
    .action(async (o: { cache: string; repair?: boolean; json?: boolean }) => {
      const r = await new CacheStore(resolve(o.cache)).verify({ repair: o.repair });
      if (o.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else {
        for (const p of r.problems) process.stdout.write(`${p.kind}: ${p.nodeId ? `${p.nodeId} (${p.nodeType}) ` : ''}${p.key.slice(0, 12)}: ${p.reason}${p.repaired ? ' — removed' : ''}\n`);
        const corrupt = r.problems.filter((p) => p.kind !== 'stale').length;
        process.stdout.write(`${r.entries} entries and ${r.chunks} chunk files verified: ${r.problems.length === 0 ? 'clean' : `${corrupt} corrupt, ${r.problems.length - corrupt} stale`}\n`);
      }
      // stale = result files edited outside the cache (the next run rewrites them): not a failure
      if (r.problems.some((p) => p.kind !== 'stale' && !p.repaired)) process.exitCode = 1;
    });
  cacheCmd.command('clean')
    .description('remove the whole cache')
    .option('--cache <dir>', 'cache directory', DEFAULT_CACHE)
    .action((o: { cache: string }) => {
      new CacheStore(resolve(o.cache)).clean();
      process.stdout.write(`removed ${resolve(o.cache)}\n`);
    });
}
