// Values that flow along workflow edges ("artefacts"). Every artefact can be stored in the cache:
// volumes are references to files (never whole 20 GB stacks in memory), the rest are small values.
import type { DType, Shape3, Range, Volume } from '../data/volume.js';
import type { Points } from '../data/points.js';
import type { Table } from '../data/table.js';
import type { SlabTarget } from '../data/slab-pool.js';

export type PortType = 'volume' | 'points' | 'table' | 'transform' | 'file' | 'json';

/**
 * A lazily readable volume. `reader` names a module and an exported function
 * `(args, region) => Promise<Volume>` that reads a region of it; workers import the same module, so
 * any node or plugin can define its own on-disk format and chunk-wise nodes still read in parallel.
 */
export interface VolumeRef {
  kind: 'volume';
  shape: Shape3;
  dtype: DType;
  voxelSize: [number, number, number];
  /** Axes whose voxel size the file does not record (voxelSize holds a 1 µm placeholder there). */
  voxelSizeUnknown?: ('x' | 'y' | 'z')[];
  reader: { module: string; export: string };
  /** JSON-serialisable arguments for the reader (paths, format details). Paths are absolute. */
  args: Record<string, unknown>;
  /** Human readable description of where the data lives (for messages). */
  describe: string;
  /**
   * Where voxel [0, 0, 0] lies in the full stack this volume was cut from (a cropped source, ClearMap's
   * x/y/z ranges). Points found in it are reported in full-stack coordinates. Absent = [0, 0, 0].
   */
  offset?: [number, number, number];
}

export interface Region {
  x?: Range;
  y?: Range;
  z: Range;
}

/**
 * `opts.into`: a reusable buffer (engine/data/slab-pool.ts) the reader may fill instead of allocating;
 * a reader that uses it must write every voxel of the region. Readers may ignore it.
 */
export type SlabReader = (args: Record<string, unknown>, region: Region, opts?: SlabReadOptions) => Promise<Volume>;

export interface SlabReadOptions {
  into?: SlabTarget;
}

export interface PointsArtefact {
  kind: 'points'; points: Points; voxelSize?: [number, number, number];
  /** The box of the full stack the points were detected in (half-open voxel ranges), when the source was cropped. */
  crop?: { x: Range; y: Range; z: Range };
}
export interface TableArtefact { kind: 'table'; table: Table }
export interface TransformArtefact { kind: 'transform'; dir: string }
export interface FileArtefact {
  kind: 'file';
  path: string;
  /** Every file the result consists of (path first), e.g. MHD header + .raw, per-plane files, companions. */
  files?: string[];
}
export interface JsonArtefact { kind: 'json'; value: unknown }

export type Artefact = VolumeRef | PointsArtefact | TableArtefact | TransformArtefact | FileArtefact | JsonArtefact;
export type ArtefactOf<T extends PortType> = Extract<Artefact, { kind: T }>;
