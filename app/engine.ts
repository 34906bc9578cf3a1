// The engine facade used by the CLI and by tests: registry with built-in nodes, plugin loading,
// parameter overrides, validation, and running.
import { dirname, resolve } from 'node:path';
import { NodeRegistry, nodeTypesModule } from '../engine/core/registry.js';
import { loadPlugin } from '../engine/core/plugins.js';
import { WorkflowError, messageOf } from '../engine/core/errors.js';
import { builtinNodeTypes, builtinServices } from './builtin-nodes.js';
import { checkEnvelope, parseWorkflowFile, validateWorkflow, type ValidWorkflow } from '../engine/workflow/validate.js';
import type { Workflow } from '../engine/workflow/format.js';
import { runWorkflow as runValidWorkflow, type RunOptions, type RunResult as EngineRunResult } from '../engine/scheduler/run.js';
import { computeKeyParts } from '../engine/cache/keys.js';
import { explainChange, readRunRecord, writeRunRecord, type RunRecord } from '../engine/cache/explain.js';

export async function createRegistry(): Promise<NodeRegistry> {
  const registry = new NodeRegistry();
  await registry.load(nodeTypesModule(builtinNodeTypes, builtinServices), 'built-in nodes');
  return registry;
}

/** `--set nodeId.param=value` (value parsed as JSON, or taken as a string when it isn't JSON). */
export function applyOverrides(file: string, wf: Workflow, sets: string[]): void {
  const problems: string[] = [];
  for (const s of sets) {
    const m = /^([^.=]+)\.([^=]+)=(.*)$/s.exec(s);
    if (!m) { problems.push(`--set ${s}: expected <nodeId>.<param>=<json value>`); continue; }
    const [, id, path, raw] = m;
    const node = wf.nodes.find((n) => n.id === id);
    if (!node) { problems.push(`--set ${s}: no node '${id}' in the workflow`); continue; }
    let value: unknown;
    try { value = JSON.parse(raw); } catch { value = raw; }
    const problem = setPath((node.params ??= {}) as Record<string, unknown>, path.split('.'), value);
    if (problem) problems.push(`--set ${s}: ${problem}`);
  }
  if (problems.length) throw new WorkflowError(file, problems);
}

/** Keys that would reach Object.prototype (or a constructor) instead of a param. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/** Set params[a][b]... = value; returns why it cannot (a key crosses a non-object, or is forbidden). */
function setPath(params: Record<string, unknown>, keys: string[], value: unknown): string | undefined {
  const bad = keys.find((k) => FORBIDDEN_KEYS.has(k) || k === '');
  if (bad !== undefined) return `'${bad}' is not a param name`;
  let o = params;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i];
    if (!Object.hasOwn(o, k) || o[k] === undefined) o[k] = {};
    const next = o[k];
    if (next === null || typeof next !== 'object') return `params.${keys.slice(0, i + 1).join('.')} is ${JSON.stringify(next)}, not an object: cannot set '${keys.slice(i + 1).join('.')}' inside it`;
    if (Array.isArray(next) && !/^\d+$/.test(keys[i + 1])) return `params.${keys.slice(0, i + 1).join('.')} is ${JSON.stringify(next)}, an array: '${keys[i + 1]}' is not an index`;
    o = next as Record<string, unknown>;
  }
  o[keys[keys.length - 1]] = value;
  return undefined;
}

export interface LoadedWorkflow {
  registry: NodeRegistry;
  valid: ValidWorkflow;
}

/** Parse, load plugins, apply overrides and validate. Throws WorkflowError (exit code 2) on any problem. */
export async function loadWorkflow(file: string, sets: string[] = [], registry?: NodeRegistry): Promise<LoadedWorkflow> {
  const path = resolve(file);
  const wf = parseWorkflowFile(path);
  checkEnvelope(path, wf);
  const reg = registry ?? await createRegistry();
  const problems: string[] = [];
  for (const p of wf.plugins ?? []) {
    try {
      await loadPlugin(reg, p, dirname(path));
    } catch (e) {
      problems.push(`plugins: ${messageOf(e)}`);
    }
  }
  if (problems.length) throw new WorkflowError(path, problems);
  applyOverrides(path, wf, sets);
  return { registry: reg, valid: validateWorkflow(path, wf, reg) };
}

export type { RunOptions };

/** runWorkflow's result: the summary, each node's outputs, and why each computed node was recomputed. */
export interface RunResult extends EngineRunResult {
  /** nodeId -> the cache key components that changed since this workflow's last run in this cache (computed nodes only). */
  explain: Map<string, string[]>;
}

/** Run a validated workflow; records its nodes' key parts in the cache so the next run can explain recomputations. */
export async function runWorkflow(wf: ValidWorkflow, opts: RunOptions): Promise<RunResult> {
  const parts = await computeKeyParts(wf, dirname(resolve(wf.file)), resolve(opts.outDir));
  const previous = readRunRecord(opts.cacheDir, wf.file);
  const result = await runValidWorkflow(wf, opts) as RunResult;
  const explain = new Map<string, string[]>();
  const done: RunRecord['nodes'] = {};
  for (const s of result.nodes) {
    const n = wf.byId.get(s.id)!;
    const p = parts.get(s.id)!;
    if (s.status === 'computed') explain.set(s.id, explainChange(s.id, previous?.nodes[s.id]?.parts, p.parts, (port) => n.inputs[port]?.node));
    if (s.status === 'computed' || s.status === 'cached') done[s.id] = p;
  }
  writeRunRecord(opts.cacheDir, wf.file, done);
  Object.defineProperty(result, 'explain', { value: explain, enumerable: false }); // not part of --summary files
  return result;
}
