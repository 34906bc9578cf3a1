// Connected-component labelling of a binary mask (scipy.ndimage.label; ClearMap uses its default
// structure, i.e. 6-connectivity in 3D). Two-pass union-find. Labels are 1..count, numbered in the
// order their first voxel appears in raster order (x fastest, then y, then z).
import type { Shape3 } from '../../engine/data/volume.js';
import { neighbourhood, type Connectivity } from './neighbourhood.js';

export interface Labelling { labels: Int32Array; count: number }

export function labelComponents(mask: Uint8Array, shape: Shape3, connectivity: Connectivity = 6): Labelling {
  const [X, Y, Z] = shape;
  const N = X * Y * Z;
  if (mask.length !== N) throw new Error(`label: mask length ${mask.length} does not match shape [${shape.join(', ')}]`);
  const nb = neighbourhood(shape, connectivity);
  const before = nb.before;
  const labels = new Int32Array(N);
  let parent = new Int32Array(1024);
  let next = 1;
  const find = (a: number) => {
    let r = a;
    while (parent[r] !== r) r = parent[r];
    while (parent[a] !== r) { const n = parent[a]; parent[a] = r; a = n; } // path compression
    return r;
  };
  for (let z = 0, p = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++, p++) {
    if (!mask[p]) continue;
    let root = 0;
    for (const k of before) {
      const a = x + nb.dx[k], b = y + nb.dy[k], c = z + nb.dz[k];
      if (a < 0 || a >= X || b < 0 || b >= Y || c < 0) continue;
      const l = labels[p + nb.offsets[k]];
      if (l === 0) continue;
      const r = find(l);
      if (root === 0) root = r;
      else if (r !== root) { if (r < root) { parent[root] = r; root = r; } else parent[r] = root; }
    }
    if (root === 0) {
      if (next === parent.length) { const g = new Int32Array(parent.length * 2); g.set(parent); parent = g; }
      parent[next] = next;
      root = next++;
    }
    labels[p] = root;
  }
  // final labels: consecutive, in order of first appearance of each root
  const final = new Int32Array(next);
  let count = 0;
  for (let p = 0; p < N; p++) {
    const l = labels[p];
    if (l === 0) continue;
    const r = find(l);
    if (final[r] === 0) final[r] = ++count;
    labels[p] = final[r];
  }
  return { labels, count };
}
