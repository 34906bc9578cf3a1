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
import type { DType } from '../data/volume.js';
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
    concatChunks(geometries.map(fileOf), raw);
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
