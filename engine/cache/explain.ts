// Why did a node recompute? After each run the key parts of its nodes are recorded per workflow file
// (<cache>/runs/<hash of the workflow path>.json); the next run compares its parts with them and names
// the component that changed: a param, an input file, an upstream node, the node's implementation.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../data/atomic.js';
import { join, resolve } from 'node:path';
import { canonicalJson, sha256 } from '../core/hash.js';
import type { FileIdentity, KeyParts } from './keys.js';

export interface RunRecord {
  workflow: string;
  nodes: Record<string, { key: string; parts: KeyParts }>;
}

function recordFile(cacheDir: string, workflowFile: string): string {
  return join(resolve(cacheDir), 'runs', `${sha256(resolve(workflowFile)).slice(0, 32)}.json`);
}

export function readRunRecord(cacheDir: string, workflowFile: string): RunRecord | undefined {
  const f = recordFile(cacheDir, workflowFile);
  if (!existsSync(f)) return undefined;
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as RunRecord;
  } catch {
    return undefined; // a damaged record only loses explanations
  }
}

/** Record the key parts of the nodes that now have a result (written atomically; the last run wins). */
export function writeRunRecord(cacheDir: string, workflowFile: string, nodes: RunRecord['nodes']): void {
  const f = recordFile(cacheDir, workflowFile);
  const previous = readRunRecord(cacheDir, workflowFile)?.nodes ?? {};
  writeFileAtomic(f, JSON.stringify({ workflow: resolve(workflowFile), nodes: { ...previous, ...nodes } } satisfies RunRecord));
}

/** Every run record in the cache: one per workflow file run with it (damaged records are skipped). */
export function listRunRecords(cacheDir: string): RunRecord[] {
  const dir = join(resolve(cacheDir), 'runs');
  let names: string[];
  try { names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort(); } catch { return []; }
  const out: RunRecord[] = [];
  for (const n of names) {
    try {
      const r = JSON.parse(readFileSync(join(dir, n), 'utf8')) as RunRecord;
      if (r && typeof r.workflow === 'string' && r.nodes && typeof r.nodes === 'object') out.push(r);
    } catch { /* a damaged record only loses explanations */ }
  }
  return out;
}

/** One node as a run recorded it. */
export interface RecordedNode {
  workflow: string;
  nodeId: string;
  key: string;
  parts: KeyParts;
  /** key -> node id of the other nodes of the same record (to name upstream nodes) */
  nodeOfKey: Map<string, string>;
  /** the whole record this node is part of (its upstream nodes' parts) */
  record: RunRecord['nodes'];
}

/** Keys are matched by prefix from this many hex digits on (`cache ls` shows 12). */
export const MIN_KEY_PREFIX = 6;

export function looksLikeKey(query: string): boolean {
  return new RegExp(`^[0-9a-f]{${MIN_KEY_PREFIX},64}$`).test(query);
}

/**
 * Recorded nodes whose key starts with `query` (at least MIN_KEY_PREFIX hex digits) or whose id is
 * `query`. With `workflowFile`, a node id is looked up in that workflow's record first.
 */
export function findRecordedNodes(cacheDir: string, query: string, workflowFile?: string): RecordedNode[] {
  const records = listRunRecords(cacheDir);
  const asKey = looksLikeKey(query);
  const found = (rs: RunRecord[], byId: boolean) => rs.flatMap((r) => {
    const nodeOfKey = new Map(Object.entries(r.nodes).map(([id, n]) => [n.key, id]));
    return Object.entries(r.nodes)
      .filter(([id, n]) => (asKey && n.key.startsWith(query)) || (byId && id === query))
      .map(([id, n]) => ({ workflow: r.workflow, nodeId: id, key: n.key, parts: n.parts, nodeOfKey, record: r.nodes }));
  });
  if (workflowFile) {
    const own = found(records.filter((r) => r.workflow === resolve(workflowFile)), true);
    if (own.length) return own;
  }
  return found(records, true);
}

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);
const show = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v).slice(0, 80));

