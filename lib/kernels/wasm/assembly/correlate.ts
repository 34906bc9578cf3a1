// Separable correlation of one output plane, scipy.ndimage 'reflect' boundary, in double precision
// with 2-lane SIMD (f64x2): the same operations in the same order per voxel as
// lib/kernels/correlate.ts (correlateSeparable), hence the same bits (wasm has no fused
// multiply-add here, and lanes are independent voxels).
//
// Layout (byte offsets, prepared by the loader):
//   zp:   i32 plane pointers (f32 planes) per z tap, in tap order; zw: f64 weights per tap
//   yTab: i32 row index (reflected) for every (y, k), y-major; yw: f64 weights; xTab: i32 reflected
//   x index for every j in [0, X + sx - 1); xw: f64 weights
//   bz, by, bx: f64 planes; pad: f64 row of X + sx + 8; taps: scratch of 4 * (sy + sz) i32

// @ts-ignore: decorator
@inline function f32x2(p: usize): v128 { return f64x2.promote_low_f32x4(v128.load64_zero(p)); }

/**
 * One kernel's output plane: z pass (weighted sum of input planes), y pass, x pass, each skipped as
 * the JavaScript version skips it. flags: 1 z symmetric, 2 y symmetric, 4 x symmetric, 8 y identity,
 * 16 x identity. Returns the plane holding the result (bz, by or bx).
 */
