// Node types of the alignment area: resampling of volumes and points (ClearMap's Resampling.py) and
// registration with elastix / transformix (ClearMap's Elastix.py).
import { requireVoxelSize } from '../io/lib/voxel-size.js';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Artefact, PointsArtefact, TransformArtefact, VolumeRef } from '../../engine/core/artefacts.js';
import { type NodeContext, defineWholeNode, paramsSchema } from '../../engine/core/node-type.js';
import { bytesPerVoxel, type Shape3 } from '../../engine/data/volume.js';
import { parseOrientation } from './lib/orientation.js';
import { convertVolume, INTERPOLATIONS, planResample, resampleGeometry, tapInputs, type ResampleGeometry, type Triple } from './lib/resample.js';
import { POINT_CONVENTIONS, resamplePoints, resamplePointsInverse, type PointConvention } from './lib/resample-points.js';
import { interpolationOf, joinResampled, resampleGeometryFromParams, writeVolumeToWorkDir, type ResamplePartial } from './resample/kernel.js';
import { copyParameterFiles, ElastixProgress, findElastix, readMhdVolume, writeMhdForElastix, resolveParameterFile, runElastix, transformixImage, transformixPoints, transformParameterFiles, type ElastixBinaries } from './lib/elastix.js';
import { loadTransformChain, transformPointsWithChain } from './lib/wasm/transform-parameters.js';
import { REGISTRATION_BACKEND, type RegistrationBackend } from './lib/registration.js';
import { checkExtents } from './registration-check/node.js';

const WASM_MODULE = new URL('./lib/wasm/elastix-wasm.js', import.meta.url).href;
const BACKENDS = ['auto', 'native', 'wasm'] as const;

/** Native elastix when installed (faster, multi-threaded), else the embedded WebAssembly build. */
function chooseBackend(requested: unknown, what: string): { backend: 'native'; binaries: ElastixBinaries } | { backend: 'wasm' } {
  if (requested === 'wasm') return { backend: 'wasm' };
  try {
    return { backend: 'native', binaries: findElastix() };
  } catch (e) {
    if (requested === 'native') throw new Error(`backend: 'native' was requested for ${what} but ${(e as Error).message}`);
    return { backend: 'wasm' };
  }
}

/** Worker threads import the pool task from here. */
const RESAMPLE_KERNEL_MODULE = new URL('./resample/kernel.js', import.meta.url).href;

const triple = (description: string) => ({ type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 3, maxItems: 3, description }) as const;
const shape = (description: string) => ({ type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 3, maxItems: 3, description }) as const;
const orientationSchema = {
  description: "ClearMap orientation: a signed permutation of [1, 2, 3] (entry i = source axis that becomes result axis i, minus = reversed), or 'Left' (= [1,2,3]) / 'Right' (= [-1,2,3])",
  default: [1, 2, 3],
  anyOf: [
    { type: 'array', items: { type: 'integer', minimum: -3, maximum: 3, not: { const: 0 } }, minItems: 3, maxItems: 3 },
    { type: 'string', enum: ['Left', 'Right'] },
  ],
} as const;

const resamplingParams = {
  sourceResolution: triple('µm per voxel of the source [x, y, z]; default: the source volume\'s voxel size'),
  sinkResolution: { ...triple('µm per voxel of the result [x, y, z], in result (oriented) axes'), default: [25, 25, 25] },
  sinkShape: shape('Result size in voxels [x, y, z], in result axes; overrides sinkResolution when set'),
  orientation: orientationSchema,
} as const;

/** Checks shared by the resampling nodes; messages name the param. */
function checkResamplingParams(params: Record<string, unknown>): string[] {
  const problems: string[] = [];
  try { parseOrientation(params.orientation, 'orientation'); } catch (e) { problems.push((e as Error).message); }
  try {
    // a dummy source: validates resolutions / sink shape without knowing the real source yet
    resampleGeometry({ sourceShape: [1, 1, 1], sourceResolution: params.sourceResolution ?? [1, 1, 1], sinkResolution: params.sinkResolution ?? [25, 25, 25], sinkShape: params.sinkShape, orientation: parseOrientation(null) });
  } catch (e) { problems.push((e as Error).message); }
  return problems;
}

// ---- resample ---------------------------------------------------------------------------------------

/** Bytes of source planes one pool task reads at most (a few tasks run at once). */
const SLAB_BYTES = 64 * 1024 * 1024;

/** Split sorted plane indices into runs of consecutive planes, each at most `maxPlanes` long. */
export function planeRuns(planes: number[], maxPlanes: number): number[][] {
  const runs: number[][] = [];
  for (const z of planes) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] === z - 1 && last.length < maxPlanes) last.push(z);
    else runs.push([z]);
  }
  return runs;
}

