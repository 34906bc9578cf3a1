// Shared helpers for the picture tests: volumes on disk (read through the engine's raw reader, so the
// nodes read real regions), a NodeContext that records every region read, PNG decoding.
import { mkdtempSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import type { VolumeRef, Artefact } from '../../../engine/core/artefacts.js';
import type { NodeContext, WholeNodeType } from '../../../engine/core/node-type.js';
import { rawVolumeRef } from '../../../engine/data/raw-volume.js';
import { importExport, readRegion } from '../../../engine/data/read.js';
import { dtypeOf, type Shape3, type TypedArray } from '../../../engine/data/volume.js';

export function tempDir(prefix = 'cm-pictures-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Write `data` (x fastest) as a raw file and return a VolumeRef to it. */
export function volumeOnDisk(dir: string, name: string, data: TypedArray, shape: Shape3): VolumeRef {
  const path = join(dir, `${name}.raw`);
  writeFileSync(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return rawVolumeRef(path, shape, dtypeOf(data), [1, 1, 1]);
}

export type Regions = Array<{ describe: string; x?: [number, number]; y?: [number, number]; z?: [number, number] }>;

export function context(outDir: string, nodeId = 'pic'): { ctx: NodeContext; reads: Regions; logs: string[] } {
  const reads: Regions = [], logs: string[] = [];
  const ctx: NodeContext = {
    nodeId, workDir: join(outDir, '.work'), baseDir: outDir, outDir, workers: 1,
    log: (m) => logs.push(m), progress: () => {},
    readVolume: async (ref, region) => { reads.push({ describe: ref.describe, ...region }); return readRegion(ref, region); },
    // the picture nodes do not use the pool; run tasks in this thread so the context is complete
    parallel: async <T>(tasks: Array<{ module: string; export: string; args: unknown }>) =>
      Promise.all(tasks.map(async (t) => (await importExport<(a: unknown) => T>(t.module, t.export, 'task'))(t.args))),
    signal: new AbortController().signal,
  };
  return { ctx, reads, logs };
}

/** Params with the schema defaults filled in (as the engine's validation does), then the overrides. */
export function withDefaults(node: WholeNodeType, overrides: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(node.params.properties)) if ('default' in s) out[k] = structuredClone(s.default);
  return { ...out, ...overrides };
}

export async function runNode(node: WholeNodeType, inputs: Record<string, Artefact>, params: Record<string, unknown>, outDir: string) {
  const { ctx, reads, logs } = context(outDir);
  const problems = node.check?.(withDefaults(node, params)) ?? [];
  if (problems.length) throw new Error(problems.join('; '));
  const result = await node.run(inputs, withDefaults(node, params), ctx);
  return { result, reads, logs };
}

/** Decoded PNG as rows of [r,g,b] (alpha must be 255 or absent). */
export function readPngPixels(path: string): { width: number; height: number; rgb: (x: number, y: number) => [number, number, number]; channels: number; depth: number } {
  const png = decode(readFileSync(path));
  const c = png.channels;
  return {
    width: png.width, height: png.height, channels: c, depth: png.depth,
    rgb: (x, y) => { const o = c * (x + png.width * y); return [png.data[o], png.data[o + 1], png.data[o + 2]]; },
  };
}

export function filesIn(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** The tEXt chunks of a PNG, as decoded by fast-png. */
export function readPngText(path: string): Record<string, string> {
  return decode(readFileSync(path)).text;
}
