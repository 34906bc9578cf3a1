// A voxel size the file does not record is unknown, not 1 µm: the volume still opens (a 1 µm
// placeholder keeps pixel-based steps working), but every step that turns pixels into µm asks for it.
import type { VolumeRef } from '../../../engine/core/artefacts.js';
import type { MaybeVoxelSize } from './source.js';

const AXES = ['x', 'y', 'z'] as const;

/** The axes a file leaves without a voxel size. */
export function unknownAxes(fileVoxelSize: MaybeVoxelSize): ('x' | 'y' | 'z')[] {
  return AXES.filter((_, i) => fileVoxelSize[i] === null);
}

/** "2 x 2 x unknown µm" for messages and `info`. */
export function formatVoxelSize(v: MaybeVoxelSize): string {
  return `${v.map((x) => (x === null ? 'unknown' : String(x))).join(' x ')} µm`;
}

/**
 * The volume's voxel size in µm; throws a message naming the node and what to set when the file did
 * not record it (instead of silently computing with 1 µm).
 */
export function requireVoxelSize(ref: VolumeRef, who: string, why: string): [number, number, number] {
  const unknown = ref.voxelSizeUnknown ?? [];
  if (unknown.length) {
    throw new Error(`${who}: ${why} needs the voxel size, but ${ref.describe} does not record it along ${unknown.join(', ')}; set 'voxelSize' [x, y, z] in µm on the read-volume node (or 'clearmap info' the file to see what it records)`);
  }
  return ref.voxelSize;
}
