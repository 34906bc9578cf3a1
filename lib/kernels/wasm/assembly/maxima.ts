// ClearMap's local maxima (maximum_filter(img, size) == img, box window, outside ignored) of float32
// volumes with 4-lane SIMD, one z-plane at a time. Equal to localMaxima in lib/kernels/maxima.ts
// for data without NaN (the loader checks): a maximum does not depend on the evaluation order, and
// the only order-dependent detail, which of +0 and -0 is kept, cannot change an == comparison.
//
// Layout: vals, xy: rings of S planes of P f32 (slot = plane % S); row: f32[X + sx + 8]; mask: u8[P + 16].

/** xy = box max over x and y of the plane `v` (X x Y), windows [x - cx, x - cx + sx), [y - cy, y - cy + sy). */
export function maxPlaneXY(v: usize, xy: usize, X: i32, Y: i32, sx: i32, sy: i32, row: usize, tmp: usize): void {
  const cx = sx >> 1, cy = sy >> 1;
  const ninf = f32x4.splat(-Infinity);
  const W = X + sx + 8;
  // x: per row on a -Infinity padded copy, into tmp
  for (let y = 0; y < Y; y++) {
    for (let j = 0; j < W; j += 4) v128.store(row + (<usize>j << 2), ninf);
    memory.copy(row + (<usize>cx << 2), v + (<usize>(y * X) << 2), <usize>X << 2);
    const o = tmp + (<usize>(y * X) << 2);
    for (let x = 0; x < X; x += 4) {
      const p = row + (<usize>x << 2);
      let m = v128.load(p);
      for (let k = 1; k < sx; k++) m = f32x4.max(m, v128.load(p + (<usize>k << 2)));
      v128.store(o + (<usize>x << 2), m);
    }
  }
  // y: maximum over the rows of the window inside the plane
  for (let y = 0; y < Y; y++) {
    let r0 = y - cy, r1 = y - cy + sy - 1;
    if (r0 < 0) r0 = 0;
    if (r1 > Y - 1) r1 = Y - 1;
    const o = xy + (<usize>(y * X) << 2);
    for (let x = 0; x < X; x += 4) {
      const xo = <usize>x << 2;
      let m = v128.load(tmp + (<usize>(r0 * X) << 2) + xo);
      for (let r = r0 + 1; r <= r1; r++) m = f32x4.max(m, v128.load(tmp + (<usize>(r * X) << 2) + xo));
      v128.store(o + xo, m);
    }
  }
}

/** mask[i] = 1 where v[i] == max over the xy planes at `planes` (i32 pointers, n of them), P values. */
export function maxMaskZ(v: usize, planes: usize, n: i32, mask: usize, P: i32): void {
  const one = i8x16.splat(1);
  for (let i = 0; i < P; i += 16) {
    const o = <usize>i << 2;
    let m0 = v128.load(<usize>load<u32>(planes) + o), m1 = v128.load(<usize>load<u32>(planes) + o + 16);
    let m2 = v128.load(<usize>load<u32>(planes) + o + 32), m3 = v128.load(<usize>load<u32>(planes) + o + 48);
    for (let q = 1; q < n; q++) {
      const b = <usize>load<u32>(planes + (<usize>q << 2)) + o;
      m0 = f32x4.max(m0, v128.load(b)); m1 = f32x4.max(m1, v128.load(b + 16));
      m2 = f32x4.max(m2, v128.load(b + 32)); m3 = f32x4.max(m3, v128.load(b + 48));
    }
    const e0 = f32x4.eq(m0, v128.load(v + o)), e1 = f32x4.eq(m1, v128.load(v + o + 16));
    const e2 = f32x4.eq(m2, v128.load(v + o + 32)), e3 = f32x4.eq(m3, v128.load(v + o + 48));
    const b = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(e0, e1), i16x8.narrow_i32x4_s(e2, e3));
    v128.store(mask + <usize>i, v128.and(b, one));
  }
}

/** 1 if any of the n f32 values at p is NaN. */
export function hasNaN(p: usize, n: i32): i32 {
  let i = 0;
  let acc = i32x4.splat(0);
  for (; i + 4 <= n; i += 4) { const v = v128.load(p + (<usize>i << 2)); acc = v128.or(acc, f32x4.ne(v, v)); }
  if (v128.any_true(acc)) return 1;
  for (; i < n; i++) { const v = load<f32>(p + (<usize>i << 2)); if (v != v) return 1; }
  return 0;
}
