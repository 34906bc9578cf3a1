// Seeded (marker-controlled) watershed flooding in increasing `image` order, restricted to `mask`,
// as skimage.segmentation.watershed (which ClearMap's detectCellShape calls with -img, so the
// brightest voxels flood first). Priority = (value, age): age is the push counter, so on plateaus
// voxels go to the nearest marker; markers all have age 0 and are ordered by voxel index, which
// makes the result deterministic and independent of label numbering. A voxel takes the label of the
// neighbour that first pushes it (skimage's non-compact mode).
import type { Shape3 } from '../../engine/data/volume.js';
import { neighbourhood, type Connectivity } from './neighbourhood.js';

/** Binary min-heap on (value, age, index). */
class FloodHeap {
  value = new Float64Array(1024);
  age = new Float64Array(1024);
  index = new Int32Array(1024);
  size = 0;
  private less(a: number, b: number): boolean {
    const va = this.value[a], vb = this.value[b];
    if (va !== vb) return va < vb;
    const aa = this.age[a], ab = this.age[b];
    if (aa !== ab) return aa < ab;
    return this.index[a] < this.index[b];
  }
  private swap(a: number, b: number): void {
    const v = this.value[a]; this.value[a] = this.value[b]; this.value[b] = v;
    const g = this.age[a]; this.age[a] = this.age[b]; this.age[b] = g;
    const i = this.index[a]; this.index[a] = this.index[b]; this.index[b] = i;
  }
  push(value: number, age: number, index: number): void {
    if (this.size === this.value.length) {
      const n = this.size * 2;
      const v = new Float64Array(n); v.set(this.value); this.value = v;
      const g = new Float64Array(n); g.set(this.age); this.age = g;
      const i = new Int32Array(n); i.set(this.index); this.index = i;
    }
    let k = this.size++;
    this.value[k] = value; this.age[k] = age; this.index[k] = index;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!this.less(k, parent)) break;
      this.swap(k, parent); k = parent;
    }
  }
  /** Remove the top; returns its voxel index. */
  pop(): number {
    const top = this.index[0];
    const last = --this.size;
    if (last > 0) {
      this.value[0] = this.value[last]; this.age[0] = this.age[last]; this.index[0] = this.index[last];
      let k = 0;
      for (;;) {
        const l = 2 * k + 1, r = l + 1;
        let m = k;
        if (l < last && this.less(l, m)) m = l;
        if (r < last && this.less(r, m)) m = r;
        if (m === k) break;
        this.swap(k, m); k = m;
      }
    }
    return top;
  }
}

/**
 * Flood `image` (lowest first; brightest first with `descending`, i.e. the watershed of -image
 * without a negated copy) from `markers` (label > 0 per voxel) within `mask` (null = everywhere).
 * Markers outside the mask are dropped, as skimage does. Returns the label image.
 */
export function seededWatershed(image: ArrayLike<number>, markers: Int32Array, mask: Uint8Array | null, shape: Shape3, connectivity: Connectivity = 6, descending = false): Int32Array {
  const [X, Y, Z] = shape;
  const N = X * Y * Z;
  if (image.length !== N || markers.length !== N || (mask && mask.length !== N)) {
    throw new Error(`watershed: image/markers/mask lengths do not match shape [${shape.join(', ')}]`);
  }
  const nb = neighbourhood(shape, connectivity);
  const out = new Int32Array(N);
  const heap = new FloodHeap();
  for (let p = 0; p < N; p++) {
    if (markers[p] !== 0 && (!mask || mask[p])) { out[p] = markers[p]; heap.push(descending ? -image[p] : image[p], 0, p); }
  }
  let age = 1;
  const K = nb.offsets.length;
  while (heap.size > 0) {
    const p = heap.pop();
    const x = p % X, yz = (p - x) / X, y = yz % Y, z = (yz - y) / Y;
    const border = x === 0 || y === 0 || z === 0 || x === X - 1 || y === Y - 1 || z === Z - 1;
    for (let k = 0; k < K; k++) {
      if (border) {
        const a = x + nb.dx[k], b = y + nb.dy[k], c = z + nb.dz[k];
        if (a < 0 || a >= X || b < 0 || b >= Y || c < 0 || c >= Z) continue;
      }
      const q = p + nb.offsets[k];
      if (out[q] !== 0 || (mask && !mask[q])) continue;
      out[q] = out[p];
      heap.push(descending ? -image[q] : image[q], age++, q);
    }
  }
  return out;
}
