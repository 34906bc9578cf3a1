// Reusable slab buffers, one pool per thread (each worker thread has its own module instance).
// A fresh 32 MB typed array per chunk costs 3-4x the read itself (page faults + zeroing of memory
// the read then overwrites); a buffer reused from the previous chunk is already mapped.
//
// Contract: a reader given a SlabTarget calls take(bytes) once and fills EVERY byte of the view it
// returns (a reused buffer holds the previous chunk's voxels, never zeros). Readers that cannot
// promise that (sparse formats filling missing chunks with zeros) simply ignore the target.
import { allocate, makeVolume, type DType, type Shape3, type TypedArray, type Volume } from './volume.js';

/** Where a reader may put a slab instead of allocating: an ArrayBuffer of at least `bytes` bytes. */
export interface SlabTarget {
  take(bytes: number): ArrayBuffer;
}

/** Round sizes up so slabs that differ by a few planes share one buffer. */
const GRAIN = 1 << 20;

export class SlabPool {
  private idle: ArrayBuffer[] = [];

  /** `maxIdle`: buffers kept between uses (one per concurrently running chunk is enough). */
  constructor(private readonly maxIdle = 2) {}

  /** A buffer of at least `bytes` bytes: the smallest idle one that fits, else a new one. */
  acquire(bytes: number): ArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.idle.length; i++) {
      const b = this.idle[i];
      if (b.byteLength >= bytes && (best < 0 || b.byteLength < this.idle[best].byteLength)) best = i;
    }
    if (best >= 0) return this.idle.splice(best, 1)[0];
    return new ArrayBuffer(Math.max(GRAIN, Math.ceil(bytes / GRAIN) * GRAIN));
  }

  /** Give a buffer back; the pool keeps the largest `maxIdle` ones and drops the rest to the GC. */
  release(buf: ArrayBuffer): void {
    if (this.idle.includes(buf)) return;
    this.idle.push(buf);
    this.idle.sort((a, b) => b.byteLength - a.byteLength);
    this.idle.length = Math.min(this.idle.length, this.maxIdle);
  }

  /** Bytes held by idle buffers. */
  idleBytes(): number {
    return this.idle.reduce((s, b) => s + b.byteLength, 0);
  }

  clear(): void {
    this.idle = [];
  }

  /** A target holding at most one buffer at a time: take() again swaps in a larger one if needed. */
  lease(): SlabLease {
    return new SlabLease(this);
  }
}

/**
 * One chunk's claim on the pool. The buffer take() returns stays valid until the next take() or
 * release(); release() when nothing refers to the slab any more (the chunk's result is written).
 */
export class SlabLease implements SlabTarget {
  private buf: ArrayBuffer | undefined;
  constructor(private readonly pool: SlabPool) {}

  take(bytes: number): ArrayBuffer {
    if (this.buf && this.buf.byteLength >= bytes) return this.buf;
    if (this.buf) this.pool.release(this.buf);
    this.buf = this.pool.acquire(bytes);
    return this.buf;
  }

  release(): void {
    if (this.buf) this.pool.release(this.buf);
    this.buf = undefined;
  }
}

/** This thread's pool. */
export const threadSlabPool = new SlabPool();

/**
 * A volume of `shape` for a reader to fill: a view into `target`'s buffer when one is given, else a
 * newly allocated (zeroed) array. With a target the caller must write every voxel.
 */
export function slabVolume(dtype: DType, shape: Shape3, opts: { voxelSize?: [number, number, number]; origin?: [number, number, number]; shared?: boolean; into?: SlabTarget } = {}): Volume {
  const n = shape[0] * shape[1] * shape[2];
  let data: TypedArray;
  if (opts.into && !opts.shared) {
    const probe = allocate(dtype, 0);
    const Ctor = probe.constructor as new (b: ArrayBuffer, o: number, n: number) => TypedArray;
    data = new Ctor(opts.into.take(n * probe.BYTES_PER_ELEMENT), 0, n);
  } else {
    data = allocate(dtype, n, opts.shared);
  }
  return makeVolume(data, shape, { voxelSize: opts.voxelSize, origin: opts.origin });
}
