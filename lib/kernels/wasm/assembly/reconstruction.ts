// 26-connected grey reconstruction by dilation on padded float32 volumes: a line-by-line port of
// reconstruct26 in lib/kernels/reconstruction.ts (hybrid raster / anti-raster passes, then a bucket
// queue), with the same comparisons (so the same bits, NaN included); the per-row column extrema
// use 4-lane SIMD (f32x4.pmax / pmin are exactly `b > m ? b : m` / `b < m ? b : m`).
// The reconstruction is unique, so any correct schedule gives these bytes anyway.
//
// J (seed, reconstructed in place) and I (mask): (X+2)(Y+2)(Z+2) f32, -Infinity padding.
// next: i32 per voxel; queued: u8 per voxel; heads, tails: i32[NB]; col, colA: f32[X + 2 + 4].

const EXTRA_SCANS = 2;
const NB = 4096;

// @ts-ignore: decorator
@inline function ld(p: usize, i: i32): f32 { return load<f32>(p + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function st(p: usize, i: i32, v: f32): void { store<f32>(p + (<usize>i << 2), v); }

/** col[x] = max of J at the four rows r0..r3 (SIMD over x, PX values). */
function colMax(J: usize, col: usize, r0: i32, r1: i32, r2: i32, r3: i32, PX: i32): void {
  for (let x = 0; x < PX; x += 4) {
    const o = <usize>x << 2;
    let m = v128.load(J + (<usize>r0 << 2) + o);
    m = f32x4.pmax(m, v128.load(J + (<usize>r1 << 2) + o));
    m = f32x4.pmax(m, v128.load(J + (<usize>r2 << 2) + o));
    m = f32x4.pmax(m, v128.load(J + (<usize>r3 << 2) + o));
    v128.store(col + o, m);
  }
}

function scan(J: usize, I: usize, X: i32, Y: i32, Z: i32, col: usize, forward: bool): void {
  const PX = X + 2, PY = Y + 2, PP = PX * PY;
  for (let zi = 1; zi <= Z; zi++) for (let yi = 1; yi <= Y; yi++) {
    const z = forward ? zi : Z + 1 - zi, y = forward ? yi : Y + 1 - yi;
    const row = PX * y + PP * z;
    if (forward) colMax(J, col, row - PX - PP, row - PP, row + PX - PP, row - PX, PX);
    else colMax(J, col, row + PX + PP, row + PP, row - PX + PP, row + PX, PX);
    let prev = forward ? ld(J, row) : ld(J, row + X + 1);
    for (let xi = 1; xi <= X; xi++) {
      const x = forward ? xi : X + 1 - xi;
      const p = row + x;
      let m = ld(J, p);
      const ip = ld(I, p);
      if (m == ip) { prev = m; continue; }
      if (prev > m) m = prev;
      const a = ld(col, x - 1), b = ld(col, x), c = ld(col, x + 1);
      if (a > m) m = a; if (b > m) m = b; if (c > m) m = c;
      prev = m < ip ? m : ip;
      st(J, p, prev);
    }
  }
}

// @ts-ignore: decorator
@inline function bucketOf(v: f32, lo: f64, scale: f64): i32 {
  const k = Math.floor((<f64>v - lo) * scale);
  return k > 0 ? (k < NB ? <i32>k : NB - 1) : 0;
}

/** reconstruct26 in place in J; offs: the 26 neighbour offsets (i32) of the padded volume, in the JavaScript order. */
export function reconstruct26(J: usize, I: usize, X: i32, Y: i32, Z: i32, next: usize, queued: usize, heads: usize, tails: usize,
  col: usize, colA: usize, offs: usize): void {
  const PX = X + 2, PY = Y + 2, PP = PX * PY;
  for (let pass = 0; pass < EXTRA_SCANS; pass++) { scan(J, I, X, Y, Z, col, true); scan(J, I, X, Y, Z, col, false); }
  scan(J, I, X, Y, Z, col, true);

  const M = PP * (Z + 2);
  memory.fill(queued, 0, <usize>M);
  let lo: f64 = Infinity, hi: f64 = -Infinity;
  for (let z = 1; z <= Z; z++) for (let y = 1; y <= Y; y++) {
    const row = PX * y + PP * z;
    for (let x = 1; x <= X; x++) { const v = <f64>ld(I, row + x); if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  const scale: f64 = hi > lo ? <f64>(NB - 1) / (hi - lo) : 0;
  for (let b = 0; b < NB; b++) store<i32>(heads + (<usize>b << 2), -1);

  // anti-raster pass that queues every voxel with a later neighbour it can still raise
  const inf = f32x4.splat(Infinity);
  for (let z = Z; z >= 1; z--) for (let y = Y; y >= 1; y--) {
    const row = PX * y + PP * z;
    const r0 = row + PX + PP, r1 = row + PP, r2 = row - PX + PP, r3 = row + PX;
    for (let x = 0; x < PX; x += 4) {
      const o = <usize>x << 2;
      // m = max of J; a = min of (J where J < I else +Infinity), in the JavaScript comparison order
      let j = v128.load(J + (<usize>r0 << 2) + o);
      let m = j;
      let a = v128.bitselect(j, inf, f32x4.lt(j, v128.load(I + (<usize>r0 << 2) + o)));
      j = v128.load(J + (<usize>r1 << 2) + o); m = f32x4.pmax(m, j);
      a = v128.bitselect(j, a, v128.and(f32x4.lt(j, a), f32x4.lt(j, v128.load(I + (<usize>r1 << 2) + o))));
      j = v128.load(J + (<usize>r2 << 2) + o); m = f32x4.pmax(m, j);
      a = v128.bitselect(j, a, v128.and(f32x4.lt(j, a), f32x4.lt(j, v128.load(I + (<usize>r2 << 2) + o))));
      j = v128.load(J + (<usize>r3 << 2) + o); m = f32x4.pmax(m, j);
      a = v128.bitselect(j, a, v128.and(f32x4.lt(j, a), f32x4.lt(j, v128.load(I + (<usize>r3 << 2) + o))));
      v128.store(col + o, m);
      v128.store(colA + o, a);
    }
    let prev = ld(J, row + X + 1), prevA: f32 = Infinity;
    for (let x = X; x >= 1; x--) {
      const p = row + x;
      let m = ld(J, p);
      if (prev > m) m = prev;
      const a = ld(col, x - 1), b = ld(col, x), c = ld(col, x + 1);
      if (a > m) m = a; if (b > m) m = b; if (c > m) m = c;
      const ip = ld(I, p);
      const jp = m < ip ? m : ip;
      st(J, p, jp);
      let lo2 = prevA;
      const d = ld(colA, x - 1), e = ld(colA, x), f = ld(colA, x + 1);
      if (d < lo2) lo2 = d; if (e < lo2) lo2 = e; if (f < lo2) lo2 = f;
      if (lo2 < jp) {
        const k = bucketOf(jp, lo, scale);
        store<i32>(next + (<usize>p << 2), -1);
        const h = load<i32>(heads + (<usize>k << 2));
        if (h < 0) store<i32>(heads + (<usize>k << 2), p); else store<i32>(next + (<usize>load<i32>(tails + (<usize>k << 2)) << 2), p);
        store<i32>(tails + (<usize>k << 2), p);
        store<u8>(queued + <usize>p, 1);
      }
      prev = jp;
      prevA = jp < ip ? jp : Infinity;
    }
  }

  for (let cur = NB - 1; cur >= 0; cur--) {
    const hc = heads + (<usize>cur << 2);
    for (let p = load<i32>(hc); p >= 0; p = load<i32>(hc)) {
      store<i32>(hc, load<i32>(next + (<usize>p << 2)));
      store<u8>(queued + <usize>p, 0);
      const jp = ld(J, p);
      for (let n = 0; n < 26; n++) {
        const q = p + load<i32>(offs + (<usize>n << 2));
        const jq = ld(J, q);
        if (jq < jp) {
          const iq = ld(I, q);
          if (iq != jq) {
            const v = jp < iq ? jp : iq;
            st(J, q, v);
            if (load<u8>(queued + <usize>q) == 0) {
              store<u8>(queued + <usize>q, 1);
              let k = bucketOf(v, lo, scale);
              if (k > cur) k = cur;
              store<i32>(next + (<usize>q << 2), -1);
              const hk = heads + (<usize>k << 2);
              if (load<i32>(hk) < 0) store<i32>(hk, q); else store<i32>(next + (<usize>load<i32>(tails + (<usize>k << 2)) << 2), q);
              store<i32>(tails + (<usize>k << 2), q);
            }
          }
        }
      }
    }
  }
}

/** J = I - h (float32), except voxels equal to `min` when flatAtMin (see hMaxTransform); n values. */
export function hmaxSeed(J: usize, I: usize, n: i32, h: f32, min: f32, flatAtMin: bool): void {
  const hv = f32x4.splat(h), mv = f32x4.splat(min);
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(I + o);
    const s = f32x4.sub(v, hv);
    v128.store(J + o, flatAtMin ? v128.bitselect(v, s, f32x4.eq(v, mv)) : s);
  }
}
