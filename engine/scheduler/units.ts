// Which nodes run fused in one worker task per chunk. A chunk node joins the unit of its producers
// when every input it takes from chunk nodes comes from that one unit and its `input` volume is
// either produced in the unit or is the unit's own source volume. A unit is therefore a small DAG
// (e.g. background -> dog -> maxima -> shape, where shape floods the background image from the
// maxima's points) whose intermediate values never leave the worker; only its last node's output
// is joined and cached. Every other node of a unit must be consumed inside the unit only; where a
// greedy fusion breaks that, the nodes involved fall back to plain chains (a node fuses into its
// `input` producer only when that producer has no other consumer).
import type { ChunkNodeType } from '../core/node-type.js';
import type { ResolvedNode, ValidWorkflow } from '../workflow/validate.js';
import { SOURCE_LINK } from './chunk-task.js';

export interface Unit {
  /** Nodes of a fused chain in topological order (a single node for whole nodes and lone chunk nodes). */
  nodes: ResolvedNode[];
  last: ResolvedNode;
}

export function planUnits(wf: ValidWorkflow): Unit[] {
  const linearOnly = new Set<string>();
  for (;;) {
    const units = plan(wf, linearOnly);
    const broken = invalidNodes(wf, units);
    if (broken.length === 0) return units;
    for (const id of broken) linearOnly.add(id);
  }
}

function plan(wf: ValidWorkflow, linearOnly: Set<string>): Unit[] {
  const consumers = consumerMap(wf);
  const unitOf = new Map<string, Unit>();
  const units: Unit[] = [];
  const fusableSource = (id: string) => {
    const m = wf.byId.get(id)!;
    return m.type.kind === 'chunk' && m.type.produces !== 'reduce' && !m.spec.materialize;
  };
  for (const n of wf.order) {
    let target: Unit | undefined;
    const src = n.inputs.input;
    if (n.type.kind === 'chunk' && src) {
      if (linearOnly.has(n.id) || linearOnly.has(src.node)) {
        const s = wf.byId.get(src.node)!;
        if (fusableSource(src.node) && (s.type as ChunkNodeType).produces === 'volume' && consumers.get(src.node)!.size === 1) target = unitOf.get(src.node);
      } else {
        const fromChunks = Object.values(n.inputs).filter((s) => fusableSource(s.node)).map((s) => unitOf.get(s.node)!);
        const distinct = new Set(fromChunks);
        if (distinct.size === 1) {
          const u = fromChunks[0];
          const head = u.nodes[0].inputs.input;
          const inputOk = unitOf.get(src.node) === u || (!!head && head.node === src.node && head.port === src.port);
          if (inputOk && !u.nodes.some((m) => linearOnly.has(m.id))) target = u;
        }
      }
    }
    if (target) {
      target.nodes.push(n);
      target.last = n;
      unitOf.set(n.id, target);
    } else {
      const u = { nodes: [n], last: n };
      units.push(u);
      unitOf.set(n.id, u);
    }
  }
  return units;
}

function consumerMap(wf: ValidWorkflow): Map<string, Set<string>> {
  const consumers = new Map<string, Set<string>>(wf.order.map((n) => [n.id, new Set<string>()]));
  for (const n of wf.order) for (const s of Object.values(n.inputs)) consumers.get(s.node)!.add(n.id);
  return consumers;
}

/** Nodes of units whose inner nodes are consumed outside the unit (or not at all). */
function invalidNodes(wf: ValidWorkflow, units: Unit[]): string[] {
  const consumers = consumerMap(wf);
  const bad: string[] = [];
  for (const u of units) {
    if (u.nodes.length < 2) continue;
    const ids = new Set(u.nodes.map((m) => m.id));
    const ok = u.nodes.every((m) => m === u.last || (consumers.get(m.id)!.size > 0 && [...consumers.get(m.id)!].every((c) => ids.has(c))));
    if (!ok) bad.push(...ids);
  }
  return bad;
}

/**
 * Ports of `n` fed inside its unit: port -> earlier node id, or SOURCE_LINK for the unit's source
 * volume (the head's `input`). Ports not listed are resolved as whole artefacts before the stream.
 */
export function stageLinks(u: Unit, n: ResolvedNode): Record<string, string> {
  const ids = new Set(u.nodes.map((m) => m.id));
  const head = u.nodes[0].inputs.input;
  const links: Record<string, string> = {};
  for (const [port, s] of Object.entries(n.inputs)) {
    if (n === u.nodes[0] && port === 'input') links[port] = SOURCE_LINK;
    else if (ids.has(s.node) && s.node !== n.id) links[port] = s.node;
    else if (head && s.node === head.node && s.port === head.port && (port === 'input' || wf_isVolumePort(n, port))) links[port] = SOURCE_LINK;
  }
  return links;
}

function wf_isVolumePort(n: ResolvedNode, port: string): boolean {
  return n.type.inputs[port]?.type === 'volume';
}
