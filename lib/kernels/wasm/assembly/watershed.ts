// Seeded watershed of uint16 images by a bucket queue: a port of bucketWatershed in
// lib/kernels/watershed.ts (markers pushed in voxel order, one FIFO per grey level, the lowest
// non-empty level popped first, neighbours visited in the same order), so the labels are the same.
//
// Layout: image u16[N]; markers i32[N]; mask u8[N] (0 = no mask); out i32[N] (zeroed here);
// next i32[N]; heads, tails i32[65536]; bits0 i32[2048]; bits1 i32[64]; offs/ndx/ndy/ndz i32[K].

export function watershedU16(image: usize, markers: usize, mask: usize, out: usize, X: i32, Y: i32, Z: i32,
  K: i32, offs: usize, ndx: usize, ndy: usize, ndz: usize, descending: bool,
  next: usize, heads: usize, tails: usize, bits0: usize, bits1: usize): void {
  const N = X * Y * Z;
  const B = 65536;
  memory.fill(out, 0, <usize>N << 2);
  memory.fill(heads, 0xff, <usize>B << 2); // -1
  memory.fill(bits0, 0, 2048 << 2);
  memory.fill(bits1, 0, 64 << 2);
  let cur = B; // no level below cur is non-empty
  for (let p = 0; p < N; p++) {
    const m = load<i32>(markers + (<usize>p << 2));
    if (m != 0 && (mask == 0 || load<u8>(mask + <usize>p) != 0)) {
      store<i32>(out + (<usize>p << 2), m);
      const v = <i32>load<u16>(image + (<usize>p << 1));
      const b = descending ? 65535 - v : v;
      // push(b, p)
      store<i32>(next + (<usize>p << 2), -1);
      const hb = heads + (<usize>b << 2);
      if (load<i32>(hb) < 0) {
        store<i32>(hb, p);
        const w0 = bits0 + (<usize>(b >>> 5) << 2); store<i32>(w0, load<i32>(w0) | (1 << (b & 31)));
        const w1 = bits1 + (<usize>(b >>> 10) << 2); store<i32>(w1, load<i32>(w1) | (1 << ((b >>> 5) & 31)));
        if (b < cur) cur = b;
      } else store<i32>(next + (<usize>load<i32>(tails + (<usize>b << 2)) << 2), p);
      store<i32>(tails + (<usize>b << 2), p);
    }
  }
  for (;;) {
    // lowest non-empty level >= cur
    let i1 = cur >>> 10;
    let word = i1 < 64 ? load<i32>(bits1 + (<usize>i1 << 2)) & (-1 << ((cur >>> 5) & 31)) : 0;
    while (word == 0 && ++i1 < 64) word = load<i32>(bits1 + (<usize>i1 << 2));
    if (word == 0) break;
    const i0 = (i1 << 5) + ctz(word);
    let b0 = load<i32>(bits0 + (<usize>i0 << 2));
    if (i0 == cur >>> 5) b0 &= -1 << (cur & 31);
    const b = (i0 << 5) + ctz(b0);
    cur = b;
    const hb = heads + (<usize>b << 2);
    const p = load<i32>(hb);
    const nx = load<i32>(next + (<usize>p << 2));
    if (nx < 0) {
      store<i32>(hb, -1);
      const w0 = bits0 + (<usize>i0 << 2);
      const left = load<i32>(w0) & ~(1 << (b & 31));
      store<i32>(w0, left);
      if (left == 0) { const w1 = bits1 + (<usize>(i0 >>> 5) << 2); store<i32>(w1, load<i32>(w1) & ~(1 << (i0 & 31))); }
    } else store<i32>(hb, nx);
    const label = load<i32>(out + (<usize>p << 2));
    const x = p % X, yz = p / X, y = yz % Y, z = yz / Y;
    const border = x == 0 || y == 0 || z == 0 || x == X - 1 || y == Y - 1 || z == Z - 1;
    for (let k = 0; k < K; k++) {
      const ko = <usize>k << 2;
      if (border) {
        const a = x + load<i32>(ndx + ko), c = y + load<i32>(ndy + ko), e = z + load<i32>(ndz + ko);
        if (a < 0 || a >= X || c < 0 || c >= Y || e < 0 || e >= Z) continue;
      }
      const q = p + load<i32>(offs + ko);
      if (load<i32>(out + (<usize>q << 2)) != 0 || (mask != 0 && load<u8>(mask + <usize>q) == 0)) continue;
      store<i32>(out + (<usize>q << 2), label);
      const v = <i32>load<u16>(image + (<usize>q << 1));
      const bq = descending ? 65535 - v : v;
      store<i32>(next + (<usize>q << 2), -1);
      const hq = heads + (<usize>bq << 2);
      if (load<i32>(hq) < 0) {
        store<i32>(hq, q);
        const w0 = bits0 + (<usize>(bq >>> 5) << 2); store<i32>(w0, load<i32>(w0) | (1 << (bq & 31)));
        const w1 = bits1 + (<usize>(bq >>> 10) << 2); store<i32>(w1, load<i32>(w1) | (1 << ((bq >>> 5) & 31)));
        if (bq < cur) cur = bq;
      } else store<i32>(next + (<usize>load<i32>(tails + (<usize>bq << 2)) << 2), q);
      store<i32>(tails + (<usize>bq << 2), q);
    }
  }
}
