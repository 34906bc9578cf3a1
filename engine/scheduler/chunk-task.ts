// Running one chunk through a fused chain of chunk kernels. Runs inside a worker thread (see
// chunk.worker.ts) but is plain code, so it is also callable in-process.
import { serialize } from 'node:v8';
import type { VolumeRef } from '../core/artefacts.js';
import type { ChunkContext, ChunkKernel, ChunkOutputKind } from '../core/node-type.js';
import type { ChunkGeometry } from '../data/chunk.js';
import { filterPoints, type Points } from '../data/points.js';
import { sliceZ, type Volume } from '../data/volume.js';
import { importExport, readRegion } from '../data/read.js';
import { writeChunkFile } from './chunk-file.js';

export interface StageSpec {
  nodeId: string;
  nodeType: string;
  module: string;
  export: string;
  params: Record<string, unknown>;
  produces: ChunkOutputKind;
  /** The node's non-stream inputs and the workflow folder (see ChunkContext). */
  context: ChunkContext;
}

export interface ChunkTask {
  source: VolumeRef;
  geometry: ChunkGeometry;
  stages: StageSpec[];
  chunkFile: string;
}

export interface ChunkTaskResult {
  bytes: number;
  seconds: number;
}

function isVolume(v: unknown): v is Volume {
  return !!v && typeof v === 'object' && 'data' in v && 'shape' in v && ArrayBuffer.isView((v as Volume).data);
}

export async function runChunkTask(task: ChunkTask): Promise<ChunkTaskResult> {
  const t0 = performance.now();
  const g = task.geometry;
  // the node error names the chain's last node; name the failing stage when several are fused
  const where = (s: StageSpec) => `${task.stages.length > 1 ? `stage '${s.nodeId}' (${s.nodeType}), ` : ''}chunk ${g.index + 1}/${g.count} (z ${g.read[0]}–${g.read[1]})`;
  let slab: Volume = await readRegion(task.source, { z: g.read });
  let result: unknown = slab;
  let kind: ChunkOutputKind = 'volume';
  for (const s of task.stages) {
    const kernel = await importExport<ChunkKernel>(s.module, s.export, `kernel of node '${s.nodeId}'`);
    // a reduction must see each plane exactly once: give it only the planes this chunk owns
    const input = s.produces === 'reduce' ? sliceZ(slab, g.core[0] - slab.origin[2], g.core[1] - slab.origin[2]) : slab;
    try {
      result = await kernel(input, g, s.params, s.context);
    } catch (e) {
      throw new Error(`${where(s)}: ${(e as Error).message}`);
    }
    kind = s.produces;
    if (kind === 'volume') {
      if (!isVolume(result) || result.shape[2] !== slab.shape[2]) throw new Error(`${where(s)}: kernel must return a volume of the same z extent as its input slab`);
      slab = { ...result, origin: slab.origin };
    }
  }
  let payload: Uint8Array;
  let header: { kind: ChunkOutputKind; dtype?: string; shape?: [number, number, number] };
  if (kind === 'volume') {
    const core = sliceZ(slab, g.core[0] - slab.origin[2], g.core[1] - slab.origin[2]);
    payload = new Uint8Array(core.data.buffer, core.data.byteOffset, core.data.byteLength);
    header = { kind, dtype: core.dtype, shape: core.shape };
  } else if (kind === 'points') {
    const p = result as Points;
    // ClearMap's join rule: a chunk keeps the points whose z lies in the planes it owns
    const kept = filterPoints(p, (i) => p.coords[3 * i + 2] >= g.core[0] && (p.coords[3 * i + 2] < g.core[1] || (g.core[1] === g.depth && p.coords[3 * i + 2] <= g.depth)));
    payload = serialize({ coords: kept.coords, properties: kept.properties });
    header = { kind };
  } else {
    payload = serialize(result);
    header = { kind };
  }
  writeChunkFile(task.chunkFile, header, payload);
  return { bytes: payload.byteLength, seconds: (performance.now() - t0) / 1000 };
}
