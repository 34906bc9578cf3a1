// Helpers shared by the alignment node types: input checks, the resampling and point params,
// the elastix backend choice and the transform directory's metadata.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Artefact, PointsArtefact, TransformArtefact, VolumeRef } from '../../../engine/core/artefacts.js';
import { paramsSchema, type NodeContext } from '../../../engine/core/node-type.js';
import type { Shape3 } from '../../../engine/data/volume.js';
import { requireVoxelSize } from '../../io/lib/voxel-size.js';
import { parseOrientation } from './orientation.js';
import { resampleGeometry, type ResampleGeometry, type Triple } from './resample.js';
import { POINT_CONVENTIONS } from './resample-points.js';
import { findElastix, transformParameterFiles, type ElastixBinaries } from './elastix.js';

export const BACKENDS = ['auto', 'native', 'wasm'] as const;

/** Native elastix when installed (faster, multi-threaded), else the embedded WebAssembly build. */
export function chooseBackend(requested: unknown, what: string): { backend: 'native'; binaries: ElastixBinaries } | { backend: 'wasm' } {
  if (requested === 'wasm') return { backend: 'wasm' };
  try {
    return { backend: 'native', binaries: findElastix() };
  } catch (e) {
    if (requested === 'native') throw new Error(`backend: 'native' was requested for ${what} but ${(e as Error).message}`);
    return { backend: 'wasm' };
  }
}

export const triple = (description: string) => ({ type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 3, maxItems: 3, description }) as const;
export const shape = (description: string) => ({ type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 3, maxItems: 3, description }) as const;
export const orientationSchema = {
  description: "ClearMap orientation: a signed permutation of [1, 2, 3] (entry i = source axis that becomes result axis i, minus = reversed), or 'Left' (= [1,2,3]) / 'Right' (= [-1,2,3])",
  default: [1, 2, 3],
  anyOf: [
    { type: 'array', items: { type: 'integer', minimum: -3, maximum: 3, not: { const: 0 } }, minItems: 3, maxItems: 3 },
    { type: 'string', enum: ['Left', 'Right'] },
  ],
} as const;

export const resamplingParams = {
  sourceResolution: triple('µm per voxel of the source [x, y, z]; default: the source volume\'s voxel size'),
  sinkResolution: { ...triple('µm per voxel of the result [x, y, z], in result (oriented) axes'), default: [25, 25, 25] },
  sinkShape: shape('Result size in voxels [x, y, z], in result axes; overrides sinkResolution when set'),
  orientation: orientationSchema,
} as const;

/** Checks shared by the resampling nodes; messages name the param. */
export function checkResamplingParams(params: Record<string, unknown>): string[] {
  const problems: string[] = [];
  try { parseOrientation(params.orientation, 'orientation'); } catch (e) { problems.push((e as Error).message); }
  try {
    // a dummy source: validates resolutions / sink shape without knowing the real source yet
    resampleGeometry({ sourceShape: [1, 1, 1], sourceResolution: params.sourceResolution ?? [1, 1, 1], sinkResolution: params.sinkResolution ?? [25, 25, 25], sinkShape: params.sinkShape, orientation: parseOrientation(null) });
  } catch (e) { problems.push((e as Error).message); }
  return problems;
}

export const pointParams = paramsSchema({
  type: 'object',
  properties: {
    ...resamplingParams,
    sourceShape: shape("Size of the source volume [x, y, z] in voxels; default: from the 'source' input"),
    convention: { type: 'string', enum: [...POINT_CONVENTIONS], default: 'voxel-centre', description: "'voxel-centre': consistent with the image resampling (voxel i centred at i); 'clearmap': ClearMap 0.9.2's formulas (p * m / n, reversal size - p)" },
  },
  additionalProperties: false,
});

export function pointGeometry(nodeType: string, inputs: Record<string, Artefact | undefined>, params: Record<string, unknown>): ResampleGeometry {
  const source = inputs.source as VolumeRef | undefined;
  const sink = inputs.sink as VolumeRef | undefined;
  const points = inputs.points as PointsArtefact | undefined;
  const sourceShape = (params.sourceShape ?? source?.shape) as Shape3 | undefined;
  if (!sourceShape) throw new Error(`${nodeType}: the source volume size is unknown: wire the 'source' input (the volume the points were detected in) or set param 'sourceShape'`);
  if (params.sourceResolution == null && source) requireVoxelSize(source, nodeType, 'scaling points to the atlas resolution');
  const sourceResolution = params.sourceResolution ?? source?.voxelSize ?? points?.voxelSize;
  if (!sourceResolution) throw new Error(`${nodeType}: the source resolution is unknown: set param 'sourceResolution' or wire the 'source' input`);
  return resampleGeometry({
    sourceShape,
    sourceResolution,
    sinkResolution: params.sinkResolution ?? [25, 25, 25],
    sinkShape: params.sinkShape ?? sink?.shape,
    orientation: parseOrientation(params.orientation, 'orientation'),
    names: { sourceResolution: 'sourceResolution', sinkResolution: 'sinkResolution', sinkShape: params.sinkShape ? 'sinkShape' : "the 'sink' input's shape" },
  });
}

export function pointsInput(nodeType: string, inputs: Record<string, Artefact | undefined>): PointsArtefact {
  const p = inputs.points;
  if (!p || p.kind !== 'points') throw new Error(`${nodeType}: input 'points' is missing or not a point set`);
  return p;
}

export const pointInputs = {
  points: { type: 'points' as const, description: 'Point coordinates [x, y, z] in voxels' },
  source: { type: 'volume' as const, description: 'The full-resolution volume (gives sourceShape and sourceResolution)', optional: true },
  sink: { type: 'volume' as const, description: 'The resampled volume (gives sinkShape, so points match it exactly)', optional: true },
};

/** Written into every transform directory: the grids the transform connects. */
export interface TransformMeta {
  fixed: { shape: Shape3; voxelSize: Triple; describe: string };
  moving: { shape: Shape3; voxelSize: Triple; describe: string };
  parameterFiles: string[];
}
export const TRANSFORM_META = 'clearmap-transform.json';

export function readTransformMeta(t: TransformArtefact, nodeType: string): TransformMeta | undefined {
  const f = join(t.dir, TRANSFORM_META);
  if (!existsSync(f)) return undefined;
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as TransformMeta;
  } catch (e) {
    throw new Error(`${nodeType}: ${f} is not valid JSON: ${(e as Error).message}`);
  }
}

export function volumeInput(nodeType: string, inputs: Record<string, Artefact | undefined>, port: string): VolumeRef {
  const v = inputs[port];
  if (!v || v.kind !== 'volume') throw new Error(`${nodeType}: input '${port}' is missing or not a volume`);
  return v;
}

export function transformInput(nodeType: string, inputs: Record<string, Artefact | undefined>): TransformArtefact {
  const t = inputs.transform;
  if (!t || t.kind !== 'transform') throw new Error(`${nodeType}: input 'transform' is missing or not an elastix transform`);
  transformParameterFiles(t.dir); // throws if the directory is gone
  return t;
}

/** A private scratch directory (the engine's cache-owned ctx.tempDir when run by the engine), removed afterwards. */
export async function withScratch<T>(prefix: string, fn: (dir: string) => Promise<T>, ctx?: NodeContext): Promise<T> {
  const dir = ctx?.tempDir?.(prefix) ?? mkdtempSync(join(tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