export const resampleNode = defineWholeNode({
  kind: 'whole',
  type: 'resample',
  version: '1',
  description: "Resample and reorient a volume as ClearMap's resampleData: each plane is resized in x,y (cv2.resize pixel-centre convention), then z is interpolated, then axes are permuted/flipped by `orientation`. Reads only the source planes the result needs, slab by slab on the worker pool; only the small resized planes stay in memory.",
  inputs: { input: { type: 'volume', description: 'Volume to resample (e.g. the autofluorescence stack)' } },
  outputs: { output: { type: 'volume', description: 'Resampled volume (MHD/RAW in the node work directory), voxel size = effective sink resolution' } },
  params: {
    type: 'object',
    properties: {
      ...resamplingParams,
      interpolation: { type: 'string', enum: [...INTERPOLATIONS], default: 'linear', description: "'linear' (cv2.INTER_LINEAR), 'nearest' (centre-aligned nearest voxel, for label images) or 'nearest-cv2' (cv2.INTER_NEAREST as ClearMap 0.9.2: floor(dst * n / m), shifted by up to half a voxel)" },
    },
    additionalProperties: false,
  },
  check: checkResamplingParams,
  async run(inputs, params, ctx) {
    const ref = volumeInput('resample', inputs, 'input');
    if (params.sourceResolution == null) requireVoxelSize(ref, `resample '${ctx.nodeId}'`, 'resampling to the atlas resolution');
    const g = resampleGeometryFromParams(params, ref.shape, ref.voxelSize);
    const plan = planResample(g, interpolationOf(params));
    const planeBytes = ref.shape[0] * ref.shape[1] * bytesPerVoxel(ref.dtype);
    const runs = planeRuns(tapInputs(plan.tz), Math.max(1, Math.floor(SLAB_BYTES / planeBytes)));
    let done = 0;
    const partials = await Promise.all(runs.map(async (planes) => {
      const [r] = await ctx.parallel<ResamplePartial>([{ module: RESAMPLE_KERNEL_MODULE, export: 'resampleSlabTask', args: { ref, params, planes } }]);
      ctx.progress(++done, runs.length);
      return r;
    }));
    return joinResampled(partials, params, ctx);
  },
});

// ---- resample-points / resample-points-inverse ------------------------------------------------------

const pointParams = paramsSchema({
  type: 'object',
  properties: {
    ...resamplingParams,
    sourceShape: shape("Size of the source volume [x, y, z] in voxels; default: from the 'source' input"),
    convention: { type: 'string', enum: [...POINT_CONVENTIONS], default: 'voxel-centre', description: "'voxel-centre': consistent with the image resampling (voxel i centred at i); 'clearmap': ClearMap 0.9.2's formulas (p * m / n, reversal size - p)" },
  },
  additionalProperties: false,
});

function pointGeometry(nodeType: string, inputs: Record<string, Artefact | undefined>, params: Record<string, unknown>): ResampleGeometry {
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

function pointsInput(nodeType: string, inputs: Record<string, Artefact | undefined>): PointsArtefact {
  const p = inputs.points;
  if (!p || p.kind !== 'points') throw new Error(`${nodeType}: input 'points' is missing or not a point set`);
  return p;
}

const pointInputs = {
  points: { type: 'points' as const, description: 'Point coordinates [x, y, z] in voxels' },
  source: { type: 'volume' as const, description: 'The full-resolution volume (gives sourceShape and sourceResolution)', optional: true },
  sink: { type: 'volume' as const, description: 'The resampled volume (gives sinkShape, so points match it exactly)', optional: true },
};

export const resamplePointsNode = defineWholeNode({
  kind: 'whole',
  type: 'resample-points',
  version: '1',
  description: "Map points from the source volume into the resampled (and reoriented) volume, exactly as the 'resample' node maps voxels (ClearMap's resamplePoints).",
  inputs: pointInputs,
  outputs: { output: { type: 'points', description: 'Points in voxels of the resampled volume' } },
  params: pointParams,
  check: checkResamplingParams,
  async run(inputs, params) {
    const p = pointsInput('resample-points', inputs);
    const g = pointGeometry('resample-points', inputs, params);
    const coords = resamplePoints(p.points.coords, g, (params.convention ?? 'voxel-centre') as PointConvention);
    return { output: { kind: 'points', points: { coords, properties: p.points.properties }, voxelSize: g.sinkResolution } };
  },
});

export const resamplePointsInverseNode = defineWholeNode({
  kind: 'whole',
  type: 'resample-points-inverse',
  version: '1',
  description: "Map points from the resampled volume back into the source volume (ClearMap's resamplePointsInverse); params describe the forward resampling.",
  inputs: pointInputs,
  outputs: { output: { type: 'points', description: 'Points in voxels of the source volume' } },
  params: pointParams,
  check: checkResamplingParams,
  async run(inputs, params) {
    const p = pointsInput('resample-points-inverse', inputs);
    const g = pointGeometry('resample-points-inverse', inputs, params);
    const coords = resamplePointsInverse(p.points.coords, g, (params.convention ?? 'voxel-centre') as PointConvention);
    return { output: { kind: 'points', points: { coords, properties: p.points.properties }, voxelSize: g.sourceResolution as Triple } };
  },
});

// ---- elastix / transformix --------------------------------------------------------------------------

/** Written into every transform directory: the grids the transform connects. */
export interface TransformMeta {
  fixed: { shape: Shape3; voxelSize: Triple; describe: string };
  moving: { shape: Shape3; voxelSize: Triple; describe: string };
  parameterFiles: string[];
}
export const TRANSFORM_META = 'clearmap-transform.json';

function readTransformMeta(t: TransformArtefact, nodeType: string): TransformMeta | undefined {
  const f = join(t.dir, TRANSFORM_META);
  if (!existsSync(f)) return undefined;
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as TransformMeta;
  } catch (e) {
    throw new Error(`${nodeType}: ${f} is not valid JSON: ${(e as Error).message}`);
  }
}

