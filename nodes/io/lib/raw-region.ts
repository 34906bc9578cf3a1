// Reading a rectangle of rows from an uncompressed plane stored row by row in a file (TIFF strips,
// MHD/RAW, NRRD raw). Reads only the rows needed; when the whole row width is wanted and the file
// element type equals the destination type, the bytes land directly in the destination array.
import { readSync, fstatSync } from 'node:fs';
import type { TypedArray } from '../../../engine/data/volume.js';
import { ELEMENT_TO_DTYPE, elementBytes, swapBytes, viewElements, type ElementType } from './element-types.js';

export interface RowBlock {
  fd: number;
  /** For messages: file and plane. */
  where: string;
  /** Byte offset of row 0 of this block in the file. */
  offset: number;
  /** Row width in elements (the full stored width). */
  width: number;
  element: ElementType;
  littleEndian: boolean;
}

const MACHINE_LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Read exactly `length` bytes at `position` into `target` or throw naming the file. */
export function readExactly(fd: number, target: Uint8Array, position: number, where: string): void {
  let done = 0;
  while (done < target.length) {
    const n = readSync(fd, target, done, target.length - done, position + done);
    if (n === 0) {
      const size = fstatSync(fd).size;
      throw new Error(`${where}: file is truncated: needed bytes ${position}..${position + target.length} but the file has ${size} bytes`);
    }
    done += n;
  }
}

/**
 * Reads of file byte ranges straight into a destination, merged while both the file range and the
 * destination range continue the previous one: the strips of consecutive pages (or the planes of a
 * raw file) that lie back to back in the file become ONE pread per slab instead of one per strip.
 */
export class ContiguousReads {
  private file = -1;
  private dest = -1;
  private length = 0;
  private fd = -1;
  private where = '';
  private swapBytes = 0;

  private readonly target: Uint8Array;
  /** Reads into `dest`'s buffer; positions passed to add() are byte offsets in that buffer. */
  constructor(dest: TypedArray) {
    this.target = new Uint8Array(dest.buffer, 0, dest.byteOffset + dest.byteLength);
  }

  /** Queue `length` bytes from `filePos` of `fd` into the buffer at byte `destPos`; `swap`: element size to byte-swap (0 = none). */
  add(fd: number, filePos: number, destPos: number, length: number, where: string, swap = 0): void {
    if (length <= 0) return;
    if (this.length > 0 && fd === this.fd && swap === this.swapBytes && filePos === this.file + this.length && destPos === this.dest + this.length) {
      this.length += length;
      return;
    }
    this.flush();
    this.fd = fd; this.file = filePos; this.dest = destPos; this.length = length; this.where = where; this.swapBytes = swap;
  }

  /** Issue the pending read (call before closing the fd and at the end). */
  flush(): void {
    if (this.length === 0) return;
    const view = this.target.subarray(this.dest, this.dest + this.length);
    readExactly(this.fd, view, this.file, this.where);
    if (this.swapBytes) swapBytes(view, this.swapBytes);
    this.length = 0;
  }
}

/** The bytes of a typed array (no copy). */
export function bytesView(a: TypedArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

// rows read for a partial-width window or a type conversion land here first; kept per thread, not
// allocated per strip
let scratch = new Uint8Array(0);
function scratchBytes(n: number): Uint8Array {
  if (scratch.length < n) scratch = new Uint8Array(Math.max(n, 2 * scratch.length));
  return scratch.subarray(0, n);
}

/**
 * Copy rows [r0, r1) (relative to the block), columns [x0, x1) into `dest` starting at `destOffset`,
 * with a destination row stride of (x1 - x0) values. With `reads` (a ContiguousReads over `dest`'s
 * bytes), whole-row same-type reads are queued and merged with their neighbours; flush it after.
 */
export function readRows(block: RowBlock, r0: number, r1: number, x0: number, x1: number, dest: TypedArray, destOffset: number, reads?: ContiguousReads): void {
  if (r1 <= r0 || x1 <= x0) return;
  const bpe = elementBytes(block.element);
  const rowBytes = block.width * bpe;
  const nx = x1 - x0;
  const swap = block.littleEndian !== MACHINE_LITTLE;
  const sameType = ELEMENT_TO_DTYPE[block.element] === block.element && dest.BYTES_PER_ELEMENT === bpe;
  if (sameType && x0 === 0 && x1 === block.width) {
    // fast path: the file bytes are the destination bytes
    if (reads) {
      reads.add(block.fd, block.offset + r0 * rowBytes, dest.byteOffset + destOffset * bpe, (r1 - r0) * rowBytes, block.where, swap ? bpe : 0);
      return;
    }
    const view = new Uint8Array(dest.buffer, dest.byteOffset + destOffset * bpe, (r1 - r0) * rowBytes);
    readExactly(block.fd, view, block.offset + r0 * rowBytes, block.where);
    if (swap) swapBytes(view, bpe);
    return;
  }
  // partial rows: read the rows' span (from column x0 of row r0 to column x1 of row r1 - 1) once
  const first = x0 * bpe, spanBytes = (r1 - r0 - 1) * rowBytes + nx * bpe;
  const bytes = scratchBytes(spanBytes);
  readExactly(block.fd, bytes, block.offset + r0 * rowBytes + first, block.where);
  if (swap) swapBytes(bytes, bpe);
  if (sameType) {
    const d8 = bytesView(dest);
    for (let r = 0; r < r1 - r0; r++) d8.set(bytes.subarray(r * rowBytes, r * rowBytes + nx * bpe), (destOffset + r * nx) * bpe);
    return;
  }
  const src = viewElements(block.element, bytes);
  for (let r = 0; r < r1 - r0; r++) {
    const s = r * block.width;
    const d = destOffset + r * nx;
    for (let i = 0; i < nx; i++) dest[d + i] = src[s + i];
  }
}
