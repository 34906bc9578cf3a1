// Shared checks for streaming writers: slabs must match the declared plane size and dtype and
// arrive in z order without gaps.
import type { Volume } from '../../../engine/data/volume.js';
import type { WriterSpec } from './writer.js';

export function checkSlab(v: Volume, spec: WriterSpec, written: number, dest: string): void {
  if (v.dtype !== spec.dtype) throw new Error(`${dest}: slab has dtype ${v.dtype} but the writer was created for ${spec.dtype}`);
  if (v.shape[0] !== spec.shape[0] || v.shape[1] !== spec.shape[1]) {
    throw new Error(`${dest}: slab planes are ${v.shape[0]}x${v.shape[1]} but the volume is ${spec.shape[0]}x${spec.shape[1]}`);
  }
  if (v.origin[2] !== written) throw new Error(`${dest}: slabs must arrive in z order: expected a slab starting at z=${written}, got z=${v.origin[2]}`);
  if (written + v.shape[2] > spec.shape[2]) {
    throw new Error(`${dest}: slab z=[${written}, ${written + v.shape[2]}) goes past the declared depth ${spec.shape[2]}`);
  }
}

/** The bytes of a typed array (no copy). */
export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
