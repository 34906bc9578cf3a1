// The workflow DAG as an SVG drawing: nodes in columns by depth (longest path from a source), in
// workflow order within a column, coloured by run status; edges are curves labelled by port.
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

export function dagSvg(nodes: readonly DagNode[], status: ReadonlyMap<string, NodeStatus>): string {
  if (nodes.length === 0) return '<p>No nodes.</p>';
  const layers = dagLayers(nodes);
  const rows = new Map<number, number>();
  const pos = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    const l = layers.get(n.id)!, r = rows.get(l) ?? 0;
    rows.set(l, r + 1);
    pos.set(n.id, { x: PAD + l * (BOX_W + GAP_X), y: PAD + r * (BOX_H + GAP_Y) });
  }
  const width = PAD * 2 + (Math.max(...layers.values()) + 1) * (BOX_W + GAP_X) - GAP_X;
  const height = PAD * 2 + Math.max(...rows.values()) * (BOX_H + GAP_Y) - GAP_Y;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="dag" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="workflow graph">`);
  parts.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="#666"/></marker></defs>');
  for (const e of dagEdges(nodes)) {
    const a = pos.get(e.from)!, b = pos.get(e.to)!;
    const x1 = a.x + BOX_W, y1 = a.y + BOX_H / 2, x2 = b.x, y2 = b.y + BOX_H / 2, mx = (x1 + x2) / 2;
    parts.push(`<path class="edge" d="M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}" fill="none" stroke="#666" stroke-width="1.4" marker-end="url(#arrow)"><title>${escapeHtml(`${e.from} → ${e.to}: ${e.label}`)}</title></path>`);
  }
  for (const n of nodes) {
    const { x, y } = pos.get(n.id)!;
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
