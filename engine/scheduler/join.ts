// Joiners: turning a chain's chunk files (written by whichever executor ran them) into the chain's
// outputs — volumes concatenated plane-exactly, points in a canonical order, reductions joined by the
// node type. Chunk files are read back from the cache, so the result does not depend on where they ran.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize } from 'node:v8';
import type { Artefact } from '../core/artefacts.js';
import type { ChunkNodeType, NodeContext } from '../core/node-type.js';
import { NodeError } from '../core/errors.js';
import { concatPoints, selectPoints, type Points } from '../data/points.js';
import { bytesPerVoxel, type DType } from '../data/volume.js';
import type { ChunkGeometry } from '../data/chunk.js';
import { rawVolumeRef, writeMhdHeader } from '../data/raw-volume.js';
import type { ResolvedNode } from '../workflow/validate.js';
import { readChunkHeader, readChunkPayload } from './chunk-file.js';
import type { ChainPlan, Unit } from './plan.js';

/** The outputs of a chain from its (complete) chunk files; volumes are written into workDir. */
export async function joinChain(u: Unit, plan: ChainPlan, workDir: string, ctx: NodeContext): Promise<Record<string, Artefact>> {
  const { source, geometries, fileOf } = plan;
  const lastType = u.last.type as ChunkNodeType;
  const outPort = Object.keys(lastType.outputs)[0];
  if (lastType.produces === 'volume') {
    const [X, Y, Z] = source.shape;
    const dtype = readChunkHeader(fileOf(geometries[0]))!.header.dtype as DType;
    const raw = join(workDir, 'volume.raw');
    if (geometries.some((g) => g.tile)) assembleTiles(geometries, fileOf, raw, [X, Y, Z], bytesPerVoxel(dtype));
    else concatChunks(geometries.map(fileOf), raw);
    writeMhdHeader(join(workDir, 'volume.mhd'), 'volume.raw', [X, Y, Z], dtype, source.voxelSize);
    // a cropped source keeps its offset, so later points stay in full-stack coordinates
    return { [outPort]: { ...rawVolumeRef(raw, [X, Y, Z], dtype, source.voxelSize), ...(source.offset ? { offset: source.offset } : {}) } };
  }
  const payloads = geometries.map((g) => {
    const c = readChunkPayload(fileOf(g));
    if (!c) throw new Error(`chunk file ${fileOf(g)} vanished or is corrupt`);
    return deserialize(c.payload) as unknown;
  });
  if (lastType.produces === 'points') {
    const points = sortPoints(concatPoints(payloads as Points[]));
    const [X, Y, Z] = source.shape;
    const o = source.offset;
    const crop = o ? { crop: { x: [o[0], o[0] + X] as [number, number], y: [o[1], o[1] + Y] as [number, number], z: [o[2], o[2] + Z] as [number, number] } } : {};
    return { [outPort]: { kind: 'points', points, voxelSize: source.voxelSize, ...crop } };
  }
  if (!lastType.join) throw new Error(`chunk node type '${lastType.type}' produces 'reduce' but has no join()`);
  const outputs = await lastType.join(payloads, u.last.params, ctx);
  checkOutputs(u.last, outputs);
  return outputs;
}

export function checkOutputs(n: ResolvedNode, outputs: Record<string, Artefact>): void {
  for (const [port, spec] of Object.entries(n.type.outputs)) {
    const a = outputs[port];
    if (!a && spec.optional) continue; // e.g. an atlas without a reference image
    if (!a) throw new NodeError(n.id, n.type.type, `produced no '${port}' output`);
    if (a.kind !== spec.type) throw new NodeError(n.id, n.type.type, `output '${port}' should be ${spec.type} but is ${a.kind}`);
  }
}

