// Load and validate a workflow before anything runs. Every problem is collected (not just the first)
// and names the node id and the param or port path, e.g. `node 'dog': params.sigma: must be number`.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { NodeRegistry } from '../core/registry.js';
import type { NodeType } from '../core/node-type.js';
import type { Services } from '../core/services.js';
import { WorkflowError } from '../core/errors.js';
import { outPathProblem } from '../core/out-path.js';
import { FILE_RESOLVER, resolvePathParams } from './paths.js';
import { workflowEnvelopeSchema, type Workflow, type WorkflowNode } from './format.js';

export interface ResolvedNode {
  id: string;
  spec: WorkflowNode;
  type: NodeType;
  /** Params with schema defaults filled in and path params (`format: 'path'`) made absolute. */
  params: Record<string, unknown>;
  /** input port -> producing node id + output port */
  inputs: Record<string, { node: string; port: string }>;
}

export interface ValidWorkflow {
  file: string;
  workflow: Workflow;
  /** Nodes in a topological order (inputs before consumers; ties broken by file order). */
  order: ResolvedNode[];
  byId: Map<string, ResolvedNode>;
  /** The registry's services (what ctx.services gives nodes). */
  services: Services;
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
// `format: 'path'` marks params naming files the node reads (resolved and fingerprinted by the engine)
ajv.addFormat('path', true);
const envelope = ajv.compile(workflowEnvelopeSchema);
const paramValidators = new WeakMap<NodeType, ValidateFunction>();

/**
 * One node's params validated as in a workflow (schema defaults filled in, path params resolved against
 * `baseDir`, check() run), typed as the node receives them. For tests and programs that call a node directly; throws naming the params.
 */
export function nodeParams<P>(type: NodeType<P>, params: Record<string, unknown> = {}, baseDir = process.cwd()): P {
  const t = type as NodeType;
  let out = structuredClone(params);
  const v = paramsValidator(t);
  if (!v(out)) throw new Error(`node type '${t.type}': ${(v.errors ?? []).map((e) => describe(e, 'params')).join('; ')}`);
  out = resolvePathParams(t.params, out, baseDir);
  const problems = t.check?.(out) ?? [];
  if (problems.length) throw new Error(`node type '${t.type}': ${problems.join('; ')}`);
  return out as P;
}

function paramsValidator(t: NodeType): ValidateFunction {
  let v = paramValidators.get(t);
  if (!v) {
    v = ajv.compile({ ...t.params, additionalProperties: t.params.additionalProperties ?? false });
    paramValidators.set(t, v);
  }
  return v;
}

function describe(e: ErrorObject, root: string): string {
  const path = root + e.instancePath.replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.');
  if (e.keyword === 'additionalProperties') return `${path}: unknown property '${(e.params as { additionalProperty: string }).additionalProperty}'`;
  if (e.keyword === 'enum') return `${path}: must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
  if (e.keyword === 'required') return `${path}: missing required '${(e.params as { missingProperty: string }).missingProperty}'`;
  return `${path}: ${e.message}`;
}

export function parseWorkflowFile(file: string): Workflow {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new WorkflowError(file, [`cannot read the workflow file: ${(e as NodeJS.ErrnoException).code ?? e}`]);
  }
  try {
    return JSON.parse(text) as Workflow;
  } catch (e) {
    throw new WorkflowError(file, [`not valid JSON: ${(e as Error).message}`]);
  }
}

/** Check the envelope only (before plugins are known). */
export function checkEnvelope(file: string, wf: unknown): asserts wf is Workflow {
  if (!envelope(wf)) throw new WorkflowError(file, (envelope.errors ?? []).map((e) => describe(e, 'workflow')));
}

export function validateWorkflow(file: string, wf: Workflow, registry: NodeRegistry): ValidWorkflow {
  checkEnvelope(file, wf);
  const problems: string[] = [];
  const byId = new Map<string, ResolvedNode>();
  for (const spec of wf.nodes) {
    const where = `node '${spec.id}'`;
    if (byId.has(spec.id)) { problems.push(`${where}: duplicate node id`); continue; }
    const type = registry.get(spec.type);
    if (!type) {
      const known = registry.all().map((t) => t.type);
      const close = known.filter((k) => k.includes(spec.type) || spec.type.includes(k));
      problems.push(`${where}: unknown node type '${spec.type}'${close.length ? ` (did you mean ${close.map((c) => `'${c}'`).join(', ')}?)` : ''}; is its plugin listed under "plugins"?`);
      continue;
    }
    let params = structuredClone(spec.params ?? {});
    const v = paramsValidator(type);
    if (!v(params)) problems.push(...(v.errors ?? []).map((e) => `${where}: ${describe(e, 'params')}`));
    else {
      params = resolvePathParams(type.params, params, dirname(file), registry.services.find(FILE_RESOLVER));
      if (type.check) problems.push(...type.check(params).map((m) => `${where}: ${m.startsWith('params.') ? m : `params.${m}`}`));
    }
    // result writers: refuse '..' and absolute destinations before anything runs (the --out jail)
    if (type.kind === 'whole' && type.producesFiles && typeof params.path === 'string' && outPathProblem(params.path)) problems.push(`${where}: params.path: ${outPathProblem(params.path)}`);
    const inputs: ResolvedNode['inputs'] = {};
    for (const [port, ref] of Object.entries(spec.inputs ?? {})) {
      const [node, out] = ref.split('.');
      inputs[port] = { node, port: out };
    }
    byId.set(spec.id, { id: spec.id, spec, type, params, inputs });
  }

  // wiring: unknown ports, dangling references, type mismatches, missing required inputs
  for (const n of byId.values()) {
    const where = `node '${n.id}'`;
    for (const [port, src] of Object.entries(n.inputs)) {
      const spec = n.type.inputs[port];
      if (!spec) { problems.push(`${where}: inputs.${port}: '${n.type.type}' has no input '${port}' (inputs: ${Object.keys(n.type.inputs).join(', ') || 'none'})`); continue; }
      const from = byId.get(src.node);
      if (!from) {
        if (!wf.nodes.some((s) => s.id === src.node)) problems.push(`${where}: inputs.${port}: refers to node '${src.node}', which does not exist`);
        continue;
      }
      const out = from.type.outputs[src.port];
      if (!out) { problems.push(`${where}: inputs.${port}: node '${src.node}' (${from.type.type}) has no output '${src.port}' (outputs: ${Object.keys(from.type.outputs).join(', ')})`); continue; }
      if (out.type !== spec.type) problems.push(`${where}: inputs.${port}: expects ${spec.type} but '${src.node}.${src.port}' is ${out.type}`);
    }
    for (const [port, spec] of Object.entries(n.type.inputs)) {
      if (!spec.optional && !n.inputs[port]) problems.push(`${where}: inputs.${port}: required input (${spec.type}) is not connected`);
    }
  }

  const order = topologicalOrder(wf, byId, problems);
  if (problems.length) throw new WorkflowError(file, problems);
  return { file, workflow: wf, order, byId, services: registry.services };
}

function topologicalOrder(wf: Workflow, byId: Map<string, ResolvedNode>, problems: string[]): ResolvedNode[] {
  const indeg = new Map<string, number>();
  const users = new Map<string, string[]>();
  for (const n of byId.values()) {
    indeg.set(n.id, 0);
    users.set(n.id, []);
  }
  for (const n of byId.values()) {
    for (const src of new Set(Object.values(n.inputs).map((s) => s.node))) {
      if (!byId.has(src)) continue;
      indeg.set(n.id, indeg.get(n.id)! + 1);
      users.get(src)!.push(n.id);
    }
  }
  const fileOrder = wf.nodes.map((n) => n.id).filter((id) => byId.has(id));
  const ready = fileOrder.filter((id) => indeg.get(id) === 0);
  const order: ResolvedNode[] = [];
  while (ready.length) {
    const id = ready.shift()!;
    order.push(byId.get(id)!);
    for (const u of users.get(id)!) {
      indeg.set(u, indeg.get(u)! - 1);
      if (indeg.get(u) === 0) ready.push(u);
    }
    ready.sort((a, b) => fileOrder.indexOf(a) - fileOrder.indexOf(b));
  }
  if (order.length < byId.size) {
    const stuck = fileOrder.filter((id) => indeg.get(id)! > 0);
    problems.push(`cycle: nodes ${stuck.map((s) => `'${s}'`).join(', ')} depend on each other (inputs ${stuck.map((s) => `${s}.inputs → ${[...new Set(Object.values(byId.get(s)!.inputs).map((i) => i.node))].join('/')}`).join('; ')})`);
  }
  return order;
}

/** The full JSON Schema of workflows for the registered node types (for editors and `clearmap schema`). */
export function composeSchema(registry: NodeRegistry): Record<string, unknown> {
  const types = registry.all();
  const base = structuredClone(workflowEnvelopeSchema) as unknown as {
    properties: { nodes: { items: Record<string, unknown> & { properties: Record<string, unknown> } } };
  };
  const item = base.properties.nodes.items;
  item.properties.type = { enum: types.map((t) => t.type), description: 'Node type (see `clearmap nodes`).' };
  item.allOf = types.map((t) => ({
    if: { properties: { type: { const: t.type } } },
    then: {
      properties: {
        params: { ...t.params, additionalProperties: t.params.additionalProperties ?? false, description: t.description },
        inputs: {
          type: 'object',
          additionalProperties: false,
          properties: Object.fromEntries(Object.entries(t.inputs).map(([k, p]) => [k, { type: 'string', description: `${p.type}: ${p.description}` }])),
          required: Object.entries(t.inputs).filter(([, p]) => !p.optional).map(([k]) => k),
        },
      },
    },
  }));
  return base as unknown as Record<string, unknown>;
}
