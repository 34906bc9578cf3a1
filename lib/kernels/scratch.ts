// Scratch typed arrays reused across calls (e.g. across the chunks one worker processes), so the
// big per-chunk temporaries are allocated once per worker instead of once per chunk. A buffer is
// handed out only to one caller at a time (callers never keep it past their return) and is reused
// while the request is at least half its capacity, so a much smaller request frees the big buffer.
const pools = new Map<string, ArrayBufferLike>();

function take(key: string, bytes: number): ArrayBuffer {
  const have = pools.get(key) as ArrayBuffer | undefined;
  if (have && have.byteLength >= bytes && have.byteLength <= 2 * bytes + 4096) return have;
  const fresh = new ArrayBuffer(bytes);
  pools.set(key, fresh);
  return fresh;
}

/** A Float32Array of length n (contents undefined) owned by `key` until the next request for it. */
export function scratchFloat32(key: string, n: number): Float32Array {
  return new Float32Array(take(`f32:${key}`, 4 * n), 0, n);
}

export function scratchInt32(key: string, n: number): Int32Array {
  return new Int32Array(take(`i32:${key}`, 4 * n), 0, n);
}

export function scratchUint8(key: string, n: number): Uint8Array {
  return new Uint8Array(take(`u8:${key}`, n), 0, n);
}

/** Drop every pooled buffer (tests, or a worker about to idle). */
export function releaseScratch(): void {
  pools.clear();
}
