// Seeded (marker-controlled) watershed flooding in increasing `image` order, restricted to `mask`,
// as skimage.segmentation.watershed (which ClearMap's detectCellShape calls with -img, so the
// brightest voxels flood first). Priority = (value, age): age is the push counter, so on plateaus
// voxels go to the nearest marker; markers all have age 0 and are ordered by voxel index, which
// makes the result deterministic and independent of label numbering. A voxel takes the label of the
// neighbour that first pushes it (skimage's non-compact mode).
import type { Shape3 } from '../../engine/data/volume.js';
import { neighbourhood, type Connectivity } from './neighbourhood.js';
import { scratchInt32 } from './scratch.js';
import { watershedU16Wasm } from './wasm/watershed.js';

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
  if (image instanceof Uint16Array) {
    const w = watershedU16Wasm(image, markers, mask, shape, connectivity, descending); // the same labels; null when off
    if (w !== null) return w;
  }
  const levels = integerLevels(image);
  if (levels) return bucketWatershed(image as IntegerImage, levels, markers, mask, shape, connectivity, descending);
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

type IntegerImage = Uint8Array | Int8Array | Uint16Array | Int16Array;

/** [lowest, highest] value of a small-integer image type (bucket queue applicable), else null. */
function integerLevels(image: ArrayLike<number>): [number, number] | null {
  if (image instanceof Uint8Array || image instanceof Uint8ClampedArray) return [0, 255];
  if (image instanceof Int8Array) return [-128, 127];
  if (image instanceof Uint16Array) return [0, 65535];
  if (image instanceof Int16Array) return [-32768, 32767];
  return null;
}

/**
 * The same flood with a bucket queue (one FIFO per grey level) for small-integer images: popping the
 * head of the lowest non-empty level yields exactly the heap's (value, age, index) order — within a
 * level FIFO order is push order, i.e. age order, and the markers (age 0) are pushed first in voxel
 * order — so the labels are identical, at O(1) per voxel instead of O(log n).
 * The queue is a linked list through `next` (a voxel is pushed at most once); a two-level bitmap of
 * non-empty levels finds the lowest one in a few word tests.
 */
function bucketWatershed(image: IntegerImage, levels: [number, number], markers: Int32Array, mask: Uint8Array | null, shape: Shape3, connectivity: Connectivity, descending: boolean): Int32Array {
  const [X, Y, Z] = shape;
  const N = X * Y * Z;
  const [lo, hi] = levels;
  const B = hi - lo + 1;
  const headOf = new Int32Array(B).fill(-1);
  const tailOf = new Int32Array(B);
  const next = scratchInt32('watershed.next', N);
  const bits0 = new Int32Array((B + 31) >>> 5);
  const bits1 = new Int32Array((bits0.length + 31) >>> 5);
  const out = new Int32Array(N);
  const levelOf = descending ? (v: number) => hi - v : (v: number) => v - lo;
  let cur = B; // no bucket below cur is non-empty
  const push = (b: number, p: number) => {
    next[p] = -1;
    if (headOf[b] < 0) {
      headOf[b] = p;
      bits0[b >>> 5] |= 1 << (b & 31);
      bits1[b >>> 10] |= 1 << ((b >>> 5) & 31);
      if (b < cur) cur = b;
    } else next[tailOf[b]] = p;
    tailOf[b] = p;
  };
  for (let p = 0; p < N; p++) {
    if (markers[p] !== 0 && (!mask || mask[p])) { out[p] = markers[p]; push(levelOf(image[p]), p); }
  }
  const nb = neighbourhood(shape, connectivity);
  const K = nb.offsets.length;
  const offsets = nb.offsets, ndx = nb.dx, ndy = nb.dy, ndz = nb.dz;
  for (;;) {
    // lowest non-empty level >= cur
    let w1 = cur >>> 10;
    let word = w1 < bits1.length ? bits1[w1] & (-1 << ((cur >>> 5) & 31)) : 0;
    while (word === 0 && ++w1 < bits1.length) word = bits1[w1];
    if (word === 0) break;
    const w0 = (w1 << 5) + (31 - Math.clz32(word & -word));
    let b0 = bits0[w0];
    if (w0 === cur >>> 5) b0 &= -1 << (cur & 31);
    const b = (w0 << 5) + (31 - Math.clz32(b0 & -b0));
    cur = b;
    const p = headOf[b];
    const nx = next[p];
    if (nx < 0) {
      headOf[b] = -1;
      if ((bits0[w0] &= ~(1 << (b & 31))) === 0) bits1[w0 >>> 5] &= ~(1 << (w0 & 31));
    } else headOf[b] = nx;
    const label = out[p];
    const x = p % X, yz = (p - x) / X, y = yz % Y, z = (yz - y) / Y;
    const border = x === 0 || y === 0 || z === 0 || x === X - 1 || y === Y - 1 || z === Z - 1;
    for (let k = 0; k < K; k++) {
      if (border) {
        const a = x + ndx[k], c = y + ndy[k], e = z + ndz[k];
        if (a < 0 || a >= X || c < 0 || c >= Y || e < 0 || e >= Z) continue;
      }
      const q = p + offsets[k];
      if (out[q] !== 0 || (mask !== null && mask[q] === 0)) continue;
      out[q] = label;
      push(levelOf(image[q]), q);
    }
  }
  return out;
}
