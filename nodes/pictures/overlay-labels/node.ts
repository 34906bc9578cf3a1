// Node 'overlay-labels': a label volume (cells, atlas annotation) coloured onto tiled grey planes of
// the data (ClearMap's plotOverlayLabel).
import { defineWholeNode } from '../../../engine/core/node-type.js';
import { LABEL_COLORINGS, labelColor, type LabelColoring } from '../lib/colormaps.js';
import { fewLabels, maxLabel, overlayLabels } from '../lib/labels.js';
import { checkPercentiles, colorParam, outputPath, pathSchema, tiledPlaneParams } from '../lib/node-params.js';
import { subsample } from '../lib/planes.js';
import { describeContrast, describePlanes } from '../lib/describe.js';
import { hexColor } from '../lib/picture-info.js';
import { writePng } from '../lib/png.js';
import { LabelTree } from '../../analysis/lib/atlas/label-tree.js';
import { planeWindow, readZPlanes, volumeInput } from '../lib/read-planes.js';
import { renderTiledPlanes } from '../lib/tiled-planes.js';

export const overlayLabelsNode = defineWholeNode({
  kind: 'whole',
  type: 'overlay-labels',
  version: '1',
  description: "A label volume coloured onto tiled grey planes of the data (ClearMap's plotOverlayLabel); label 0 is background; writes a PNG.",
  inputs: {
    input: { type: 'volume', description: 'Grey data.' },
    labels: { type: 'volume', description: 'Labels, same shape as the data (0 = none).' },
    structures: { type: 'json', optional: true, description: "Region hierarchy from an 'atlas' node: regions drawn in their atlas colours, legend by acronym." },
  },
  outputs: { picture: { type: 'file', description: 'The PNG written.' } },
  params: {
    type: 'object', additionalProperties: false,
    properties: {
      path: pathSchema('labels.png'),
      ...tiledPlaneParams,
      alpha: { type: 'number', minimum: 0, maximum: 1, default: 0.5, description: 'Opacity of label colours (1 = colours replace the grey, as ClearMap with alpha=False).' },
      coloring: { enum: [...LABEL_COLORINGS], default: 'jet', description: "'jet': ClearMap's colours, jet over ids 1..maxLabel; 'distinct': a fixed bright hue per id." },
      style: { enum: ['fill', 'outline'], default: 'fill', description: 'Colour whole regions or only their rims.' },
      maxLabel: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }], default: null, description: "Id mapped to the end of 'jet' (null = largest id in the planes drawn)." },
    },
  },
  producesFiles: true,
  check: (params) => checkPercentiles(params),
  async run(inputs, params, ctx) {
    const p = params;
    const ref = volumeInput(inputs, 'input', ctx)!;
    const labelsRef = volumeInput(inputs, 'labels', ctx)!;
    if (labelsRef.shape.some((s, i) => s !== ref.shape[i])) {
      throw new Error(`node '${ctx.nodeId}': input 'labels' has shape [${labelsRef.shape}] but 'input' has [${ref.shape}]`);
    }
    const dest = outputPath(p.path, ctx);
    const window = planeWindow(ref, p, ctx.nodeId);
    if (window.clipped) ctx.log(`drawing the first ${p.maxTiles} planes only (maxTiles)`);
    const planes = await readZPlanes(ctx, ref, window);
    const labelPlanes = await readZPlanes(ctx, labelsRef, window);
    const top = p.maxLabel ?? maxLabel(labelPlanes);
    const tree = inputs.structures?.kind === 'json' ? LabelTree.fromStructures(inputs.structures.value, `node '${ctx.nodeId}': input 'structures'`) : undefined;
    const colorOf = (id: number) => tree?.get(id)?.color ?? labelColor(id, top, p.coloring);
    const { image, limits, factor } = renderTiledPlanes(planes, {
      percentiles: p.percentiles, inverse: p.inverse, maxSize: p.maxSize, zoom: p.zoom,
      layout: { columns: p.columns, gap: p.gap, background: colorParam(params, 'background', ctx.nodeId) },
    }, (tile, i, factor) => {
      overlayLabels(tile, subsample(labelPlanes[i], factor), { alpha: p.alpha, style: p.style, colorOf });
    });
    // a legend only when it stays short (an atlas plane holds hundreds of regions)
    const ids = fewLabels(labelPlanes, 20);
    const legend = ids?.map((id) => ({ label: tree?.get(id)?.acronym || `label ${id}`, color: hexColor(colorOf(id)) }));
    const description = `${ids ? ids.length : 'many'} labels (${p.style}, ${p.coloring} colours, opacity ${p.alpha}) on ${describePlanes(window, p.step, ref.shape)}; ${describeContrast(limits, p.percentiles, p.inverse, factor)}`;
    writePng(dest, image, { description, ...(legend ? { legend } : {}) });
    return { picture: { kind: 'file', path: dest } };
  },
});