/** Points in a canonical order (z, y, x, then properties) so the list is the same whatever the chunking. */
export function sortPoints(p: Points): Points {
  const n = p.coords.length / 3;
  const idx = Array.from({ length: n }, (_, i) => i);
  const c = p.coords;
  const cols = Object.values(p.properties);
  idx.sort((a, b) => (c[3 * a + 2] - c[3 * b + 2]) || (c[3 * a + 1] - c[3 * b + 1]) || (c[3 * a] - c[3 * b])
    || cols.reduce((r, col) => r || col[a] - col[b], 0) || a - b);
  return selectPoints(p, idx);
}

/** Concatenate the payloads of volume chunk files (cores in z order) into one raw file, streaming. */
export function concatChunks(files: string[], out: string): void {
  const fd = openSync(out, 'w');
  const buf = Buffer.alloc(1 << 24);
  try {
    let pos = 0;
    for (const f of files) {
      const h = readChunkHeader(f);
      if (!h) throw new Error(`chunk file ${f} is missing or corrupt`);
      const src = openSync(f, 'r');
      try {
        let off = h.payloadOffset;
        let left = h.header.bytes;
        while (left > 0) {
          const n = readSync(src, buf, 0, Math.min(buf.length, left), off);
          if (n === 0) throw new Error(`chunk file ${f} is truncated`);
          writeSync(fd, buf, 0, n, pos);
          pos += n; off += n; left -= n;
        }
      } finally {
        closeSync(src);
      }
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Write the payloads of volume chunk files cut into x/y tiles into one raw file: for each z-slab,
 * a batch of whole planes is assembled in memory from the tiles' rows (one read per tile and
 * batch, since a tile's planes are contiguous) and written at once.
 */
export function assembleTiles(geometries: ChunkGeometry[], fileOf: (g: ChunkGeometry) => string, out: string, shape: [number, number, number], bytes: number): void {
  const [X, Y] = shape;
  const planeBytes = X * Y * bytes;
  const batch = Math.max(1, Math.floor((1 << 26) / planeBytes));
  const slabs = new Map<number, ChunkGeometry[]>();
  for (const g of geometries) slabs.set(g.core[0], [...(slabs.get(g.core[0]) ?? []), g]);
  const fd = openSync(out, 'w');
  try {
    for (const [z0, tiles] of [...slabs].sort((a, b) => a[0] - b[0])) {
      const z1 = tiles[0].core[1];
      const files = tiles.map((g) => {
        const f = fileOf(g);
        const h = readChunkHeader(f);
        if (!h) throw new Error(`chunk file ${f} is missing or corrupt`);
        const [cx, cy] = g.tile ? g.tile.core : [[0, X], [0, Y]] as [number, number][];
        return { f, h, cx, cy, w: cx[1] - cx[0], hgt: cy[1] - cy[0] };
      });
      const covered = files.reduce((s, t) => s + t.w * t.hgt, 0);
      if (covered !== X * Y) throw new Error(`chunk files of planes ${z0}-${z1} cover ${covered} of ${X * Y} voxels per plane`);
      const buf = Buffer.alloc(Math.min(batch, z1 - z0) * planeBytes);
      for (let b0 = z0; b0 < z1; b0 += batch) {
        const n = Math.min(batch, z1 - b0);
        for (const t of files) {
          const tilePlane = t.w * t.hgt * bytes;
          const part = Buffer.alloc(n * tilePlane);
          const src = openSync(t.f, 'r');
          try {
            const got = readSync(src, part, 0, part.length, t.h.payloadOffset + (b0 - z0) * tilePlane);
            if (got !== part.length) throw new Error(`chunk file ${t.f} is truncated`);
          } finally {
            closeSync(src);
          }
          for (let z = 0; z < n; z++) for (let y = 0; y < t.hgt; y++) {
            const from = z * tilePlane + y * t.w * bytes;
            part.copy(buf, z * planeBytes + ((t.cy[0] + y) * X + t.cx[0]) * bytes, from, from + t.w * bytes);
          }
        }
        writeSync(fd, buf, 0, n * planeBytes, b0 * planeBytes);
      }
    }
  } finally {
    closeSync(fd);
  }
}