export function separablePlane(P: i32, X: i32, Y: i32,
  zp: usize, zw: usize, sz: i32, yTab: usize, yw: usize, sy: i32, xTab: usize, xw: usize, sx: i32, flags: i32,
  bz: usize, by: usize, bx: usize, pad: usize, taps: usize): usize {
  const zero = f64x2.splat(0);
  // ---- z: taps in the JavaScript order: symmetric pairs (k, mirror) for k < ceil(sz / 2), zero weights skipped
  {
    const sym = (flags & 1) != 0;
    const nk = sym ? (sz + 1) >> 1 : sz;
    let np = 0, ns = 0; // pairs: (a, b, w) ; singles after them
    const singles = taps + (<usize>(3 * sz) << 2);
    for (let k = 0; k < nk; k++) {
      const w = load<f64>(zw + (<usize>k << 3));
      if (w == 0) continue;
      const a = load<u32>(zp + (<usize>k << 2));
      const m = sz - 1 - k;
      if (sym && m != k) {
        const e = taps + (<usize>(3 * np) << 2);
        store<u32>(e, a); store<u32>(e + 4, load<u32>(zp + (<usize>m << 2))); store<u32>(e + 8, k);
        np++;
      } else {
        const e = singles + (<usize>(2 * ns) << 2);
        store<u32>(e, a); store<u32>(e + 4, k);
        ns++;
      }
    }
    // pairs come before singles in k order only when the single is the middle tap (symmetric) or there are no pairs
    for (let i = 0; i < P; i += 2) {
      const fo = <usize>i << 2;
      let acc = zero;
      for (let j = 0; j < np; j++) {
        const e = taps + (<usize>(3 * j) << 2);
        const w = f64x2.splat(load<f64>(zw + (<usize>load<u32>(e + 8) << 3)));
        acc = f64x2.add(acc, f64x2.mul(w, f64x2.add(f32x2(<usize>load<u32>(e) + fo), f32x2(<usize>load<u32>(e + 4) + fo))));
      }
      for (let j = 0; j < ns; j++) {
        const e = singles + (<usize>(2 * j) << 2);
        const w = f64x2.splat(load<f64>(zw + (<usize>load<u32>(e + 4) << 3)));
        acc = f64x2.add(acc, f64x2.mul(w, f32x2(<usize>load<u32>(e) + fo)));
      }
      v128.store(bz + (<usize>i << 3), acc);
    }
  }
  let cur = bz;
  // ---- y
  if ((flags & 8) == 0) {
    const sym = (flags & 2) != 0;
    const nk = sym ? (sy + 1) >> 1 : sy;
    const singles = taps + (<usize>(3 * sy) << 2);
    const rowBytes = <usize>X << 3;
    for (let y = 0; y < Y; y++) {
      let np = 0, ns = 0;
      const t = yTab + (<usize>(y * sy) << 2);
      for (let k = 0; k < nk; k++) {
        const w = load<f64>(yw + (<usize>k << 3));
        if (w == 0) continue;
        const a = cur + <usize>load<i32>(t + (<usize>k << 2)) * rowBytes;
        const m = sy - 1 - k;
        if (sym && m != k) {
          const e = taps + (<usize>(3 * np) << 2);
          store<u32>(e, <u32>a); store<u32>(e + 4, <u32>(cur + <usize>load<i32>(t + (<usize>m << 2)) * rowBytes)); store<u32>(e + 8, k);
          np++;
        } else {
          const e = singles + (<usize>(2 * ns) << 2);
          store<u32>(e, <u32>a); store<u32>(e + 4, k);
          ns++;
        }
      }
      const o = by + <usize>y * rowBytes;
      for (let x = 0; x < X; x += 2) {
        const xo = <usize>x << 3;
        let acc = zero;
        for (let j = 0; j < np; j++) {
          const e = taps + (<usize>(3 * j) << 2);
          const w = f64x2.splat(load<f64>(yw + (<usize>load<u32>(e + 8) << 3)));
          acc = f64x2.add(acc, f64x2.mul(w, f64x2.add(v128.load(<usize>load<u32>(e) + xo), v128.load(<usize>load<u32>(e + 4) + xo))));
        }
        for (let j = 0; j < ns; j++) {
          const e = singles + (<usize>(2 * j) << 2);
          const w = f64x2.splat(load<f64>(yw + (<usize>load<u32>(e + 4) << 3)));
          acc = f64x2.add(acc, f64x2.mul(w, v128.load(<usize>load<u32>(e) + xo)));
        }
        v128.store(o + xo, acc);
      }
    }
    cur = by;
  }
  // ---- x: per row on a reflect-padded copy; symmetric kernels fold mirrored taps (zero weights not skipped)
  if ((flags & 16) == 0) {
    const sym = (flags & 4) != 0;
    const half = sx >> 1, odd = sx & 1;
    const np = X + sx - 1;
    for (let y = 0; y < Y; y++) {
      const row = cur + (<usize>(y * X) << 3);
      for (let j = 0; j < np; j++) store<f64>(pad + (<usize>j << 3), load<f64>(row + (<usize>load<i32>(xTab + (<usize>j << 2)) << 3)));
      const o = bx + (<usize>(y * X) << 3);
      if (sym) {
        const wh = f64x2.splat(load<f64>(xw + (<usize>half << 3)));
        for (let x = 0; x < X; x += 2) {
          const px = pad + (<usize>x << 3);
          let acc = odd ? f64x2.mul(wh, v128.load(px + (<usize>half << 3))) : zero;
          for (let k = 0; k < half; k++) {
            const w = f64x2.splat(load<f64>(xw + (<usize>k << 3)));
            acc = f64x2.add(acc, f64x2.mul(w, f64x2.add(v128.load(px + (<usize>k << 3)), v128.load(px + (<usize>(sx - 1 - k) << 3)))));
          }
          v128.store(o + (<usize>x << 3), acc);
        }
      } else {
        for (let x = 0; x < X; x += 2) {
          const px = pad + (<usize>x << 3);
          let acc = zero;
          for (let k = 0; k < sx; k++) acc = f64x2.add(acc, f64x2.mul(f64x2.splat(load<f64>(xw + (<usize>k << 3))), v128.load(px + (<usize>k << 3))));
          v128.store(o + (<usize>x << 3), acc);
        }
      }
    }
    cur = bx;
  }
  return cur;
}

/** out (f32) = a - b where positive, else 0 (ClearMap's DoG clip), rounded to float32; n values. */
export function dogStore(out: usize, a: usize, b: usize, n: i32): void {
  const zero = f64x2.splat(0);
  for (let i = 0; i < n; i += 2) {
    const d = f64x2.sub(v128.load(a + (<usize>i << 3)), v128.load(b + (<usize>i << 3)));
    // pmax(0, d) = 0 < d ? d : 0, the JavaScript `d > 0 ? d : 0` (NaN and -0 give +0)
    v128.store64_lane(out + (<usize>i << 2), f32x4.demote_f64x2_zero(f64x2.pmax(zero, d)), 0);
  }
}

/** out (f32) = a where positive, else 0, rounded to float32; n values. */
export function clipStore(out: usize, a: usize, n: i32): void {
  const zero = f64x2.splat(0);
  for (let i = 0; i < n; i += 2) {
    v128.store64_lane(out + (<usize>i << 2), f32x4.demote_f64x2_zero(f64x2.pmax(zero, v128.load(a + (<usize>i << 3)))), 0);
  }
}
