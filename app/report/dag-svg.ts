// The workflow DAG as an SVG drawing, laid out by dagre (@dagrejs/dagre: layered layout with crossing
// minimisation), coloured by run status; edges are curves with the ports as tooltips.
import dagre from '@dagrejs/dagre';
import type { NodeStatus } from '../../engine/core/events.js';
import { anchorId, escapeHtml } from './html.js';

export interface DagNode {
  id: string;
  type: string;
  /** input port → "<nodeId>.<outputPort>" */
  inputs: Record<string, string>;
}

export const STATUS_COLORS: Record<NodeStatus | 'unknown', string> = {
  computed: '#59a14f', cached: '#4e79a7', failed: '#e15759', skipped: '#bab0ac', unknown: '#ffffff',
};

const BOX_W = 170, BOX_H = 44, GAP_X = 70, GAP_Y = 18, PAD = 12;

interface Edge { from: string; to: string; label: string }

export function dagEdges(nodes: readonly DagNode[]): Edge[] {
  const ids = new Set(nodes.map((n) => n.id));
  const edges: Edge[] = [];
  for (const n of nodes) {
    for (const [port, ref] of Object.entries(n.inputs)) {
      const dot = ref.lastIndexOf('.');
      const from = dot > 0 ? ref.slice(0, dot) : ref;
      if (ids.has(from)) edges.push({ from, to: n.id, label: `${ref.slice(dot + 1)} → ${port}` });
    }
  }
  return edges;
}

/** Column of every node: 0 for sources, else 1 + the deepest input (cycles cannot occur in a valid workflow). */
export function dagLayers(nodes: readonly DagNode[]): Map<string, number> {
  const edges = dagEdges(nodes);
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) throw new Error(`workflow graph has a cycle through node '${id}'`);
    visiting.add(id);
    const d = Math.max(-1, ...edges.filter((e) => e.to === id).map((e) => depth(e.from))) + 1;
    visiting.delete(id);
    layer.set(id, d);
    return d;
  };
  for (const n of nodes) depth(n.id);
  return layer;
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * The DAG laid out by dagre (layered, crossings minimised, top to bottom so wide workflows stay
 * narrow), drawn as an SVG that scales down to the page width (viewBox, width 100%, never wider than
 * its natural size). Node boxes link to the node's section; edges carry the port names as tooltips.
 */
export function dagSvg(nodes: readonly DagNode[], status: ReadonlyMap<string, NodeStatus>): string {
  if (nodes.length === 0) return '<p>No nodes.</p>';
  dagLayers(nodes); // rejects cycles with a clear message
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: GAP_Y, ranksep: GAP_X / 1.5, edgesep: 8, marginx: PAD, marginy: PAD });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: BOX_W, height: BOX_H });
  // one drawn edge per pair of nodes (several ports between them share it; the tooltip lists them)
  const pairs = new Map<string, Edge>();
  for (const e of dagEdges(nodes)) {
    const k = JSON.stringify([e.from, e.to]);
    const seen = pairs.get(k);
    pairs.set(k, seen ? { ...seen, label: `${seen.label}, ${e.label}` } : e);
  }
  const edges = [...pairs.values()];
  edges.forEach((e, i) => g.setEdge(e.from, e.to, {}, `e${i}`));
  dagre.layout(g);
  const { width = BOX_W + 2 * PAD, height = BOX_H + 2 * PAD } = g.graph();
  const W = Math.ceil(width), H = Math.ceil(height);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="dag" width="100%" style="max-width:${W}px;height:auto" viewBox="0 0 ${W} ${H}" preserveAspectRatio="xMidYMin meet" role="img" aria-label="workflow graph">`);
  parts.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="#666"/></marker></defs>');
  edges.forEach((e, i) => {
    const pts = g.edge({ v: e.from, w: e.to, name: `e${i}` })?.points ?? [];
    if (pts.length < 2) return;
    // a smooth curve through dagre's points (quadratic segments between midpoints)
    let d = `M${r(pts[0].x)},${r(pts[0].y)}`;
    for (let k = 1; k < pts.length - 1; k++) d += ` Q${r(pts[k].x)},${r(pts[k].y)} ${r((pts[k].x + pts[k + 1].x) / 2)},${r((pts[k].y + pts[k + 1].y) / 2)}`;
    d += ` L${r(pts[pts.length - 1].x)},${r(pts[pts.length - 1].y)}`;
    parts.push(`<path class="edge" d="${d}" fill="none" stroke="#666" stroke-width="1.4" marker-end="url(#arrow)"><title>${escapeHtml(`${e.from} → ${e.to}: ${e.label}`)}</title></path>`);
  });
  for (const n of nodes) {
    const c = g.node(n.id);
    const x = r(c.x - BOX_W / 2), y = r(c.y - BOX_H / 2);
    const s = status.get(n.id);
    const fill = STATUS_COLORS[s ?? 'unknown'];
    const ink = s && s !== 'skipped' ? '#fff' : '#222';
    parts.push(`<a href="#${anchorId('node', n.id)}" class="dag-node" data-node="${escapeHtml(n.id)}">`
      + `<title>${escapeHtml(`${n.id} (${n.type}): ${s ?? 'not run'}`)}</title>`
      + `<rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="${fill}" stroke="#333"/>`
      + `<text x="${x + 8}" y="${y + 18}" font-family="sans-serif" font-size="13" font-weight="bold" fill="${ink}">${escapeHtml(clip(n.id, 22))}</text>`
      + `<text x="${x + 8}" y="${y + 35}" font-family="sans-serif" font-size="11" fill="${ink}">${escapeHtml(clip(`${n.type} · ${s ?? 'not run'}`, 27))}</text>`
      + '</a>');
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Coordinates rounded to 0.1 px: short, and the same layout gives the same bytes. */
function r(v: number): number {
  return Math.round(v * 10) / 10;
}
