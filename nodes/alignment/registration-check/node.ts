// registration-check: after registering, the check picture and the similarity before/after (see ../lib/registration-check.ts for the checks and pictures).
import { defineWholeNode } from '../../../engine/core/node-type.js';
import type { TransformArtefact } from '../../../engine/core/artefacts.js';
import { outputPath, pathSchema } from '../../pictures/lib/node-params.js';
import { writePng } from '../../pictures/lib/png.js';
import { transformParameterFiles } from '../lib/elastix.js';
import { loadTransformChain, transformPointsWithChain } from '../lib/wasm/transform-parameters.js';
import { centredMap, checkPicture, gridOf, gridPoints, mapAll, readAsFloat, scoreMapped, volumeIn, type V3 } from '../lib/registration-check.js';

export const registrationCheckNode = defineWholeNode({
  kind: 'whole',
  type: 'registration-check',
  version: '1',
  description: 'After registering: a check picture (atlas region boundaries carried through the transform onto the resampled sample, three mid-planes, beside the registered atlas image) and the normalised cross-correlation of sample and atlas image before (centres aligned) and after registration.',
  inputs: {
    fixed: { type: 'volume', description: "The elastix node's fixed image (the resampled sample)" },
    moving: { type: 'volume', description: "The elastix node's moving image (the atlas reference)" },
    transform: { type: 'transform', description: "The elastix node's result" },
    annotation: { type: 'volume', optional: true, description: 'Labels on the moving grid (the atlas annotation) whose boundaries are drawn' },
  },
  outputs: {
    picture: { type: 'file', description: 'The check PNG' },
    check: { type: 'json', description: '{ ncc: { before, after }, points }' },
  },
  params: {
    type: 'object', additionalProperties: false,
    properties: {
      path: pathSchema('registration_check.png'),
      samples: { type: 'integer', minimum: 1000, default: 300000, description: 'About this many fixed-image voxels (a regular grid) enter the similarity scores' },
    },
  },
  producesFiles: true,
  async run(inputs, params, ctx) {
    const fixedRef = volumeIn(inputs, 'fixed', ctx)!, movingRef = volumeIn(inputs, 'moving', ctx)!;
    const annRef = volumeIn(inputs, 'annotation', ctx, true);
    const t = inputs.transform as TransformArtefact | undefined;
    if (!t || t.kind !== 'transform') throw new Error(`node '${ctx.nodeId}': input 'transform' must be an elastix transform`);
    if (annRef && annRef.shape.some((s, i) => s !== movingRef.shape[i])) {
      throw new Error(`node '${ctx.nodeId}': input 'annotation' is [${annRef.shape}] but the moving image is [${movingRef.shape}]; wire labels on the moving image's grid`);
    }
    const dest = outputPath(String(params.path ?? 'registration_check.png'), ctx);
    const files = transformParameterFiles(t.dir);
    if (!files.length) throw new Error(`node '${ctx.nodeId}': ${t.dir} holds no TransformParameters files`);
    const chain = loadTransformChain(files[files.length - 1]);
    const fixed = await readAsFloat(ctx, fixedRef), moving = await readAsFloat(ctx, movingRef);
    const labels = annRef ? await ctx.readVolume(annRef) : undefined;
    const stride = Math.max(1, Math.round(Math.cbrt(fixed.data.length / (params.samples ?? 300000))));
    const pts = gridPoints(fixed.shape, stride);
    const before = scoreMapped(fixed, moving, pts, mapAll(pts, centredMap(gridOf(fixedRef), gridOf(movingRef))));
    const after = scoreMapped(fixed, moving, pts, transformPointsWithChain(chain, pts));
    const map = (p: V3) => { const q = transformPointsWithChain(chain, Float64Array.from(p)); return [q[0], q[1], q[2]] as V3; };
    const description = `registration check: mid-planes across z, y, x (rows) of the sample${labels ? ' with the atlas boundaries carried onto it (red)' : ''} (left) and the registered atlas image (right); NCC before (centres aligned) ${before.toFixed(3)}, after ${after.toFixed(3)} (${pts.length / 3} voxels)`;
    writePng(dest, checkPicture(fixed, moving, map, labels), { description, legend: labels ? [{ label: 'atlas region boundaries', color: '#ff4040' }] : [] });
    ctx.log(`normalised cross-correlation of sample and atlas: before ${before.toFixed(3)}, after ${after.toFixed(3)}`);
    if (!(after > before)) ctx.log(`warning: the registration did not improve the similarity (NCC ${before.toFixed(3)} -> ${after.toFixed(3)}); look at ${dest}`);
    return {
      picture: { kind: 'file', path: dest },
      check: { kind: 'json', value: { ncc: { before, after }, points: pts.length / 3 } },
    };
  },
});
