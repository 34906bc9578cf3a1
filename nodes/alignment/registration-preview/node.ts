// registration-preview: before registering, the sample's extent and orientation against the atlas's (see ../lib/registration-check.ts for the checks and pictures).
import { defineWholeNode } from '../../../engine/core/node-type.js';
import { outputPath, pathSchema } from '../../pictures/lib/node-params.js';
import { writePng } from '../../pictures/lib/png.js';
import { checkExtents, flipNames, fmt, gridOf, orientationScores, previewPicture, readAsFloat, volumeIn } from '../lib/registration-check.js';

export const registrationPreviewNode = defineWholeNode({
  kind: 'whole',
  type: 'registration-preview',
  version: '1',
  description: "Before registering: compare the sample's physical extent (voxel size × shape) with the atlas's and warn (or stop) when an axis disagrees by more than `tolerance` or a permutation or flip of the sample's axes fits the atlas better; write an orientation preview PNG (three mid-planes, sample beside atlas, same µm per pixel).",
  inputs: {
    fixed: { type: 'volume', description: "The resampled sample (the elastix node's fixed image)" },
    moving: { type: 'volume', description: "The atlas reference (the elastix node's moving image)" },
  },
  outputs: {
    picture: { type: 'file', description: 'The orientation preview PNG' },
    check: { type: 'json', description: '{ fixedMm, movingMm, ratios, ncc, bestFlip, warnings }' },
  },
  params: {
    type: 'object', additionalProperties: false,
    properties: {
      path: pathSchema('registration_preview.png'),
      tolerance: { type: 'number', exclusiveMinimum: 0, default: 0.3, description: 'Allowed relative disagreement of the physical extent per axis (0.3 = 30%)' },
      stopOnMismatch: { type: 'boolean', default: false, description: 'Fail (instead of warning) when the extents or the orientation look wrong, so nothing downstream runs' },
    },
  },
  producesFiles: true,
  async run(inputs, params, ctx) {
    const fixedRef = volumeIn(inputs, 'fixed', ctx)!, movingRef = volumeIn(inputs, 'moving', ctx)!;
    const dest = outputPath(String(params.path ?? 'registration_preview.png'), ctx);
    const ext = checkExtents(gridOf(fixedRef), gridOf(movingRef), params.tolerance ?? 0.3);
    const fixed = await readAsFloat(ctx, fixedRef), moving = await readAsFloat(ctx, movingRef);
    const stride = Math.max(1, Math.round(Math.cbrt(fixed.data.length / 200_000)));
    const o = orientationScores(fixed, moving, stride);
    const warnings = [...ext.warnings];
    if (o.best.ncc > o.identity + 0.15) {
      warnings.push(`the orientation looks wrong: flipping the sample's ${flipNames(o.best.flip)} axis correlates much better with the atlas (NCC ${o.best.ncc.toFixed(2)} vs ${o.identity.toFixed(2)}); check the sign in 'orientation' of the resampling`);
    }
    const description = `orientation preview: mid-planes across z, y, x (rows) of the sample [${fixedRef.shape}] (left) and the atlas [${movingRef.shape}] (right), same µm per pixel; extents ${fmt(ext.fixedMm)} vs ${fmt(ext.movingMm)} mm; NCC with centres aligned ${o.identity.toFixed(3)}${warnings.length ? `; WARNING: ${warnings.join('; ')}` : ''}`;
    writePng(dest, previewPicture(fixed, moving), { description });
    for (const w of warnings) ctx.log(`warning: ${w}`);
    if (!warnings.length) ctx.log(`extents agree: sample ${fmt(ext.fixedMm)} mm, atlas ${fmt(ext.movingMm)} mm; NCC with centres aligned ${o.identity.toFixed(3)}`);
    if (warnings.length && params.stopOnMismatch === true) throw new Error(`node '${ctx.nodeId}': ${warnings.join('; ')} (see ${dest})`);
    return {
      picture: { kind: 'file', path: dest },
      check: { kind: 'json', value: { fixedMm: ext.fixedMm, movingMm: ext.movingMm, ratios: ext.ratios, ncc: o.identity, bestFlip: o.best, warnings } },
    };
  },
});
