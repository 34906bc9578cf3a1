// The parallel parts of the `resample` node. Two equivalent ways to run it:
//  - whole node (registered): the node reads only the input planes the result needs, in slabs, on the
//    worker pool (ctx.parallel -> resampleSlabTask); each needed plane is read and x,y-resized once;
//  - chunk-wise reduction (resampleChunk + joinResampled): every chunk x,y-resizes the needed planes
//    it owns; the join does the z pass. Reads every plane of the stack, so the whole node is preferred.
// Either way the cheap z pass, reorientation and writing happen once on the small resized planes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChunkGeometry } from '../../../engine/data/chunk.js';
import type { DType, Shape3, TypedArray, Volume } from '../../../engine/data/volume.js';
import type { Artefact, VolumeRef } from '../../../engine/core/artefacts.js';
import type { NodeContext } from '../../../engine/core/node-type.js';
import { rawVolumeRef, writeMhdHeader } from '../../../engine/data/raw-volume.js';
import { readRegion } from '../../../engine/data/read.js';
import { parseOrientation } from '../lib/orientation.js';
import {
  assembleResampled, planResample, resampleGeometry, resizeSlabPlanes, tapInputs,
  type Interpolation, type ResampleGeometry, type Triple,
} from '../lib/resample.js';

/** What one chunk sends to the join (structured-clonable). */
export interface ResamplePartial {
  sourceShape: Shape3;
  sourceResolution: Triple;
  dtype: DType;
  /** Global source z of each resized plane, ascending. */
  planes: number[];
  /** The resized planes, concatenated. */
  data: TypedArray;
}

/** The geometry the `resample` node's params describe for a source of this shape and voxel size. */
export function resampleGeometryFromParams(params: Record<string, unknown>, sourceShape: Shape3, sourceVoxelSize: Triple): ResampleGeometry {
  return resampleGeometry({
    sourceShape,
    sourceResolution: params.sourceResolution ?? sourceVoxelSize,
    sinkResolution: params.sinkResolution ?? [25, 25, 25], // ClearMap's default resolutionSink
    sinkShape: params.sinkShape,
    orientation: parseOrientation(params.orientation, 'orientation'),
  });
}

export function interpolationOf(params: Record<string, unknown>): Interpolation {
  return (params.interpolation ?? 'linear') as Interpolation;
}

/** Chunk kernel: x,y-resize the planes of this slab that the z pass will read. */
export function resampleChunk(slab: Volume, geometry: ChunkGeometry, params: Record<string, unknown>): ResamplePartial {
  const sourceShape: Shape3 = [slab.shape[0], slab.shape[1], geometry.depth];
  const g = resampleGeometryFromParams(params, sourceShape, slab.voxelSize);
  const plan = planResample(g, interpolationOf(params));
  const z0 = slab.origin[2], z1 = z0 + slab.shape[2];
  const planes = tapInputs(plan.tz).filter((z) => z >= z0 && z < z1);
  return { sourceShape, sourceResolution: g.sourceResolution, dtype: slab.dtype, planes, data: resizeSlabPlanes(plan, slab, planes) };
}

/** Arguments of one pool task of the whole `resample` node. */
export interface ResampleSlabArgs {
  ref: VolumeRef;
  params: Record<string, unknown>;
  /** Consecutive source planes to read and resize. */
  planes: number[];
}

/** Pool task: read planes [first, last] of the source and x,y-resize them. Runs in a worker thread. */
export async function resampleSlabTask(args: ResampleSlabArgs): Promise<ResamplePartial> {
  const { ref, params, planes } = args;
  const g = resampleGeometryFromParams(params, ref.shape, ref.voxelSize);
  const plan = planResample(g, interpolationOf(params));
  const slab = await readRegion(ref, { z: [planes[0], planes[planes.length - 1] + 1] });
  if (slab.dtype !== ref.dtype) throw new Error(`resample: ${ref.describe} returned ${slab.dtype} data but declares ${ref.dtype}`);
  const data = resizeSlabPlanes(plan, { ...slab, origin: [0, 0, planes[0]] }, planes);
  return { sourceShape: ref.shape, sourceResolution: g.sourceResolution, dtype: ref.dtype, planes, data };
}

/** Join: the z pass over all chunks' resized planes, reorientation, and the result written as MHD/RAW. */
export async function joinResampled(partials: unknown[], params: Record<string, unknown>, ctx: NodeContext): Promise<Record<string, Artefact>> {
  const parts = partials as ResamplePartial[];
  if (parts.length === 0) throw new Error('resample: no chunks were produced (empty input volume?)');
  const { sourceShape, sourceResolution, dtype } = parts[0];
  const g = resampleGeometryFromParams({ ...params, sourceResolution }, sourceShape, sourceResolution);
  const plan = planResample(g, interpolationOf(params));
  const [mx, my] = g.sinkShapeInSourceAxes;
  const n = mx * my;
  const planes = new Map<number, TypedArray>();
  for (const p of parts) p.planes.forEach((z, k) => planes.set(z, p.data.subarray(k * n, (k + 1) * n) as TypedArray));
  const missing = tapInputs(plan.tz).filter((z) => !planes.has(z));
  if (missing.length) throw new Error(`resample: resized planes missing for source z = ${missing.slice(0, 10).join(', ')}`);
  const result = assembleResampled(plan, dtype, (z) => planes.get(z)!);
  ctx.log(`resampled [${sourceShape}] -> [${result.shape}] (${g.sourceResolution.join(' x ')} µm -> ${g.sinkResolution.map((r) => +r.toFixed(3)).join(' x ')} µm, orientation [${g.orientation.tuple}])`);
  return { output: writeVolumeToWorkDir(result, ctx.workDir, 'resampled') };
}

/** Write a volume as `<name>.mhd` + `<name>.raw` into `dir` and return a VolumeRef to it. */
export function writeVolumeToWorkDir(v: Volume, dir: string, name: string) {
  const raw = join(dir, `${name}.raw`);
  writeFileSync(raw, new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength));
  writeMhdHeader(join(dir, `${name}.mhd`), `${name}.raw`, v.shape, v.dtype, v.voxelSize);
  return rawVolumeRef(raw, v.shape, v.dtype, v.voxelSize);
}
