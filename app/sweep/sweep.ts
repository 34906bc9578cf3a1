// `clearmap sweep`: every combination of --vary values run on a crop, sharing the cache (a node whose
// params and inputs do not change between variants — e.g. background removal — is computed once),
// then one HTML page comparing the variants. Sweep runs are ordinary workflow runs of a sub-workflow
// (the points node and what it needs, read-volume ranges set to the crop), so their cache entries are
// ordinary ones: the full-brain run later has other read ranges and reuses nothing wrongly.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Subject } from 'rxjs';
import type { PointsArtefact, VolumeRef } from '../../engine/core/artefacts.js';
import type { EngineEvent, NodeSummary } from '../../engine/core/events.js';
import { WorkflowError } from '../../engine/core/errors.js';
import type { Workflow, WorkflowNode } from '../../engine/workflow/format.js';
import { checkEnvelope, parseWorkflowFile, validateWorkflow } from '../../engine/workflow/validate.js';
import { createRegistry, runWorkflow } from '../engine.js';

export type CropRange = [number | null, number | null];
export interface Crop { x: CropRange; y: CropRange; z: CropRange }

export interface Vary {
  node: string;
  /** Param path inside the node's params, e.g. detectCellShapeParameter.threshold. */
  path: string[];
  values: unknown[];
}

export interface SweepOptions {
  crop: Crop;
  vary: Vary[];
  cacheDir: string;
  outDir: string;
  workers: number;
  /** Node whose points are compared (default: the last node producing points). */
  pointsNode?: string;
  events?: Subject<EngineEvent>;
}

export interface VariantResult {
  index: number;
  /** "node.path" -> value of this variant. */
  values: Record<string, unknown>;
  ok: boolean;
  error?: string;
  nodes: NodeSummary[];
  points?: PointsArtefact;
  seconds: number;
}

export interface SweepResult {
  workflow: string;
  name: string;
  crop: Crop;
  pointsNode: string;
  imageNode: string;
  image?: VolumeRef;
  /** The points node's params of the first variant (for pictures: cell size). */
  baseParams: Record<string, unknown>;
  variants: VariantResult[];
}

/** "100:400,0:300,5:25" -> ranges (empty ends are open). */
export function parseCrop(s: string): Crop {
  const parts = s.split(',');
  if (parts.length !== 3) throw new Error(`--crop ${s}: expected x0:x1,y0:y1,z0:z1 (voxels of the full stack; an empty end is open)`);
  const r = parts.map((p, i) => {
    const m = /^\s*(-?\d*)\s*:\s*(-?\d*)\s*$/.exec(p);
    if (!m) throw new Error(`--crop ${s}: '${p}' (${'xyz'[i]}) is not start:end`);
    return [m[1] === '' ? null : Number(m[1]), m[2] === '' ? null : Number(m[2])] as CropRange;
  });
  return { x: r[0], y: r[1], z: r[2] };
}

/** Split on commas outside brackets and quotes, so `size=[7,7],[9,9]` gives two arrays. */
export function splitValues(s: string): string[] {
  const out: string[] = [];
  let depth = 0, quote = false, cur = '';
  for (const ch of s) {
    if (ch === '"') quote = !quote;
    if (!quote && (ch === '[' || ch === '{')) depth++;
    if (!quote && (ch === ']' || ch === '}')) depth--;
    if (ch === ',' && depth === 0 && !quote) { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur);
  return out.map((v) => v.trim());
}

/** "cells.detectCellShapeParameter.threshold=150,200,250" -> Vary (values parsed as JSON, else strings). */
export function parseVary(s: string): Vary {
  const m = /^([^.=]+)\.([^=]+)=(.+)$/s.exec(s);
  if (!m) throw new Error(`--vary ${s}: expected <nodeId>.<param>[.<param>...]=<value>,<value>,...`);
  const values = splitValues(m[3]).map((v) => { try { return JSON.parse(v) as unknown; } catch { return v; } });
  if (values.length === 0 || values.some((v) => v === '')) throw new Error(`--vary ${s}: empty value`);
  return { node: m[1], path: m[2].split('.'), values };
}

/** Every combination, the first --vary slowest. */
export function combinations(vary: Vary[]): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const v of vary) {
    const key = `${v.node}.${v.path.join('.')}`;
    out = out.flatMap((c) => v.values.map((x) => ({ ...c, [key]: x })));
  }
  return out;
}

function setPath(params: Record<string, unknown>, path: string[], value: unknown): void {
  let o = params;
  for (const k of path.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null || Array.isArray(o[k])) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[path[path.length - 1]] = value;
}

const sourceOf = (wire: string) => wire.slice(0, wire.indexOf('.'));

/** The node ids `id` depends on (itself included). */
function upstream(wf: Workflow, id: string): Set<string> {
  const byId = new Map(wf.nodes.map((n) => [n.id, n]));
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const w of Object.values(byId.get(n)?.inputs ?? {})) visit(sourceOf(w));
  };
  visit(id);
  return seen;
}