function volumeInput(nodeType: string, inputs: Record<string, Artefact | undefined>, port: string): VolumeRef {
  const v = inputs[port];
  if (!v || v.kind !== 'volume') throw new Error(`${nodeType}: input '${port}' is missing or not a volume`);
  return v;
}

function transformInput(nodeType: string, inputs: Record<string, Artefact | undefined>): TransformArtefact {
  const t = inputs.transform;
  if (!t || t.kind !== 'transform') throw new Error(`${nodeType}: input 'transform' is missing or not an elastix transform`);
  transformParameterFiles(t.dir); // throws if the directory is gone
  return t;
}

/** A private scratch directory outside the cache, removed afterwards. */
async function withScratch<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parameterFileList(params: Record<string, unknown>): unknown[] {
  const list = params.parameterFiles ?? ['Par0000affine', 'Par0000bspline'];
  if (!Array.isArray(list) || list.length === 0) throw new Error(`parameterFiles: expected a non-empty list of elastix parameter files, got ${JSON.stringify(list)}`);
  return list;
}

/** The built-in registration backend: native elastix when installed (or asked for), else the embedded WebAssembly build. */
export const elastixRegistration: RegistrationBackend = {
  id: 'elastix',
  async register({ fixed, moving, parameterFiles: files, randomSeed, backend, outDir }, ctx) {
    const choice = chooseBackend(backend, `node '${ctx.nodeId}'`);
    if (choice.backend === 'wasm') {
      // same parameter copies (with the seed) as the native path; the registration runs in a pool worker
      // because the WebAssembly elastix blocks its thread until it is done
      const copies = copyParameterFiles(files, outDir, randomSeed);
      ctx.log(backend === 'wasm'
        ? 'registering with the embedded WebAssembly elastix (backend: wasm)'
        : 'native elastix not found: registering with the embedded WebAssembly elastix (single-threaded; install the Debian package elastix for speed)');
      // the WebAssembly build prints no log (no per-iteration progress): say what is planned instead
      const plan = new ElastixProgress(copies);
      ctx.log(`elastix (wasm): ${plan.plan.map((r, i) => `${files[i].split('/').pop()} ${r.length} resolution${r.length > 1 ? 's' : ''} × ${r.join('/')} iterations`).join(', then ')}; the WebAssembly build reports no progress until it is done`);
      ctx.progress(0, plan.total);
      const [r] = await ctx.parallel<{ seconds: number }>([{ module: WASM_MODULE, export: 'registerWithWasm', args: { fixed, moving, parameterFiles: copies, outDir } }]);
      ctx.progress(plan.total, plan.total);
      ctx.log(`elastix (wasm) finished in ${r.seconds.toFixed(1)} s (${files.map((f) => f.split('/').pop()).join(' + ')})`);
    } else await withScratch('clearmap-elastix-', async (scratch) => {
      const binaries = choice.binaries;
      writeMhdForElastix(join(scratch, 'fixed.mhd'), await ctx.readVolume(fixed));
      writeMhdForElastix(join(scratch, 'moving.mhd'), await ctx.readVolume(moving));
      const t0 = performance.now();
      let shown = -1;
      await runElastix({
        fixed: join(scratch, 'fixed.mhd'), moving: join(scratch, 'moving.mhd'), parameterFiles: files, outDir,
        threads: ctx.workers, randomSeed, signal: ctx.signal, binaries,
        // resolutions and iterations from elastix's log, as the node's progress
        onProgress: (p) => {
          if (p.started) ctx.log(p.started);
          if (p.started || p.done - shown >= p.total / 200 || p.done === p.total) { shown = p.done; ctx.progress(p.done, p.total); }
        },
      });
      ctx.log(`elastix (native ${binaries.elastix}) finished in ${((performance.now() - t0) / 1000).toFixed(1)} s (${files.map((f) => f.split('/').pop()).join(' + ')})`);
    });
  },
};

