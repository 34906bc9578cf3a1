// `clearmap cache why <key|node-id> [--workflow file]`: what a cache entry's key is made of — params,
// input identities, implementation hash, services — as recorded by the runs that used this cache
// (<cache>/runs/<hash>.json), and, given a workflow, which part differs from what it would use now.
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../engine/core/errors.js';
import { computeKeyParts, type FileIdentity, type KeyParts } from '../../engine/cache/keys.js';
import { explainChange, findRecordedNodes, listRunRecords, looksLikeKey, MIN_KEY_PREFIX, upstreamCauses, type RecordedNode } from '../../engine/cache/explain.js';
import { CacheStore } from '../../engine/cache/store.js';
import { loadWorkflow } from '../engine.js';

interface WhyOptions { cache: string; workflow?: string; set: string[]; out?: string; json?: boolean }

/** Against a workflow: the node's current key and the key components that differ from the recorded ones. */
interface Comparison {
  workflow: string; nodeId: string; inWorkflow: boolean; key?: string; same?: boolean; changes?: string[];
  /** upstream nodes whose own components changed (what made the inputs change) */
  upstream?: { nodeId: string; changes: string[] }[];
}

const short = (v: unknown, max = 160) => { const s = JSON.stringify(v) ?? 'unset'; return s.length > max ? `${s.slice(0, max - 3)}...` : s; };

function fileText(f: FileIdentity): string {
  if ('missing' in f) return `${f.path} (missing)`;
  const when = new Date(f.mtimeMs).toISOString();
  return 'dir' in f ? `${f.path} (folder, modified ${when})` : `${f.path} (${f.size} bytes, modified ${when})`;
}

/** The key parts in words, one component a line. */
export function keyPartsText(n: RecordedNode, present: boolean): string {
  const p: KeyParts = n.parts;
  const lines = [
    `node '${n.nodeId}' (${p.type}) of ${n.workflow}`,
    `  key             ${n.key}`,
    `  cache entry     ${present ? 'present' : 'none (removed; or a chunk stage fused with the next chunk node, which is cached as part of that node)'}`,
    `  type, version   ${p.type} ${p.version}`,
    `  implementation  ${p.implementation}`,
  ];
  const params = Object.keys(p.params).sort();
  lines.push(`  params${params.length ? '' : '          none'}`);
  for (const k of params) lines.push(`    ${k} = ${short(p.params[k])}`);
  const inputs = Object.keys(p.inputs).sort();
  lines.push(`  inputs${inputs.length ? '' : '          none'}`);
  for (const port of inputs) {
    const [key, out] = [p.inputs[port].slice(0, p.inputs[port].lastIndexOf('.')), p.inputs[port].slice(p.inputs[port].lastIndexOf('.') + 1)];
    const from = n.nodeOfKey.get(key);
    lines.push(`    ${port} <- ${from ? `node '${from}'` : 'a node'} output ${out} (key ${key.slice(0, 12)})`);
  }
  const files = Object.entries(p.files ?? {});
  if (files.length) {
    lines.push('  input files');
    for (const [param, ids] of files) for (const f of ids) lines.push(`    ${param}: ${fileText(f)}`);
  }
  if (p.external !== null && p.external !== undefined) lines.push(`  external        ${short(p.external)}`);
  const services = Object.entries(p.services ?? {});
  if (services.length) {
    lines.push('  services');
    for (const [name, id] of services) lines.push(`    ${name} = ${id}`);
  }
  if (p.out) lines.push(`  output folder   ${p.out}`);
  return lines.join('\n') + '\n';
}

function comparisonText(c: Comparison): string {
  if (!c.inWorkflow) return `  compared with ${c.workflow}: it has no node '${c.nodeId}'\n`;
  if (c.same) return `  compared with ${c.workflow}: same key, the workflow would use this entry as it is\n`;
  let out = `  compared with ${c.workflow}: node '${c.nodeId}' now has key ${c.key!.slice(0, 12)}, because:\n${c.changes!.map((w) => `    - ${w}`).join('\n')}\n`;
  for (const u of c.upstream ?? []) out += `    upstream, node '${u.nodeId}':\n${u.changes.map((w) => `      - ${w}`).join('\n')}\n`;
  return out;
}

