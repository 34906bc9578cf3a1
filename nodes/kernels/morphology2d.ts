// 2D grey-scale morphology with flat structuring elements, plane by plane, as ClearMap's background
// removal does it (cv2.morphologyEx per z-slice with structureElement('Disk', size)).
//
// Speed: the structuring element is split into horizontal chords (one run of x-offsets per y-offset);
// for every distinct chord length the running min/max of every row is computed once (the shortest
// with van Herk/Gil-Werman, O(1) per pixel whatever the length; each longer one from the previous
// with one min per pixel), then each output pixel takes the extremum over the chords' precomputed
// values: ~(distinct lengths + chord count) operations per pixel instead of the element's area.
//
// Conventions follow OpenCV: element index i along an axis sits at offset i - floor(size / 2), the
// element is NOT mirrored for dilation, and pixels outside the image are ignored.
import { samplePositions } from './filter-kernel.js';
import { runningExtremum } from './running-extrema.js';

export interface Chord { dy: number; a: number; b: number; lengthIndex: number }

export interface FlatElement {
  /** Size [sx, sy]. */
  size: [number, number];
  /** mask[j * sx + i] = 1 where the element is on (x offset i - floor(sx/2), y offset j - floor(sy/2)). */
  mask: Uint8Array;
  chords: Chord[];
  /** Distinct chord lengths, indexed by Chord.lengthIndex. */
  lengths: number[];
}

/**
 * ClearMap's structureElement('Disk', (sx, sy)) (Filter/StructureElement.py, structureElement2D):
 * on where 1 - (x^2/rx^2 + y^2/ry^2) >= 0, positions as in filter kernels, r = min offset = floor(s/2)
 * for odd s ((s-1)/2) and s/2 for even s.
 */
export function diskElement(sx: number, sy: number): FlatElement {
  if (!(Number.isInteger(sx) && Number.isInteger(sy) && sx >= 2 && sy >= 2)) {
    throw new Error(`disk structuring element size must be two integers >= 2, got [${sx}, ${sy}]`);
  }
  const px = samplePositions(sx), py = samplePositions(sy);
  const rx = sx % 2 === 0 ? sx / 2 : (sx - 1) / 2;
  const ry = sy % 2 === 0 ? sy / 2 : (sy - 1) / 2;
  const mask = new Uint8Array(sx * sy);
  for (let j = 0; j < sy; j++) for (let i = 0; i < sx; i++) {
    mask[j * sx + i] = 1 - (px[i] * px[i] / (rx * rx) + py[j] * py[j] / (ry * ry)) >= 0 ? 1 : 0;
  }
  return flatElement(mask, sx, sy);
}

/** Decompose a flat element into chords; each row's on-pixels must form one run (true for convex elements). */
export function flatElement(mask: Uint8Array, sx: number, sy: number): FlatElement {
  const cx = sx >> 1, cy = sy >> 1;
  const chords: Chord[] = [];
  const lengths: number[] = [];
  for (let j = 0; j < sy; j++) {
    let first = -1, last = -1;
    for (let i = 0; i < sx; i++) if (mask[j * sx + i]) { if (first < 0) first = i; last = i; }
    if (first < 0) continue;
    for (let i = first; i <= last; i++) if (!mask[j * sx + i]) throw new Error(`structuring element row ${j} is not one run of pixels`);
    const L = last - first + 1;
    let li = lengths.indexOf(L);
    if (li < 0) { li = lengths.length; lengths.push(L); }
    chords.push({ dy: j - cy, a: first - cx, b: last - cx, lengthIndex: li });
  }
  if (chords.length === 0) throw new Error('structuring element is empty');
  return { size: [sx, sy], mask, chords, lengths };
}

/**
 * Grey erosion (isMin) or dilation of one X x Y plane (src[offset ...]) by a flat element, into out
 * (length X * Y). Pixels outside the plane are ignored.
 */
