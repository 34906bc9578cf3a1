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

/** Per-element plan: chords grouped by x-run (a disk's rows at +dy and -dy share one), lengths ascending. */
interface Plan {
  groups: Array<{ a: number; b: number; li: number; dys: number[] }>;
  /** Length indices in increasing length order. */
  order: number[];
  dyMin: number;
  R: number;
}
const plans = new WeakMap<FlatElement, Plan>();

function planOf(se: FlatElement): Plan {
  let p = plans.get(se);
  if (p) return p;
  const { chords, lengths } = se;
  const dyMin = Math.min(...chords.map((c) => c.dy)), dyMax = Math.max(...chords.map((c) => c.dy));
  const groups = new Map<string, { a: number; b: number; li: number; dys: number[] }>();
  for (const c of chords) {
    const key = `${c.a},${c.b}`;
    const g = groups.get(key) ?? groups.set(key, { a: c.a, b: c.b, li: c.lengthIndex, dys: [] }).get(key)!;
    g.dys.push(c.dy);
  }
  const order = lengths.map((L, i) => [L, i]).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
  p = { groups: [...groups.values()], order, dyMin, R: dyMax - dyMin + 1 };
  plans.set(se, p);
  return p;
}

/** Scratch per (element, row length): the ring of per-row window minima, reused across planes. */
interface Rows { ring: Float64Array[][]; ringRow: Int32Array; work: Float64Array; line: Float64Array }
const rowCache = new WeakMap<FlatElement, Map<number, Rows>>();

function rowsFor(se: FlatElement, X: number, plan: Plan): Rows {
  let m = rowCache.get(se);
  if (!m) rowCache.set(se, (m = new Map()));
  let r = m.get(X);
  if (!r) {
    const Lmax = Math.max(...se.lengths);
    const ring: Float64Array[][] = [];
    for (let k = 0; k < plan.R; k++) ring.push(se.lengths.map((L) => new Float64Array(X + L - 1)));
    r = { ring, ringRow: new Int32Array(plan.R), work: new Float64Array(2 * (X + 3 * Lmax)), line: new Float64Array(X) };
    m.set(X, r);
  }
  r.ringRow.fill(-1);
  return r;
}

/**
 * Grey erosion of one X x Y plane (src[offset ...]) by a flat element into out (length X * Y), pixels
 * outside the plane ignored; with `negate`, the erosion of -src is computed and -result written, i.e.
 * the dilation (OpenCV does not mirror the element for dilation, so dilate(f) = -erode(-f) exactly).
 * One code path (minimum only) keeps the hot loops monomorphic and branch-free.
 */
function erodePlane(src: Float64Array, offset: number, X: number, Y: number, se: FlatElement, negate: boolean, out: Float64Array): void {
  const plan = planOf(se);
  const { lengths } = se;
  const { groups, order, R } = plan;
  const { ring, ringRow, work, line } = rowsFor(se, X, plan);
  const ensureRow = (r: number): Float64Array[] => {
    const slot = r % R;
    const rows = ring[slot];
    if (ringRow[slot] === r) return rows;
    const o = offset + r * X;
    if (negate) for (let x = 0; x < X; x++) line[x] = -src[o + x];
    else for (let x = 0; x < X; x++) line[x] = src[o + x];
    let prev = -1;
    for (const li of order) {
      const L = lengths[li];
      const d = prev < 0 ? 0 : L - lengths[prev];
      if (prev < 0 || d > lengths[prev]) {
        runningExtremum(line, 0, X, L, true, rows[li], work);
      } else {
        // H_L'[t] = min(H_L[t - d], H_L[t]), entries outside H_L's range [0, n1) ignored:
        // t < d: H_L[t]; d <= t < n1: both; t >= n1: H_L[t - d]
        const H = rows[prev], O = rows[li], n1 = X + lengths[prev] - 1, n2 = X + L - 1;
        let t = 0;
        for (; t < d; t++) O[t] = H[t];
        for (; t < n1; t++) { const a = H[t - d], b = H[t]; O[t] = a < b ? a : b; }
        for (; t < n2; t++) O[t] = H[t - d];
      }
      prev = li;
    }
    ringRow[slot] = r;
    return rows;
  };
  const sign = negate ? -1 : 1;
  for (let y = 0; y < Y; y++) {
    const o = y * X;
    let first = true;
    for (const g of groups) {
      // window [x + a, x + b] is stored at index x + b; x where it lies wholly outside the row keep +Infinity
      const x0 = Math.max(0, -g.b), x1 = Math.min(X, X - g.a), b = g.b;
      let H1: Float64Array | null = null;
      for (const dy of g.dys) {
        const r = y + dy;
        if (r < 0 || r >= Y) continue;
        const H = ensureRow(r)[g.li];
        if (H1 === null) { H1 = H; continue; }
        if (first) {
          for (let x = 0; x < x0; x++) out[o + x] = Infinity;
          for (let x = x0; x < x1; x++) { const u = H1[x + b], v = H[x + b]; out[o + x] = u < v ? u : v; }
          for (let x = x1; x < X; x++) out[o + x] = Infinity;
          first = false;
        } else {
          for (let x = x0; x < x1; x++) { const u = H1[x + b], v = H[x + b], w = out[o + x], m = u < v ? u : v; out[o + x] = m < w ? m : w; }
        }
        H1 = null;
      }
      if (H1 !== null) {
        if (first) {
          for (let x = 0; x < x0; x++) out[o + x] = Infinity;
          for (let x = x0; x < x1; x++) out[o + x] = H1[x + b];
          for (let x = x1; x < X; x++) out[o + x] = Infinity;
          first = false;
        } else {
          for (let x = x0; x < x1; x++) { const v = H1[x + b], w = out[o + x]; out[o + x] = v < w ? v : w; }
        }
      }
    }
    if (first) out.fill(Infinity, o, o + X);
    if (sign < 0) for (let x = 0; x < X; x++) out[o + x] = -out[o + x];
  }
}

/**
 * Grey erosion (isMin) or dilation of one X x Y plane (src[offset ...]) by a flat element, into out
 * (length X * Y). Pixels outside the plane are ignored.
 */
export function morphPlane(src: Float64Array, offset: number, X: number, Y: number, se: FlatElement, isMin: boolean, out: Float64Array): void {
  erodePlane(src, offset, X, Y, se, !isMin, out);
}

/** OpenCV's MORPH_OPEN (erode, then dilate with the same element) of one plane, into out. */
export function openPlane(src: Float64Array, offset: number, X: number, Y: number, se: FlatElement, out: Float64Array, tmp: Float64Array = new Float64Array(X * Y)): void {
  erodePlane(src, offset, X, Y, se, false, tmp);
  erodePlane(tmp, 0, X, Y, se, true, out);
}