export const elastixNode = defineWholeNode({
  kind: 'whole',
  type: 'elastix',
  version: '1',
  description: "Register two volumes with native elastix (ClearMap's alignData): finds T mapping fixed-image voxels to moving-image voxels. ClearMap uses fixed = the sample (resampled autofluorescence), moving = the atlas, so 'transform-points' then carries cells into atlas space.",
  inputs: {
    fixed: { type: 'volume', description: 'Fixed image (ClearMap: the resampled sample)' },
    moving: { type: 'volume', description: 'Moving image (ClearMap: the atlas reference)' },
  },
  outputs: { transform: { type: 'transform', description: 'The elastix result directory (TransformParameters.N.txt, elastix.log, parameter copies)' } },
  params: {
    type: 'object',
    properties: {
      parameterFiles: {
        type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, default: ['Par0000affine', 'Par0000bspline'],
        description: 'elastix parameter files applied in order: names of shipped files (Par0000affine, Par0000bspline) or paths relative to the workflow',
      },
      randomSeed: { type: 'integer', minimum: 0, default: 121212, description: 'RandomSeed added to parameter files that set none (reproducible sampling)' },
      backend: { enum: [...BACKENDS], default: 'auto', description: "'native' elastix (Debian package elastix, multi-threaded), 'wasm' (embedded WebAssembly elastix 5.2, nothing to install, one thread, 4 GiB heap), or 'auto': native when installed, else wasm" },
    },
    additionalProperties: false,
  },
  check(params) {
    try { parameterFileList(params); return []; } catch (e) { return [(e as Error).message]; }
  },
  async externalIdentity(params, baseDir) {
    // the parameter files' contents are part of the result, and so is which elastix runs them
    return {
      backend: chooseBackend(params.backend, 'elastix').backend,
      files: parameterFileList(params).map((f, i) => {
        const path = resolveParameterFile(f, baseDir, `parameterFiles[${i}]`);
        return { entry: f, text: readFileSync(path, 'utf8') };
      }),
    };
  },
  services: [REGISTRATION_BACKEND],
  async run(inputs, params, ctx) {
    const fixed = volumeInput('elastix', inputs, 'fixed');
    const moving = volumeInput('elastix', inputs, 'moving');
    const files = parameterFileList(params).map((f, i) => resolveParameterFile(f, ctx.baseDir, `parameterFiles[${i}]`));
    // fail fast: a sample whose extent or axis order does not match the atlas's will not register
    for (const w of checkExtents(fixed, moving, 0.3, { fixed: 'the fixed image', moving: 'the moving image' }).warnings) ctx.log(`warning: ${w}`);
    const outDir = join(ctx.workDir, 'transform');
    mkdirSync(outDir, { recursive: true });
    const registration = ctx.services?.find(REGISTRATION_BACKEND) ?? elastixRegistration;
    await registration.register({ fixed, moving, parameterFiles: files, randomSeed: params.randomSeed, backend: params.backend, outDir }, ctx);
    const meta: TransformMeta = {
      fixed: { shape: fixed.shape, voxelSize: fixed.voxelSize, describe: fixed.describe },
      moving: { shape: moving.shape, voxelSize: moving.voxelSize, describe: moving.describe },
      parameterFiles: files,
    };
    writeFileSync(join(outDir, TRANSFORM_META), JSON.stringify(meta, null, 2));
    return { transform: { kind: 'transform', dir: outDir } };
  },
});

