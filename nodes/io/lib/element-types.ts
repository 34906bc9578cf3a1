// On-disk element types and how they map onto the engine's DType list. Types the engine has no
// exact slot for are widened losslessly (int8/int16 -> int32, uint32 -> float64) so no value changes.
import type { DType, TypedArray } from '../../../engine/data/volume.js';

export type ElementType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

type AnyTypedArray = TypedArray | Int8Array | Int16Array | Uint32Array;
type ElementCtor = { new (buffer: ArrayBuffer, byteOffset?: number, length?: number): AnyTypedArray; new (length: number): AnyTypedArray; BYTES_PER_ELEMENT: number };

export const ELEMENT_CTORS: Record<ElementType, ElementCtor> = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array,
};

/** The engine DType that holds every value of an on-disk element type. */
export const ELEMENT_TO_DTYPE: Record<ElementType, DType> = {
  uint8: 'uint8', int8: 'int32', uint16: 'uint16', int16: 'int32',
  uint32: 'float64', int32: 'int32', float32: 'float32', float64: 'float64',
};

export function elementBytes(t: ElementType): number {
  return ELEMENT_CTORS[t].BYTES_PER_ELEMENT;
}

/** Reverse the byte order of every `width`-byte element of `bytes`, in place (big-endian files). */
export function swapBytes(bytes: Uint8Array, width: number): void {
  if (width === 1) return;
  if (width === 2 && bytes.byteOffset % 2 === 0) {
    // whole 16-bit words at a time: about 10x faster than the byte loop
    const w = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1);
    for (let i = 0; i < w.length; i++) { const v = w[i]; w[i] = (v >>> 8) | ((v & 0xff) << 8); }
    return;
  }
  if (width === 4 && bytes.byteOffset % 4 === 0) {
    const w = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
    for (let i = 0; i < w.length; i++) { const v = w[i]; w[i] = ((v & 0xff) << 24 | (v & 0xff00) << 8 | (v >>> 8) & 0xff00 | v >>> 24) >>> 0; }
    return;
  }
  for (let i = 0; i + width <= bytes.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a]; bytes[a] = bytes[b]; bytes[b] = t;
    }
  }
}

/** View little-endian (machine order) bytes as elements of `t`; copies when the bytes are misaligned. */
export function viewElements(t: ElementType, bytes: Uint8Array): AnyTypedArray {
  const Ctor = ELEMENT_CTORS[t];
  const n = bytes.byteLength / Ctor.BYTES_PER_ELEMENT;
  if (bytes.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, n);
  const copy = bytes.slice();
  return new Ctor(copy.buffer as ArrayBuffer, 0, n);
}
