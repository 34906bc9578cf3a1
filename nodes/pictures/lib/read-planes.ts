// Reading only what a picture draws: one ctx.readVolume call per plane, restricted to the window.
import type { VolumeRef, Artefact } from '../../../engine/core/artefacts.js';
import type { NodeContext } from '../../../engine/core/node-type.js';
import type { Range } from '../../../engine/data/volume.js';
import { planeOfSlab, resolveRange, selectPlanes, type Axis, type Plane } from './planes.js';
import type { TiledPlaneParams } from './node-params.js';

/** The volume wired to input `port`, or a clear error naming the node and port. */
export function volumeInput(inputs: Record<string, Artefact | undefined>, port: string, ctx: NodeContext, optional = false): VolumeRef | undefined {
  const a = inputs[port];
  if (!a) {
    if (optional) return undefined;
    throw new Error(`node '${ctx.nodeId}': input '${port}' is not connected`);
  }
  if (a.kind !== 'volume') throw new Error(`node '${ctx.nodeId}': input '${port}' must be a volume, got ${a.kind}`);
  return a;
}

export interface PlaneWindow {
  x: Range;
  y: Range;
  /** The z indices drawn. */
  planes: number[];
  clipped: boolean;
}

/** The window and z planes of a tiled picture, checked against the volume. */
export function planeWindow(ref: VolumeRef, p: TiledPlaneParams, nodeId: string): PlaneWindow {
  const [X, Y, Z] = ref.shape;
  const x = resolveRange(p.x, X, `node '${nodeId}': params.x`);
  const y = resolveRange(p.y, Y, `node '${nodeId}': params.y`);
  const z = resolveRange(p.z, Z, `node '${nodeId}': params.z`);
  const { indices, clipped } = selectPlanes(z, p.step, p.maxTiles);
  return { x, y, planes: indices, clipped };
}

/** Read the window of each z plane, one plane at a time. */
export async function readZPlanes(ctx: NodeContext, ref: VolumeRef, w: PlaneWindow): Promise<Plane[]> {
  const out: Plane[] = [];
  for (const [i, z] of w.planes.entries()) {
    if (ctx.signal.aborted) throw new Error(`node '${ctx.nodeId}': aborted`);
    const v = await ctx.readVolume(ref, { x: w.x, y: w.y, z: [z, z + 1] });
    out.push(planeOfSlab(v, 'z'));
    ctx.progress(i + 1, w.planes.length);
  }
  return out;
}

/** Read one section perpendicular to `axis` at `index`. */
export async function readSection(ctx: NodeContext, ref: VolumeRef, axis: Axis, index: number): Promise<Plane> {
  const region = { [axis]: [index, index + 1] as Range };
  return planeOfSlab(await ctx.readVolume(ref, region), axis);
}