export const transformPointsNode = defineWholeNode({
  kind: 'whole',
  type: 'transform-points',
  version: '1',
  description: "Map points through an elastix transform with transformix (ClearMap's transformPoints): fixed-image voxels -> moving-image voxels (sample -> atlas in ClearMap's setup).",
  inputs: {
    points: { type: 'points', description: 'Points [x, y, z] in voxels of the fixed image' },
    transform: { type: 'transform', description: "Result of an 'elastix' node" },
  },
  outputs: { output: { type: 'points', description: 'Points in voxels of the moving image' } },
  params: {
    type: 'object',
    properties: {
      indices: { type: 'boolean', default: false, description: "true: hand points to transformix as 'index' as ClearMap 0.9.2 does, so each is rounded to a whole voxel first; false: as 'point', keeping sub-voxel positions" },
      backend: { enum: [...BACKENDS], default: 'auto', description: "'native' transformix, 'wasm' (the built-in TypeScript evaluation of the elastix transforms, equal to transformix within 1e-6 voxels; no install), or 'auto': native when installed" },
    },
    additionalProperties: false,
  },
  async externalIdentity(params) {
    return { backend: chooseBackend(params.backend, 'transform-points').backend };
  },
  async run(inputs, params, ctx) {
    const p = inputsPoints(inputs);
    const t = transformInput('transform-points', inputs);
    const choice = chooseBackend(params.backend, `node '${ctx.nodeId}'`);
    const asIndices = params.indices === true;
    let coords: Float64Array;
    if (choice.backend === 'wasm') {
      const files = transformParameterFiles(t.dir);
      if (!files.length) throw new Error(`transform directory ${t.dir} holds no TransformParameters files`);
      // transformix 'index' input rounds each point to the nearest voxel first
      const input = asIndices ? p.points.coords.map((c) => Math.round(c)) : p.points.coords;
      coords = transformPointsWithChain(loadTransformChain(files[files.length - 1]), input);
    } else {
      coords = await withScratch('clearmap-transformix-', (dir) => transformixPoints(p.points.coords, t.dir, dir, { threads: ctx.workers, signal: ctx.signal, asIndices, binaries: choice.binaries }));
    }
    const meta = readTransformMeta(t, 'transform-points');
    return { output: { kind: 'points', points: { coords, properties: p.points.properties }, ...(meta ? { voxelSize: meta.moving.voxelSize } : {}) } };
  },
});

function inputsPoints(inputs: Record<string, Artefact | undefined>): PointsArtefact {
  return pointsInput('transform-points', inputs);
}

export const transformImageNode = defineWholeNode({
  kind: 'whole',
  type: 'transform-image',
  version: '1',
  description: "Resample an image given in the moving frame onto the fixed grid with transformix (ClearMap's transformData), e.g. the atlas annotation into sample space (interpolationOrder 0 for labels).",
  inputs: {
    image: { type: 'volume', description: 'Image in the moving frame (same size as the moving image of the registration)' },
    transform: { type: 'transform', description: "Result of an 'elastix' node" },
  },
  outputs: { output: { type: 'volume', description: 'The image on the fixed grid, same dtype as the input (rounded and clamped to its range)' } },
  params: {
    type: 'object',
    properties: {
      interpolationOrder: { type: 'integer', minimum: 0, maximum: 5, description: 'FinalBSplineInterpolationOrder: 0 = nearest (label images), 1 = linear, 3 = cubic; default: as the registration (3 in ClearMap\'s files)' },
    },
    additionalProperties: false,
  },
  async run(inputs, params, ctx: NodeContext) {
    const image = volumeInput('transform-image', inputs, 'image');
    const t = transformInput('transform-image', inputs);
    const meta = readTransformMeta(t, 'transform-image');
    if (meta && image.shape.some((s, i) => s !== meta.moving.shape[i])) {
      throw new Error(`transform-image: input 'image' is [${image.shape}] but the registration's moving image was [${meta.moving.shape}] (${meta.moving.describe}); transform an image of the moving image's size`);
    }
    const result = await withScratch('clearmap-transformix-', async (dir) => {
      const src = join(dir, 'image.mhd');
      writeMhdForElastix(src, await ctx.readVolume(image));
      // transformix casts to integer types by wrapping (a cubic overshoot of -424 becomes 65112 in
      // uint16), so ask for floats and saturate here instead
      const out = await transformixImage(src, t.dir, join(dir, 'tfx'), {
        interpolationOrder: params.interpolationOrder as number | undefined,
        pixelType: image.dtype === 'float64' ? 'double' : 'float', threads: ctx.workers, signal: ctx.signal,
      });
      return convertVolume(await readMhdVolume(out), image.dtype);
    });
    result.voxelSize = meta ? meta.fixed.voxelSize : [1, 1, 1];
    return { output: writeVolumeToWorkDir(result, ctx.workDir, 'transformed') };
  },
});