/** The read-volume node feeding `id` through its `input` ports (the stack the points live in). */
function imageNodeOf(wf: Workflow, id: string): string | undefined {
  const byId = new Map(wf.nodes.map((n) => [n.id, n]));
  let n: WorkflowNode | undefined = byId.get(id);
  const seen = new Set<string>();
  while (n && !seen.has(n.id)) {
    seen.add(n.id);
    if (n.type === 'read-volume') return n.id;
    const wire = n.inputs?.input ?? n.inputs?.points ?? Object.values(n.inputs ?? {})[0];
    n = wire ? byId.get(sourceOf(wire)) : undefined;
  }
  return undefined;
}

/**
 * The sub-workflow a sweep runs: the points node and its upstream nodes, every read-volume among them
 * restricted to the crop (composed with a range it already has), the variant's values applied.
 */
export function sweepWorkflow(wf: Workflow, pointsNode: string, crop: Crop, values: Record<string, unknown>, vary: Vary[]): Workflow {
  const keep = upstream(wf, pointsNode);
  const nodes = structuredClone(wf.nodes.filter((n) => keep.has(n.id)));
  for (const n of nodes) {
    if (n.type !== 'read-volume') continue;
    const p = (n.params ??= {});
    for (const axis of ['x', 'y', 'z'] as const) {
      const c = crop[axis];
      if (c[0] === null && c[1] === null) continue;
      const old = p[axis] as CropRange | null | undefined;
      if (old && !((old[0] === null || old[0] === 0) && old[1] === null)) {
        throw new Error(`node '${n.id}': it already reads a ${axis} range ${JSON.stringify(old)}; give --crop in the coordinates of the full stack and remove the range (or set it to null)`);
      }
      p[axis] = [c[0] ?? 0, c[1]];
    }
  }
  for (const v of vary) {
    const n = nodes.find((x) => x.id === v.node);
    if (!n) throw new Error(`--vary ${v.node}.${v.path.join('.')}: node '${v.node}' is not one the points node '${pointsNode}' depends on (${[...keep].join(', ')})`);
    setPath((n.params ??= {}), v.path, values[`${v.node}.${v.path.join('.')}`]);
  }
  return { ...structuredClone(wf), name: `${wf.name ?? 'workflow'} (sweep)`, nodes };
}

/** Run every variant; failures are recorded per variant (the page shows them), not thrown. */
export async function runSweep(file: string, opts: SweepOptions): Promise<SweepResult> {
  const path = resolve(file);
  const wf = parseWorkflowFile(path);
  checkEnvelope(path, wf);
  const registry = await createRegistry();
  if (wf.plugins?.length) {
    const { loadPlugin } = await import('../../engine/core/plugins.js');
    for (const p of wf.plugins) await loadPlugin(registry, p, resolve(path, '..'));
  }
  // validate the full workflow once (and find the points node from the types)
  const full = validateWorkflow(path, wf, registry);
  const pointsNode = opts.pointsNode ?? [...full.order].reverse().find((n) => Object.values(n.type.outputs).some((o) => o.type === 'points'))?.id;
  if (!pointsNode) throw new WorkflowError(path, ['sweep: no node produces points; name one with --points <nodeId>']);
  if (!full.byId.get(pointsNode)) throw new WorkflowError(path, [`sweep: --points ${pointsNode}: no such node`]);
  const imageNode = imageNodeOf(wf, pointsNode);
  if (!imageNode) throw new WorkflowError(path, [`sweep: no read-volume node feeds '${pointsNode}'; the overlays need the stack the points were detected in`]);
  const problems: string[] = [];
  let plans: { values: Record<string, unknown>; wf: Workflow }[] = [];
  try {
    plans = combinations(opts.vary).map((values) => ({ values, wf: sweepWorkflow(wf, pointsNode, opts.crop, values, opts.vary) }));
  } catch (e) { problems.push((e as Error).message); }
  if (problems.length) throw new WorkflowError(path, problems);
  const valids = plans.map((p) => validateWorkflow(path, p.wf, registry)); // all variants are valid before any runs

  const result: SweepResult = {
    workflow: path, name: wf.name ?? path, crop: opts.crop, pointsNode, imageNode, variants: [],
    baseParams: (plans[0]?.wf.nodes.find((n) => n.id === pointsNode)?.params ?? {}),
  };
  mkdirSync(opts.outDir, { recursive: true });
  for (const [i, plan] of plans.entries()) {
    const t0 = performance.now();
    // variants run one after the other: the first computes the shared upstream nodes, the rest hit the cache
    const run = await runWorkflow(valids[i], { cacheDir: opts.cacheDir, outDir: join(opts.outDir, `variant-${i + 1}`), workers: opts.workers, events: opts.events });
    const points = run.outputs.get(pointsNode);
    const p = points ? Object.values(points).find((a) => a.kind === 'points') as PointsArtefact | undefined : undefined;
    const image = run.outputs.get(imageNode)?.volume as VolumeRef | undefined;
    if (image && !result.image) result.image = image;
    const failed = run.nodes.find((n) => n.status === 'failed');
    result.variants.push({
      index: i + 1, values: plan.values, ok: run.ok, ...(failed ? { error: failed.error } : {}),
      nodes: run.nodes, ...(p ? { points: p } : {}), seconds: (performance.now() - t0) / 1000,
    });
  }
  return result;
}
