// Core image data model. Coordinates are [x, y, z] as in ClearMap; x is fastest in memory:
// index = x + X * (y + Y * z). A z-slab is therefore one contiguous range of the buffer.

export type DType = 'uint8' | 'uint16' | 'int32' | 'float32' | 'float64';
export type TypedArray = Uint8Array | Uint16Array | Int32Array | Float32Array | Float64Array;
export type Shape3 = [number, number, number];
export type Range = [number, number]; // half-open [start, end)

export const DTYPES: readonly DType[] = ['uint8', 'uint16', 'int32', 'float32', 'float64'];

const CTORS = {
  uint8: Uint8Array,
  uint16: Uint16Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

export function bytesPerVoxel(dtype: DType): number {
  return CTORS[dtype].BYTES_PER_ELEMENT;
}

/** Allocate a typed array; pass `shared` to back it with a SharedArrayBuffer (zero-copy to workers). */
export function allocate(dtype: DType, length: number, shared = false): TypedArray {
  const Ctor = CTORS[dtype];
  if (!shared) return new Ctor(length);
  return new Ctor(new SharedArrayBuffer(length * Ctor.BYTES_PER_ELEMENT) as unknown as ArrayBuffer);
}

/** View raw bytes (any alignment) as a typed array of `dtype`, copying only when misaligned. */
export function viewAs(dtype: DType, bytes: Uint8Array): TypedArray {
  const Ctor = CTORS[dtype];
  const n = bytes.byteLength / Ctor.BYTES_PER_ELEMENT;
  if (!Number.isInteger(n)) throw new Error(`${bytes.byteLength} bytes is not a whole number of ${dtype} values`);
  if (bytes.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, n);
  return new Ctor(bytes.slice().buffer as ArrayBuffer);
}

export function dtypeOf(a: TypedArray): DType {
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Float32Array) return 'float32';
  return 'float64';
}

/** Largest value a dtype can hold (used to validate thresholds against the data type). */
export function dtypeRange(dtype: DType): [number, number] {
  switch (dtype) {
    case 'uint8': return [0, 255];
    case 'uint16': return [0, 65535];
    case 'int32': return [-2147483648, 2147483647];
    case 'float32': return [-3.4028234663852886e38, 3.4028234663852886e38];
    case 'float64': return [-Number.MAX_VALUE, Number.MAX_VALUE];
  }
}

export interface Volume<T extends TypedArray = TypedArray> {
  data: T;
  shape: Shape3;
  dtype: DType;
  /** µm per voxel along [x, y, z]. */
  voxelSize: [number, number, number];
  /** Position of voxel [0,0,0] of this array inside the full stack, in voxels ([x, y, z]). Slabs set origin[2] = z0. */
  origin: [number, number, number];
}

export function makeVolume<T extends TypedArray>(
  data: T,
  shape: Shape3,
  opts: { voxelSize?: [number, number, number]; origin?: [number, number, number] } = {},
): Volume<T> {
  const n = shape[0] * shape[1] * shape[2];
  if (data.length !== n) throw new Error(`volume data has ${data.length} values but shape [${shape.join(', ')}] needs ${n}`);
  return { data, shape, dtype: dtypeOf(data), voxelSize: opts.voxelSize ?? [1, 1, 1], origin: opts.origin ?? [0, 0, 0] };
}

export function emptyVolume(dtype: DType, shape: Shape3, opts: { voxelSize?: [number, number, number]; origin?: [number, number, number]; shared?: boolean } = {}): Volume {
  return makeVolume(allocate(dtype, shape[0] * shape[1] * shape[2], opts.shared), shape, opts);
}

export function voxelCount(shape: Shape3): number {
  return shape[0] * shape[1] * shape[2];
}

/** Copy of planes [z0, z1) (local z) of a volume, as a new volume whose origin is shifted accordingly. */
export function sliceZ(v: Volume, z0: number, z1: number): Volume {
  const plane = v.shape[0] * v.shape[1];
  const data = v.data.slice(z0 * plane, z1 * plane) as TypedArray;
  return { ...v, data, shape: [v.shape[0], v.shape[1], z1 - z0], origin: [v.origin[0], v.origin[1], v.origin[2] + z0] };
}
