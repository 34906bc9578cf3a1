// Flat grey-scale erosion of uint16 planes by a structuring element given as horizontal chords, with
// 128-bit SIMD (8 lanes of u16). Same result as lib/kernels/morphology2d.ts (min/max of exact
// integers does not depend on the order of evaluation); the dilation is the erosion of the
// complement (~v = 65535 - v reverses the order of u16 values, and outside pixels are the
// identity of either operation), as OpenCV's unmirrored dilation.
//
// Per image row the window minima of every chord length are computed once, from power-of-two
// windows (G_2p[s] = min(G_p[s], G_p[s + p]); G_L[s] = min(G_p[s], G_p[s + L - p]) with p the largest
// power of two <= L), kept in a ring of the element's height; each output row then takes the
// minimum over the element's chords of the precomputed values: (log2 Lmax + lengths + chords) / 8
// operations per pixel.
//
// Memory is laid out by the caller (the loader), all offsets in bytes, 16-byte aligned:
//   plan:  i32 [dy, a, lengthIndex] per chord, then i32 length per length index (any order)
//   ring:  R * nLengths rows of W u16; pow: (log2 Lmax + 1) rows of W + 2 * L8 + 16 u16

const ID: u16 = 0xffff;

// @ts-ignore: decorator
@inline function splat(v: u16): v128 { return i16x8.splat(v); }

/** Fill E (`total` values, a multiple of 8) with the row `src` (X values), ~ if invert, identity outside, at offset off. */
function loadRow(E: usize, src: usize, X: i32, off: i32, total: i32, invert: bool): void {
  const id = splat(ID);
  for (let k = 0; k < total; k += 8) v128.store(E + (<usize>k << 1), id);
  const dst = E + (<usize>off << 1);
  let x = 0;
  if (invert) {
    for (; x + 8 <= X; x += 8) v128.store(dst + (<usize>x << 1), v128.not(v128.load(src + (<usize>x << 1))));
    for (; x < X; x++) store<u16>(dst + (<usize>x << 1), ~load<u16>(src + (<usize>x << 1)));
  } else {
    for (; x + 8 <= X; x += 8) v128.store(dst + (<usize>x << 1), v128.load(src + (<usize>x << 1)));
    for (; x < X; x++) store<u16>(dst + (<usize>x << 1), load<u16>(src + (<usize>x << 1)));
  }
}

/** out[s] = min(a[s], a[s + d]) for s in [0, n), n a multiple of 8. */
function minShift(out: usize, a: usize, d: i32, n: i32): void {
  const b = a + (<usize>d << 1);
  for (let s = 0; s < n; s += 8) {
    const o = <usize>s << 1;
    v128.store(out + o, i16x8.min_u(v128.load(a + o), v128.load(b + o)));
  }
}

/**
 * Erode one X x Y u16 plane `src` into `dst` (rows of X, plus 16 bytes of slack after the plane).
 * invert: the source is read as ~src and ~result is written (dilation).
 * off: E offset of x = 0 (>= -min a); W: ring row width (multiple of 8, >= X + 8 + off + max b);
 * L8: Lmax rounded up to 8; pow rows are W + 2 * L8 + 16 wide; ptrs: nChords i32 of scratch.
 */
export function erodeU16(src: usize, dst: usize, X: i32, Y: i32, invert: bool,
  plan: usize, nChords: i32, nLengths: i32, dyMin: i32, R: i32, off: i32, W: i32, Lmax: i32,
  ring: usize, pow: usize, ptrs: usize): void {
  const lengthsAt = plan + (<usize>(3 * nChords) << 2);
  const L8 = (Lmax + 7) & ~7;
  const EW = W + 2 * L8 + 16; // power rows' width (power 1 = the padded row)
  const n = W + L8 + 8;       // entries computed per power row
  const powBytes = <usize>EW << 1;
  const rowBytes = <usize>W << 1;
  let haveRows = 0; // rows [0, haveRows) computed; the ring holds the last R
  const X8 = (X + 7) & ~7;
  for (let y = 0; y < Y; y++) {
    let need = y + dyMin + R; // rows up to y + dyMax
    if (need > Y) need = Y;
    for (; haveRows < need; haveRows++) {
      const r = haveRows;
      loadRow(pow, src + (<usize>(r * X) << 1), X, off, EW, invert);
      let p = 1, k = 0;
      while (p * 2 <= Lmax) { minShift(pow + <usize>(k + 1) * powBytes, pow + <usize>k * powBytes, p, n); p *= 2; k++; }
      const slot = r % R;
      for (let li = 0; li < nLengths; li++) {
        const L = load<i32>(lengthsAt + (<usize>li << 2));
        let q = 1, kq = 0;
        while (q * 2 <= L) { q *= 2; kq++; }
        minShift(ring + <usize>(slot * nLengths + li) * rowBytes, pow + <usize>kq * powBytes, L - q, W);
      }
    }
    // output row y: minimum over the chords whose row lies inside the plane
    let m = 0;
    for (let c = 0; c < nChords; c++) {
      const e = plan + (<usize>(3 * c) << 2);
      const r = y + load<i32>(e);
      if (r < 0 || r >= Y) continue;
      store<u32>(ptrs + (<usize>m << 2), <u32>(ring + <usize>((r % R) * nLengths + load<i32>(e + 8)) * rowBytes + (<usize>(load<i32>(e + 4) + off) << 1)));
      m++;
    }
    const o = dst + (<usize>(y * X) << 1);
    const id = splat(ID);
    for (let x = 0; x < X8; x += 8) {
      const xb = <usize>x << 1;
      let acc = id;
      for (let c = 0; c < m; c++) acc = i16x8.min_u(acc, v128.load(<usize>load<u32>(ptrs + (<usize>c << 2)) + xb));
      v128.store(o + xb, invert ? v128.not(acc) : acc);
    }
  }
}

/** dst = a - b (u16, b <= a, saturating at 0 like ClearMap's clip), n values, 16 bytes of slack. */
export function subU16(dst: usize, a: usize, b: usize, n: i32): void {
  for (let i = 0; i < n; i += 8) {
    const o = <usize>i << 1;
    v128.store(dst + o, i16x8.sub_sat_u(v128.load(a + o), v128.load(b + o)));
  }
}
