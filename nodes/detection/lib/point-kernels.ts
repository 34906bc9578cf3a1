// Helpers shared by the kernels of the point-producing detection steps (maxima, shape, intensity:
// <step>/kernel.ts): inputs from an earlier stage of the fused chunk or from whole artefacts, slab
// coordinates. Each kernel reports where its points are decided (stages.ts); the chunk task grows
// the window until that covers the chunk's core.
import type { ChunkContext, ChunkStreamValue } from '../../../engine/core/node-type.js';
import type { ChunkGeometry } from '../../../engine/data/chunk.js';
import type { Points } from '../../../engine/data/points.js';
import { readRegion } from '../../../engine/data/read.js';
import type { Range, Volume } from '../../../engine/data/volume.js';

import { Undecided, type Slab, type TrustedImage } from './stages.js';

export function withDefaults<T extends object>(defaults: T, params: Record<string, unknown>, node: string): T {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(params ?? {})) {
    if (!(k in out)) throw new Error(`${node}: unknown parameter '${k}' (expected ${Object.keys(out).join(', ')})`);
    out[k] = v;
  }
  return out as T;
}

export const slabOf = (v: Volume, g: ChunkGeometry): Slab => ({ shape: v.shape, z0: v.origin[2], depth: g.depth });
export const trustedOf = (v: Volume, ctx?: ChunkContext): Range => ctx?.trusted ?? [v.origin[2], v.origin[2] + v.shape[2]];

/** A volume input of the same planes as the slab: from an earlier stage of the chunk, or read from a whole volume input. */
export async function volumeInput(port: string, slab: Volume, ctx: ChunkContext | undefined, node: string): Promise<TrustedImage | null> {
  const s = ctx?.stream?.[port];
  if (s) {
    if (s.kind !== 'volume') throw new Error(`${node}: input '${port}' must be a volume, got points`);
    return { data: s.volume.data, trusted: s.trusted };
  }
  const a = ctx?.inputs?.[port];
  if (!a) return null;
  if (a.kind !== 'volume') throw new Error(`${node}: input '${port}' must be a volume, got ${a.kind}`);
  const [X, Y, Z] = slab.shape;
  if (a.shape[0] !== X || a.shape[1] !== Y) throw new Error(`${node}: input '${port}' has planes of ${a.shape[0]} x ${a.shape[1]}, the stream has ${X} x ${Y}`);
  const v = await readRegion(a, { z: [slab.origin[2], slab.origin[2] + Z] });
  return { data: v.data, trusted: [slab.origin[2], slab.origin[2] + Z] };
}

/** A points input: from an earlier stage of the chunk (with its decided range), or a whole points artefact (all decided). */
export function pointsInput(port: string, slab: Slab, ctx: ChunkContext | undefined, node: string): { points: Points; undecided: Undecided; decided: Range } {
  const s: ChunkStreamValue | undefined = ctx?.stream?.[port];
  const undecided = new Undecided(slab);
  if (s) {
    if (s.kind !== 'points') throw new Error(`${node}: input '${port}' must be points, got a volume`);
    // a point at z is decided when z lies in [a, b)
    undecided.outside(s.decided);
    return { points: s.points, undecided, decided: s.decided };
  }
  const art = ctx?.inputs?.[port];
  if (!art || art.kind !== 'points') throw new Error(`${node}: input '${port}' must be points, got ${art ? art.kind : 'nothing'}`);
  return { points: art.points, undecided, decided: [-Infinity, Infinity] };
}

/** Coordinates with x, y relative to the slab (z stays global). */
export function toSlab(coords: Float64Array, origin: [number, number, number]): Float64Array {
  if (origin[0] === 0 && origin[1] === 0) return coords;
  const out = Float64Array.from(coords);
  for (let i = 0; i < out.length; i += 3) { out[i] -= origin[0]; out[i + 1] -= origin[1]; }
  return out;
}
export function fromSlab(coords: Float64Array, origin: [number, number, number]): Float64Array {
  if (origin[0] === 0 && origin[1] === 0) return coords;
  const out = Float64Array.from(coords);
  for (let i = 0; i < out.length; i += 3) { out[i] += origin[0]; out[i + 1] += origin[1]; }
  return out;
}
export const intersect = (a: Range, b: Range): Range => [Math.max(a[0], b[0]), Math.min(a[1], b[1])];
