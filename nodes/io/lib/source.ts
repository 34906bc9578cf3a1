// What every on-disk volume format provides to the registry: its geometry and a region reader.
import type { DType, Shape3, Volume } from '../../../engine/data/volume.js';
import type { Box } from './region.js';
import type { SlabTarget } from '../../../engine/data/slab-pool.js';

export type MaybeVoxelSize = [number | null, number | null, number | null];

export interface VolumeSource {
  /** Format name as used in params (`tiff`, `tiff-planes`, `mhd`, `nrrd`). */
  format: string;
  shape: Shape3;
  dtype: DType;
  /** µm per voxel where the file records it, null where it does not. */
  voxelSize: MaybeVoxelSize;
  /** Every file whose contents the volume depends on (for cache identity). */
  files: string[];
  /**
   * Read a box (already checked against shape) into a new volume; origin is the box start.
   * `shared` backs the data with a SharedArrayBuffer (zero-copy hand-over to worker threads).
   * `into`: a reusable slab buffer; a source may use it only if it writes every voxel of the box.
   */
  readBox(box: Box, voxelSize: [number, number, number], shared?: boolean, into?: SlabTarget): Promise<Volume>;
}
