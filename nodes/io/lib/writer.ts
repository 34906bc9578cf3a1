// The streaming volume writer contract, in its own module so the format writers and formats.ts (which
// picks among them) do not import each other.
import type { DType, Shape3, Volume } from '../../../engine/data/volume.js';

export interface VolumeWriter {
  /** Append the next z-slab (its origin[2] must equal the number of planes written so far). */
  writeSlab(v: Volume): Promise<void>;
  /** Finish and atomically move the result into place; returns the files written. */
  commit(): Promise<string[]>;
  /** Remove everything written so far. */
  abort(): Promise<void>;
}

export interface WriterSpec {
  shape: Shape3;
  dtype: DType;
  voxelSize?: [number, number, number];
  /** TIFF: planes are this many channels interleaved (channel fastest); shape[2] = channels x slices. */
  channels?: number;
}
