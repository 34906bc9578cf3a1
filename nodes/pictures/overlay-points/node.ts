// Node 'overlay-points': detected points marked on tiled planes of the stack they were detected in,
// one colour per class (ClearMap's plotOverlayPoints).
import { defineWholeNode } from '../../../engine/core/node-type.js';
import { CATEGORY_COLORS } from '../lib/colormaps.js';
import { cellZExtents, drawPointsInPlane, MARKER_SHAPES, pointClasses, type MarkerShape } from '../lib/markers.js';
import { drawPlaneNumber, drawScaleBar } from '../lib/annotate.js';
import { checkPercentiles, colorParam, outputPath, pathSchema, tiledPlaneParams } from '../lib/node-params.js';
import { describeContrast, describePlanes, num } from '../lib/describe.js';
import { hexColor } from '../lib/picture-info.js';
import { writePng } from '../lib/png.js';
import { planeWindow, readZPlanes, volumeInput } from '../lib/read-planes.js';
import { parseColor } from '../lib/rgba.js';
import { renderTiledPlanes } from '../lib/tiled-planes.js';

export const overlayPointsNode = defineWholeNode({
  kind: 'whole',
  type: 'overlay-points',
  version: '2',
  description: "Detected points marked on tiled planes of the stack (ClearMap's plotOverlayPoints), one colour per value of a class column; writes a PNG.",
  inputs: {
    input: { type: 'volume', description: 'Stack the points were detected in.' },
    points: { type: 'points', description: 'Points in voxel coordinates of that stack.' },
  },
  outputs: { picture: { type: 'file', description: 'The PNG written.' } },
  params: {
    type: 'object', additionalProperties: false,
    properties: {
      path: pathSchema('points.png'),
      ...tiledPlaneParams,
      classColumn: { anyOf: [{ type: 'string' }, { type: 'null' }], default: null, description: 'Point column whose values pick the colour (null = one colour).' },
      colors: {
        type: 'array', minItems: 1, items: { type: 'string', pattern: '^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$' }, default: [...CATEGORY_COLORS],
        description: 'Colours of the classes, in ascending order of class value (reused cyclically).',
      },
      marker: { enum: [...MARKER_SHAPES], default: 'circle', description: "Marker shape ('pixel' is ClearMap's single red voxel)." },
      markerSize: { type: 'integer', minimum: 0, maximum: 50, default: 3, description: 'Marker radius in picture pixels.' },
      zRadius: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }], default: null, description: "Also mark points whose (truncated) z is within this many planes of the plane drawn; null = each cell over its own extent (radius of a ball of its 'size' column, else 0)." },
      planeNumbers: { type: 'boolean', default: true, description: 'Write the plane number (z) on each tile.' },
      scaleBar: { type: 'boolean', default: true, description: 'Draw a scale bar in µm on each tile (skipped when the voxel size is unknown).' },
    },
  },
  producesFiles: true,
  check: (params) => checkPercentiles(params),
  async run(inputs, params, ctx) {
    const p = params;
    const ref = volumeInput(inputs, 'input', ctx)!;
    const pts = inputs.points;
    if (!pts || pts.kind !== 'points') throw new Error(`node '${ctx.nodeId}': input 'points' must be connected to points`);
    const dest = outputPath(p.path, ctx);
    const colors = p.colors.map((c, i) => parseColor(c, `node '${ctx.nodeId}': params.colors[${i}]`));
    const { classOf, values } = pointClasses(pts.points, p.classColumn, `node '${ctx.nodeId}': params.classColumn`);
    const window = planeWindow(ref, p, ctx.nodeId);
    if (window.clipped) ctx.log(`drawing the first ${p.maxTiles} planes only (maxTiles)`);
    const planes = await readZPlanes(ctx, ref, window);
    const extents = p.zRadius ?? cellZExtents(pts.points, ref.voxelSize) ?? 0;
    const scaleBar = p.scaleBar && !ref.voxelSizeUnknown?.length;
    if (p.scaleBar && !scaleBar) ctx.log('no scale bar: the voxel size of the stack is unknown (set voxelSize on its read-volume node)');
    let drawn = 0;
    const { image, limits, factor } = renderTiledPlanes(planes, {
      percentiles: p.percentiles, inverse: p.inverse, maxSize: p.maxSize, zoom: p.zoom,
      layout: { columns: p.columns, gap: p.gap, background: colorParam(params, 'background', ctx.nodeId) },
    }, (tile, i, factor) => {
      drawn += drawPointsInPlane(tile, pts.points, classOf, window.planes[i], extents,
        { x0: window.x[0], y0: window.y[0], factor }, { shape: p.marker, size: p.markerSize, colors });
      if (p.planeNumbers) drawPlaneNumber(tile, window.planes[i]);
      if (scaleBar) drawScaleBar(tile, ref.voxelSize[0] * factor);
    });
    const legend = p.classColumn === null
      ? [{ label: 'points', color: hexColor(colors[0]) }]
      : values.map((v, i) => ({ label: `${p.classColumn} = ${num(v)}`, color: hexColor(colors[i % colors.length]) }));
    const reach = p.zRadius === null ? (typeof extents === 'number' ? 'centre plane only (no size column)' : 'each cell on the planes its size spans') : `within ${p.zRadius} planes`;
    const description = `${drawn} point marks (${p.marker} markers, ${reach}${p.planeNumbers ? ', plane numbers top left' : ''}${scaleBar ? ', scale bar in µm' : ''}) on ${describePlanes(window, p.step, ref.shape)}; ${describeContrast(limits, p.percentiles, p.inverse, factor)}`;
    writePng(dest, image, { description, legend });
    ctx.log(`${dest}: ${drawn} point marks on ${planes.length} planes${values.length ? `, classes ${values.join(', ')}` : ''}`);
    return { picture: { kind: 'file', path: dest } };
  },
});
