// Reusable slab buffers, one pool per thread (each worker thread has its own module instance).
// A fresh 32 MB typed array per chunk costs 3-4x the read itself (page faults + zeroing of memory
// the read then overwrites); a buffer reused from the previous chunk is already mapped.
//
// Alignment: the kernel's copy from the page cache is fastest when the destination address has the
// same offset modulo 64 as the file position (measured on this machine's EPYC: 1.6x faster than a
// 16-byte skew, 2.8x faster than an 8-byte skew). A new ArrayBuffer's address is unknown to JS (glibc
// puts it 16 bytes into a page), so pooled buffers are WebAssembly memories, which start on a page,
// and readers pass the file position of the first voxel (`alignWith`) so the view starts at the
// same offset modulo 64.
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
/** Room for a view to start up to 63 bytes into the buffer. */
const ALIGN = 64;
const WASM_PAGE = 65536;
/** WebAssembly memories of up to 2 GiB (wasm32 allows 4); larger slabs get a plain ArrayBuffer. */
const MAX_WASM_PAGES = 32768;

/** A zero-filled buffer that starts on a page boundary where the runtime allows it. */
function pageAlignedBuffer(bytes: number): ArrayBuffer {
  const pages = Math.ceil(bytes / WASM_PAGE);
  if (pages <= MAX_WASM_PAGES) {
    try {
      return new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer;
    } catch {
      // no WebAssembly or no address space for it: alignment is only a speed-up
    }
  }
  return new ArrayBuffer(bytes);
}

export class SlabPool {
  private idle: ArrayBuffer[] = [];

  /**
   * `maxIdle`: buffers kept between uses. A worker thread runs one chunk at a time, so one (the
   * largest) is kept: between chunks the thread holds no more than it held during the last one.
   */
  constructor(private readonly maxIdle = 1) {}

  /** A buffer of at least `bytes` bytes: the smallest idle one that fits, else a new one. */
  acquire(bytes: number): ArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.idle.length; i++) {
      const b = this.idle[i];
      if (b.byteLength >= bytes && (best < 0 || b.byteLength < this.idle[best].byteLength)) best = i;
    }
    if (best >= 0) return this.idle.splice(best, 1)[0];
    return pageAlignedBuffer(Math.max(GRAIN, Math.ceil((bytes + ALIGN) / GRAIN) * GRAIN));
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

/** Where a view into a pooled buffer starts for data read from file position `alignWith`. */
export function slabByteOffset(alignWith: number | undefined, bytesPerElement: number): number {
  if (alignWith === undefined || !(alignWith >= 0)) return 0;
  const off = alignWith % ALIGN;
  return off % bytesPerElement === 0 ? off : 0;
}

/**
 * A volume of `shape` for a reader to fill: a view into `target`'s buffer when one is given, else a
 * newly allocated (zeroed) array. With a target the caller must write every voxel. `alignWith`: the
 * file position the first voxel is read from (see the alignment note above).
 */
export function slabVolume(dtype: DType, shape: Shape3, opts: { voxelSize?: [number, number, number]; origin?: [number, number, number]; shared?: boolean; into?: SlabTarget; alignWith?: number } = {}): Volume {
  const n = shape[0] * shape[1] * shape[2];
  let data: TypedArray;
  if (opts.into && !opts.shared) {
    const probe = allocate(dtype, 0);
    const Ctor = probe.constructor as new (b: ArrayBuffer, o: number, n: number) => TypedArray;
    const offset = slabByteOffset(opts.alignWith, probe.BYTES_PER_ELEMENT);
    data = new Ctor(opts.into.take(offset + n * probe.BYTES_PER_ELEMENT), offset, n);
  } else {
    data = allocate(dtype, n, opts.shared);
  }
  return makeVolume(data, shape, { voxelSize: opts.voxelSize, origin: opts.origin });
}
