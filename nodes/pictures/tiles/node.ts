// Node 'tiles': z-planes of a stack as a grid of grey tiles (ClearMap's plotTiling), written as PNG.
import { defineWholeNode } from '../../../engine/core/node-type.js';
import { checkPercentiles, colorParam, outputPath, pathSchema, tiledPlaneParams } from '../lib/node-params.js';
import { describeContrast, describePlanes } from '../lib/describe.js';
import { writePng } from '../lib/png.js';
import { planeWindow, readZPlanes, volumeInput } from '../lib/read-planes.js';
import { renderTiledPlanes } from '../lib/tiled-planes.js';

export const tilesNode = defineWholeNode({
  kind: 'whole',
  type: 'tiles',
  version: '1',
  description: "Planes of a stack as a grid of grey tiles (ClearMap's plotTiling), contrast from percentiles of the planes drawn; writes a PNG.",
  inputs: { input: { type: 'volume', description: 'Stack to draw.' } },
  outputs: { picture: { type: 'file', description: 'The PNG written.' } },
  params: {
    type: 'object', additionalProperties: false,
    properties: { path: pathSchema('tiles.png'), ...tiledPlaneParams },
  },
  producesFiles: true,
  check: (params) => checkPercentiles(params),
  async run(inputs, params, ctx) {
    const p = params;
    const ref = volumeInput(inputs, 'input', ctx)!;
    const dest = outputPath(p.path, ctx);
    const window = planeWindow(ref, p, ctx.nodeId);
    if (window.clipped) ctx.log(`drawing the first ${p.maxTiles} planes only (maxTiles)`);
    const planes = await readZPlanes(ctx, ref, window);
    const { image, limits, factor } = renderTiledPlanes(planes, {
      percentiles: p.percentiles, inverse: p.inverse, maxSize: p.maxSize, zoom: p.zoom,
      layout: { columns: p.columns, gap: p.gap, background: colorParam(params, 'background', ctx.nodeId) },
    });
    const description = `${describePlanes(window, p.step, ref.shape)}; ${describeContrast(limits, p.percentiles, p.inverse, factor)}`;
    writePng(dest, image, { description });
    ctx.log(`${dest}: ${description}`);
    return { picture: { kind: 'file', path: dest } };
  },
});
