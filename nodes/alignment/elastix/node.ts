// elastix: ClearMap's alignData (Alignment/Elastix.py), through the registration backend service.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineWholeNode } from '../../../engine/core/node-type.js';
import { resolveParameterFile } from '../lib/elastix.js';
import { REGISTRATION_BACKEND } from '../lib/registration.js';
import { elastixRegistration } from '../lib/elastix-registration.js';
import { checkExtents } from '../lib/registration-check.js';
import { BACKENDS, chooseBackend, TRANSFORM_META, volumeInput, type TransformMeta } from '../lib/node-helpers.js';

function parameterFileList(params: Record<string, unknown>): unknown[] {
  const list = params.parameterFiles ?? ['Par0000affine', 'Par0000bspline'];
  if (!Array.isArray(list) || list.length === 0) throw new Error(`parameterFiles: expected a non-empty list of elastix parameter files, got ${JSON.stringify(list)}`);
  return list;
}

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