function fileChange(a: FileIdentity | undefined, b: FileIdentity): string {
  if ('missing' in b) return 'is missing';
  if (!a || 'missing' in a) return 'appeared';
  return 'changed (size or modification time)';
}

/**
 * The key components that differ between the previous parts of a node and its current ones, in words.
 * `producer` maps an input port to the node id feeding it (to name the upstream node).
 */
export function explainChange(nodeId: string, prev: KeyParts | undefined, cur: KeyParts, producer: (port: string) => string | undefined): string[] {
  if (!prev) return ['no earlier run of this node recorded in this cache'];
  const why: string[] = [];
  if (prev.type !== cur.type) why.push(`node type ${prev.type} -> ${cur.type}`);
  if (prev.version !== cur.version) why.push(`version ${prev.version} -> ${cur.version}`);
  if (prev.implementation !== cur.implementation) why.push(`kernel/implementation of node '${nodeId}' (${cur.type}) changed`);
  for (const k of [...new Set([...Object.keys(prev.params), ...Object.keys(cur.params)])].sort()) {
    if (!same(prev.params[k], cur.params[k])) why.push(`param ${k}: ${show(prev.params[k])} -> ${show(cur.params[k])}`);
  }
  for (const [name, ids] of Object.entries(cur.files)) {
    const before = new Map((prev.files?.[name] ?? []).map((f) => [f.path, f]));
    for (const f of ids) if (!same(before.get(f.path), f)) why.push(`input file ${f.path} (param ${name}) ${fileChange(before.get(f.path), f)}`);
  }
  for (const port of [...new Set([...Object.keys(prev.inputs), ...Object.keys(cur.inputs)])].sort()) {
    if (prev.inputs[port] !== cur.inputs[port]) {
      const from = producer(port);
      why.push(cur.inputs[port] === undefined ? `input ${port} disconnected` : `input ${port}: upstream node ${from ? `'${from}' ` : ''}changed`);
    }
  }
  if (!same(prev.external, cur.external)) why.push('external inputs changed (files or tools the node declares itself)');
  for (const [name, id] of Object.entries(cur.services ?? {})) if (prev.services?.[name] !== id) why.push(`service ${name}: ${prev.services?.[name] ?? 'unset'} -> ${id}`);
  if (prev.out !== cur.out) why.push(`output folder ${prev.out ?? 'unset'} -> ${cur.out ?? 'unset'}`);
  if (!why.length) why.push('same key as before: its cache entry was missing, removed or invalid');
  return why;
}

const UPSTREAM_CHANGE = /^input \S+: upstream node /;

/**
 * For a recorded node whose key differs from its current one because of upstream nodes: the upstream
 * nodes whose own components changed (params, files, implementation, ...), each with its changes —
 * the root causes, found by walking the recorded inputs. `current` maps node id -> current parts,
 * `producer(nodeId, port)` the node feeding a port now.
 */
export function upstreamCauses(n: RecordedNode, current: Map<string, { key: string; parts: KeyParts }>, producer: (nodeId: string, port: string) => string | undefined): { nodeId: string; changes: string[] }[] {
  const causes: { nodeId: string; changes: string[] }[] = [];
  const seen = new Set<string>();
  const visit = (id: string, recorded: { key: string; parts: KeyParts }) => {
    const now = current.get(id);
    if (seen.has(id) || !now || now.key === recorded.key) return;
    seen.add(id);
    const changes = explainChange(id, recorded.parts, now.parts, (port) => producer(id, port));
    const own = changes.filter((c) => !UPSTREAM_CHANGE.test(c));
    if (id !== n.nodeId && own.length) causes.push({ nodeId: id, changes: own });
    for (const [port, ref] of Object.entries(recorded.parts.inputs)) {
      const from = producer(id, port);
      const rec = from === undefined ? undefined : n.record[from];
      // only an upstream record of the same run (its key is the one this input was made from)
      if (from !== undefined && rec && ref === `${rec.key}.${ref.slice(ref.lastIndexOf('.') + 1)}`) visit(from, rec);
    }
  };
  visit(n.nodeId, { key: n.key, parts: n.parts });
  return causes;
}
