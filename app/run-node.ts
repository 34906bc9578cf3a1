// runNode: run one node type on given input artefacts through the real engine (validation with
// defaults, path resolution, cache, worker pool, chunking) — the test harness for plugin authors.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Subject } from 'rxjs';
import type { Artefact } from '../engine/core/artefacts.js';
import type { EngineEvent } from '../engine/core/events.js';
import type { NodeType, WholeNodeType } from '../engine/core/node-type.js';
import { nodeTypesModule } from '../engine/core/registry.js';
import type { ServiceBinding } from '../engine/core/services.js';
import { validateWorkflow } from '../engine/workflow/validate.js';
import type { Workflow, WorkflowSettings } from '../engine/workflow/format.js';
import { createRegistry, runWorkflow, type RunResult } from './engine.js';

export interface RunNodeOptions {
  /** Cache folder (default: a new temp folder, left in place: output volumes live in it). */
  cacheDir?: string;
  /** Folder relative path params resolve against (default: the current directory). */
  baseDir?: string;
  /** Results folder of result writers (default: <cacheDir>/../out). */
  outDir?: string;
  workers?: number;
  /** Workflow settings, e.g. { chunkSizeMax: 4 } to force several chunks. */
  settings?: WorkflowSettings;
  /** Service implementations to bind for this run (e.g. a replacement registration backend). */
  services?: readonly ServiceBinding[];
}

export interface RunNodeResult {
  /** The node's output artefacts by port. */
  outputs: Record<string, Artefact>;
  /** The whole run (summary, statuses, chunk counts, explain). */
  run: RunResult;
  /** Everything the node logged (ctx.log). */
  logs: string[];
}

const INPUT_PREFIX = 'run-node.input.';

/**
 * Run `type` on `inputs` (artefacts by input port) with `params` (validated, defaults filled in, as in
 * a workflow). Throws NodeError when the node fails, WorkflowError for invalid params or inputs.
 */
export async function runNode(type: NodeType, inputs: Record<string, Artefact> = {}, params: Record<string, unknown> = {}, opts: RunNodeOptions = {}): Promise<RunNodeResult> {
  const registry = await createRegistry();
  // each input artefact comes from a tiny source node, so the node is wired exactly as in a workflow
  const sources: WholeNodeType[] = Object.entries(inputs).map(([port, artefact]) => ({
    kind: 'whole', type: `${INPUT_PREFIX}${port}`, version: '1', description: `runNode input '${port}'`,
    inputs: {}, outputs: { value: { type: artefact.kind, description: 'the given artefact' } },
    params: { type: 'object', properties: {}, additionalProperties: false },
    async run() { return { value: artefact }; },
  }));
  const builtin = registry.get(type.type) === type;
  await registry.load(nodeTypesModule([...(builtin ? [] : [type]), ...sources], opts.services ?? []), 'runNode');
  const baseDir = resolve(opts.baseDir ?? process.cwd());
  const cacheDir = resolve(opts.cacheDir ?? mkdtempSync(join(tmpdir(), 'clearmap-run-node-')));
  const workflow: Workflow = {
    version: 1,
    ...(opts.settings ? { settings: opts.settings } : {}),
    nodes: [
      ...Object.keys(inputs).map((port) => ({ id: `input-${port}`, type: `${INPUT_PREFIX}${port}` })),
      { id: 'node', type: type.type, params, inputs: Object.fromEntries(Object.keys(inputs).map((port) => [port, `input-${port}.value`])) },
    ],
  };
  const valid = validateWorkflow(join(baseDir, `run-node-${type.type}.json`), workflow, registry);
  const logs: string[] = [];
  const events = new Subject<EngineEvent>();
  events.subscribe((e) => { if (e.event === 'log' && e.node === 'node') logs.push(e.message); });
  const run = await runWorkflow(valid, { cacheDir, outDir: resolve(opts.outDir ?? join(cacheDir, '..', 'out')), workers: opts.workers ?? 1, events });
  const failed = run.nodes.find((n) => n.status === 'failed');
  if (failed) throw new Error(failed.error ?? `node (${type.type}) failed`);
  return { outputs: run.outputs.get('node')!, run, logs };
}
