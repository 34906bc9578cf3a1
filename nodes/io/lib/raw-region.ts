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
 * Copy rows [r0, r1) (relative to the block), columns [x0, x1) into `dest` starting at `destOffset`,
 * with a destination row stride of (x1 - x0) values.
 */
export function readRows(block: RowBlock, r0: number, r1: number, x0: number, x1: number, dest: TypedArray, destOffset: number): void {
  if (r1 <= r0 || x1 <= x0) return;
  const bpe = elementBytes(block.element);
  const rowBytes = block.width * bpe;
  const nx = x1 - x0;
  const swap = block.littleEndian !== MACHINE_LITTLE;
  const sameType = ELEMENT_TO_DTYPE[block.element] === block.element && dest.BYTES_PER_ELEMENT === bpe;
  if (sameType && x0 === 0 && x1 === block.width) {
    // fast path: the file bytes are the destination bytes
    const view = new Uint8Array(dest.buffer, dest.byteOffset + destOffset * bpe, (r1 - r0) * rowBytes);
    readExactly(block.fd, view, block.offset + r0 * rowBytes, block.where);
    if (swap) swapBytes(view, bpe);
    return;
  }
  const bytes = new Uint8Array((r1 - r0) * rowBytes);
  readExactly(block.fd, bytes, block.offset + r0 * rowBytes, block.where);
  if (swap) swapBytes(bytes, bpe);
  const src = viewElements(block.element, bytes);
  for (let r = 0; r < r1 - r0; r++) {
    const s = r * block.width + x0;
    const d = destOffset + r * nx;
    if (sameType) dest.set(src.subarray(s, s + nx) as TypedArray, d);
    else for (let i = 0; i < nx; i++) dest[d + i] = src[s + i];
  }
}