/** Adds `why` to the `cache` command (registered before this). */
export function registerCacheWhy(program: Command): void {
  const cacheCmd = program.commands.find((c) => c.name() === 'cache');
  if (!cacheCmd) throw new Error('registerCacheWhy: register the cache commands first');
  cacheCmd.command('why')
    .description('show what a cache entry\'s key is made of (params, input files, upstream nodes, implementation, services); with --workflow, which part differs from that workflow now')
    .argument('<key-or-node>', `a cache key (or its first ${MIN_KEY_PREFIX}+ hex digits, as \`cache ls\` shows) or a node id`)
    .option('--cache <dir>', 'cache directory', '.clearmap-cache')
    .option('--workflow <file>', 'compare with this workflow as it is now (its node of the same id)')
    .option('--set <assignment>', 'with --workflow: override a param, as in `run` (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--out <dir>', 'with --workflow: its results folder, as in `run` (default: results/<workflow name>)')
    .option('--json', 'machine-readable output')
    .action(async (query: string, o: WhyOptions) => {
      const cache = resolve(o.cache);
      const matches = findRecordedNodes(cache, query, o.workflow);
      // a key no run record holds any more (the node's params changed since): its entry keeps the parts
      const older: string[] = [];
      if (looksLikeKey(query) && existsSync(join(cache, 'nodes'))) {
        const store = new CacheStore(cache);
        const known = new Set(matches.map((m) => m.key));
        for (const m of store.manifests(query)) {
          if (known.has(m.key)) continue;
          const where = `node '${m.nodeId ?? '?'}' (${m.nodeType})`;
          if (!m.keyParts) { older.push(`${m.key.slice(0, 12)} (${where}) was cached before entries kept their key parts; run its workflow again to see them`); continue; }
          const parts = m.keyParts as KeyParts;
          const nodeOfKey = new Map<string, string>();
          for (const [port, ref] of Object.entries(parts.inputs)) {
            const id = m.inputNodes?.[port];
            if (id) nodeOfKey.set(ref.slice(0, ref.lastIndexOf('.')), id);
          }
          matches.push({ workflow: m.workflow ?? 'an unknown workflow', nodeId: m.nodeId ?? '?', key: m.key, parts, nodeOfKey, record: {} });
        }
      }
      if (!matches.length && older.length) throw new UsageError(`cache why: ${older.join('; ')}`);
      if (!matches.length) {
        const recorded = [...new Set(listRunRecords(cache).flatMap((r) => Object.keys(r.nodes)))].sort();
        throw new UsageError(recorded.length
          ? `cache why: no recorded cache entry has the key or node id '${query}' in ${cache} (recorded nodes: ${recorded.join(', ')}; keys: \`clearmap cache ls --cache ${o.cache}\`)`
          : `cache why: no runs are recorded in ${cache}; is --cache right? (runs of \`clearmap run\` with this cache record their keys)`);
      }
      let current: Awaited<ReturnType<typeof computeKeyParts>> | undefined;
      let producer: ((nodeId: string, port: string) => string | undefined) | undefined;
      let wfFile: string | undefined;
      if (o.workflow) {
        wfFile = resolve(o.workflow);
        const { valid } = await loadWorkflow(wfFile, o.set);
        const outDir = resolve(o.out ?? `results/${basename(wfFile, extname(wfFile))}`);
        current = await computeKeyParts(valid, dirname(wfFile), outDir);
        producer = (id, port) => valid.byId.get(id)?.inputs[port]?.node;
      }
      const report = matches.map((m) => {
        const present = existsSync(join(cache, 'nodes', m.key, 'manifest.json'));
        let comparison: Comparison | undefined;
        if (current && wfFile) {
          const now = current.get(m.nodeId);
          comparison = !now ? { workflow: wfFile, nodeId: m.nodeId, inWorkflow: false }
            : now.key === m.key ? { workflow: wfFile, nodeId: m.nodeId, inWorkflow: true, key: now.key, same: true }
            : { workflow: wfFile, nodeId: m.nodeId, inWorkflow: true, key: now.key, same: false, changes: explainChange(m.nodeId, m.parts, now.parts, (port) => producer!(m.nodeId, port)), upstream: upstreamCauses(m, current, producer!) };
        }
        return { match: m, present, comparison };
      });
      if (o.json) {
        process.stdout.write(JSON.stringify(report.map(({ match: m, present, comparison }) => ({ nodeId: m.nodeId, workflow: m.workflow, key: m.key, present, parts: m.parts, ...(comparison ? { comparison } : {}) })), null, 2) + '\n');
        return;
      }
      const hint = (m: RecordedNode) => (existsSync(m.workflow) ? `  (what differs now: clearmap cache why ${query} --workflow ${m.workflow}${o.cache !== '.clearmap-cache' ? ` --cache ${o.cache}` : ''})\n` : '');
      process.stdout.write(report.map(({ match, present, comparison }) => keyPartsText(match, present) + (comparison ? comparisonText(comparison) : hint(match))).join('\n'));
    });
}