export function morphPlane(src: Float64Array, offset: number, X: number, Y: number, se: FlatElement, isMin: boolean, out: Float64Array): void {
  const { chords, lengths } = se;
  const dyMin = Math.min(...chords.map((c) => c.dy)), dyMax = Math.max(...chords.map((c) => c.dy));
  const R = dyMax - dyMin + 1;
  const Lmax = Math.max(...lengths);
  // ring of per-row window extrema: ring[r % R][lengthIndex][s + L - 1]
  const ring: Float64Array[][] = [];
  for (let r = 0; r < R; r++) ring.push(lengths.map((L) => new Float64Array(X + L - 1)));
  const ringRow = new Int32Array(R).fill(-1);
  const work = new Float64Array(2 * (X + 2 * Lmax + Lmax));
  const fill = isMin ? Infinity : -Infinity;
  // lengths in increasing order: a window of L' = L + d (d <= L) is the union of two windows of L
  // starting d apart, so each longer chord costs one min per pixel instead of a full running pass
  const order = lengths.map((L, i) => [L, i]).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
  const ensureRow = (r: number) => {
    const slot = r % R;
    if (ringRow[slot] === r) return;
    const rows = ring[slot];
    let prev = -1;
    for (const li of order) {
      const L = lengths[li];
      const d = prev < 0 ? 0 : L - lengths[prev];
      if (prev < 0 || d > lengths[prev]) {
        runningExtremum(src, offset + r * X, X, L, isMin, rows[li], work);
      } else {
        // H_L'[t] = ext(H_L[t - d], H_L[t]) with entries outside H_L's range [0, X + L - 2] ignored
        const H = rows[prev], out2 = rows[li], last = X + lengths[prev] - 2, n2 = X + L - 1;
        for (let t = 0; t < n2; t++) {
          const a = t - d >= 0 ? H[t - d] : fill, b = t <= last ? H[t] : fill;
          out2[t] = isMin ? (a < b ? a : b) : (a > b ? a : b);
        }
      }
      prev = li;
    }
    ringRow[slot] = r;
  };
  // chords with the same x-run (a disk's rows at +dy and -dy) are combined before touching `out`
  const groups = new Map<string, { a: number; b: number; li: number; dys: number[] }>();
  for (const c of chords) {
    const key = `${c.a},${c.b}`;
    const g = groups.get(key) ?? groups.set(key, { a: c.a, b: c.b, li: c.lengthIndex, dys: [] }).get(key)!;
    g.dys.push(c.dy);
  }
  const runs = [...groups.values()];
  const rowsOf: Float64Array[] = [];
  for (let y = 0; y < Y; y++) {
    const o = y * X;
    out.fill(fill, o, o + X);
    for (const g of runs) {
      rowsOf.length = 0;
      for (const dy of g.dys) {
        const r = y + dy;
        if (r < 0 || r >= Y) continue;
        ensureRow(r);
        rowsOf.push(ring[r % R][g.li]);
      }
      // window [x + a, x + b] is stored at index x + b; skip x where it lies wholly outside the row
      const x0 = Math.max(0, -g.b), x1 = Math.min(X, X - g.a), b = g.b;
      let k = 0;
      for (; k + 1 < rowsOf.length; k += 2) {
        const H1 = rowsOf[k], H2 = rowsOf[k + 1];
        if (isMin) for (let x = x0; x < x1; x++) { const u = H1[x + b], v = H2[x + b], m = u < v ? u : v; if (m < out[o + x]) out[o + x] = m; }
        else for (let x = x0; x < x1; x++) { const u = H1[x + b], v = H2[x + b], m = u > v ? u : v; if (m > out[o + x]) out[o + x] = m; }
      }
      if (k < rowsOf.length) {
        const H = rowsOf[k];
        if (isMin) for (let x = x0; x < x1; x++) { const v = H[x + b]; if (v < out[o + x]) out[o + x] = v; }
        else for (let x = x0; x < x1; x++) { const v = H[x + b]; if (v > out[o + x]) out[o + x] = v; }
      }
    }
  }
}

/** OpenCV's MORPH_OPEN (erode, then dilate with the same element) of one plane, into out. */
export function openPlane(src: Float64Array, offset: number, X: number, Y: number, se: FlatElement, out: Float64Array, tmp: Float64Array = new Float64Array(X * Y)): void {
  morphPlane(src, offset, X, Y, se, true, tmp);
  morphPlane(tmp, 0, X, Y, se, false, out);
}
