// The zero-install registration path: elastix 5.2 compiled to WebAssembly (@itk-wasm/elastix), used
// when the native binary is not installed. elastixNode blocks its thread for the whole registration,
// so the engine runs this function in a worker (ctx.parallel) and the main thread stays responsive.
// Same parameter files, same conventions as the native path (spacing 1: voxel coordinates).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VolumeRef } from '../../../../engine/core/artefacts.js';
import { readRegion } from '../../../../engine/data/read.js';
import { parseParameterText } from './transform-parameters.js';

export interface WasmRegistrationArgs {
  fixed: VolumeRef;
  moving: VolumeRef;
  /** Parameter files in order (affine first, then B-spline, as ClearMap). */
  parameterFiles: string[];
  outDir: string;
}

async function toItkImage(ref: VolumeRef, name: string) {
  const v = await readRegion(ref);
  const data = v.data instanceof Float32Array ? v.data : Float32Array.from(v.data);
  return {
    imageType: { dimension: 3, componentType: 'float32', pixelType: 'Scalar', components: 1 },
    name,
    origin: [0, 0, 0],
    spacing: [1, 1, 1],
    direction: new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]),
    size: [...v.shape],
    data,
    metadata: new Map(),
  };
}

/** Runs in a worker: registers moving onto fixed and writes TransformParameters.N.txt like native elastix. */
export async function registerWithWasm(args: WasmRegistrationArgs): Promise<{ files: string[]; seconds: number }> {
  const t0 = performance.now();
  const { elastixNode, readParameterFilesNode, writeParameterFilesNode } = await import('@itk-wasm/elastix');
  const { parameterObject } = await readParameterFilesNode({ parameterFiles: args.parameterFiles });
  const fixed = await toItkImage(args.fixed, 'fixed');
  const moving = await toItkImage(args.moving, 'moving');
  let result;
  try {
    result = await elastixNode(parameterObject, { fixed: fixed as never, moving: moving as never });
  } catch (e) {
    throw new Error(`elastix (WebAssembly) failed: ${(e as Error).message}${/Abort/.test(String(e)) ? ' (out of wasm memory: use leaner parameters, e.g. RecursiveImagePyramid and fewer samples, or install native elastix)' : ''}`);
  }
  mkdirSync(args.outDir, { recursive: true });
  const maps = result.transformParameterObject as unknown as unknown[];
  const files = maps.map((_, i) => join(args.outDir, `TransformParameters.${i}.txt`));
  await writeParameterFilesNode(result.transformParameterObject, files);
  // chain the files as native elastix does, so transformix and our point transformer read them alike
  for (let i = 1; i < files.length; i++) {
    const text = readFileSync(files[i], 'utf8');
    const m = parseParameterText(text, files[i]);
    if (String(m.get('InitialTransformParametersFileName')?.[0] ?? 'NoInitialTransform') === 'NoInitialTransform') {
      const replaced = /\(InitialTransformParametersFileName[^)]*\)/.test(text)
        ? text.replace(/\(InitialTransformParametersFileName[^)]*\)/, `(InitialTransformParametersFileName "${files[i - 1]}")`)
        : `(InitialTransformParametersFileName "${files[i - 1]}")\n${text}`;
      writeFileSync(files[i], replaced);
    }
  }
  return { files, seconds: (performance.now() - t0) / 1000 };
}
