// Node 'section': one coronal, sagittal or horizontal plane of a heat map or p-value map, with an
// optional atlas outline (where the annotation label changes). Planes follow ClearMap's stack
// orientation: horizontal = constant z (the imaging axis), coronal = constant y, sagittal = constant x.
import { defineWholeNode } from '../../../engine/core/node-type.js';
import { colormapColor, COLORMAPS, type ColormapName } from '../lib/colormaps.js';
import { contrastLimits } from '../lib/contrast.js';
import { drawOutline } from '../lib/labels.js';
import { checkPercentiles, colorParam, colorSchema, outputPath, pathSchema } from '../lib/node-params.js';
import { sectionSize, type Axis } from '../lib/planes.js';
import { num } from '../lib/describe.js';
import { hexColor, type LegendItem } from '../lib/picture-info.js';
import { writePng } from '../lib/png.js';
import { readSection, volumeInput } from '../lib/read-planes.js';
import { heatmapImage, pvalueImage } from '../lib/section.js';
import { zoomImage } from '../lib/tiles.js';
import { withColorBars, type ColorBar } from '../lib/annotate.js';
import type { Rgb } from '../lib/rgba.js';

function maxFinite(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i]) && v[i] > m) m = v[i];
  return m;
}

export const SECTION_PLANES: Record<string, Axis> = { horizontal: 'z', coronal: 'y', sagittal: 'x' };

export const sectionNode = defineWholeNode({
  kind: 'whole',
  type: 'section',
  version: '2',
  description: "One coronal/sagittal/horizontal section of a heat map (colour map) or p-value map (ClearMap's colorPValues: two colours for the sign of the difference), optionally outlined by atlas regions; writes a PNG.",
  inputs: {
    input: { type: 'volume', description: 'Heat map (mode heatmap) or p-values (mode pvalues).' },
    sign: { type: 'volume', optional: true, description: 'Sign of the group difference (+1/−1), same shape; required for mode pvalues.' },
    atlas: { type: 'volume', optional: true, description: 'Annotation labels, same shape; region boundaries are drawn.' },
  },
  outputs: { picture: { type: 'file', description: 'The PNG written.' } },
  params: {
    type: 'object', additionalProperties: false,
    properties: {
      path: pathSchema('section.png'),
      plane: { enum: Object.keys(SECTION_PLANES), default: 'coronal', description: 'horizontal = constant z, coronal = constant y, sagittal = constant x.' },
      index: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }], default: null, description: 'Which plane along that axis (null = the middle one).' },
      mode: { enum: ['heatmap', 'pvalues'], default: 'heatmap', description: 'How values become colours.' },
      colormap: { enum: [...COLORMAPS], default: 'hot', description: 'Colour map of heat maps.' },
      percentiles: {
        type: 'array', items: { type: 'number', minimum: 0, maximum: 100 }, minItems: 2, maxItems: 2, default: [0, 99.5],
        description: 'Heat map limits: these percentiles of the section map to the ends of the colour map.',
      },
      positiveColor: colorSchema('#ff0000', 'p-value map: colour where the first group is higher (ClearMap: channel 0).'),
      negativeColor: colorSchema('#00ff00', 'p-value map: colour where it is lower (ClearMap: channel 1).'),
      pcutoff: { anyOf: [{ type: 'number', exclusiveMinimum: 0, maximum: 1 }, { type: 'null' }], default: null, description: 'p-value map: p ≥ pcutoff takes the trend colours.' },
      positiveTrendColor: colorSchema('#ff8c00', 'p-value map with pcutoff: colour of non-significant positive differences (distinct from the significant colours and from each other).'),
      negativeTrendColor: colorSchema('#00bfff', 'p-value map with pcutoff: colour of non-significant negative differences.'),
      colorBar: { type: 'boolean', default: true, description: 'Draw colour bars under the section (heat map: the colour map with its limits; p-values: brightness against p per sign).' },
      pmax: { anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'null' }], default: null, description: 'p-value map: intensity is (pmax − p)/pmax (null = largest p in the section).' },
      outlineColor: colorSchema('#ffffff', 'Colour of atlas region boundaries.'),
      outlineAlpha: { type: 'number', minimum: 0, maximum: 1, default: 0.6, description: 'Opacity of atlas boundaries.' },
      zoom: { type: 'integer', minimum: 1, maximum: 16, default: 2, description: 'Enlarge by this integer factor (atlas-size sections are small).' },
    },
  },
  producesFiles: true,
  check: (params) => checkPercentiles(params),
  async run(inputs, params, ctx) {
    const p = params;
    const ref = volumeInput(inputs, 'input', ctx)!;
    const signRef = volumeInput(inputs, 'sign', ctx, true);
    const atlasRef = volumeInput(inputs, 'atlas', ctx, true);
    for (const [port, r] of [['sign', signRef], ['atlas', atlasRef]] as const) {
      if (r && r.shape.some((s, i) => s !== ref.shape[i])) throw new Error(`node '${ctx.nodeId}': input '${port}' has shape [${r.shape}] but 'input' has [${ref.shape}]`);
    }
    if (p.mode === 'pvalues' && !signRef) throw new Error(`node '${ctx.nodeId}': params.mode 'pvalues' needs the input 'sign' connected`);
    const axis = SECTION_PLANES[p.plane];
    const size = ref.shape[{ x: 0, y: 1, z: 2 }[axis]];
    const index = p.index ?? Math.floor(size / 2);
    if (index >= size) throw new Error(`node '${ctx.nodeId}': params.index ${index} is outside the ${p.plane} planes [0, ${size})`);
    const dest = outputPath(p.path, ctx);

    const plane = await readSection(ctx, ref, axis, index);
    let image;
    const legend: LegendItem[] = [];
    const bars: ColorBar[] = [];
    const swatches: Rgb[] = [];
    let how: string;
    if (p.mode === 'heatmap') {
      const limits = contrastLimits([plane.values], p.percentiles);
      image = heatmapImage(plane, limits, p.colormap);
      how = `${p.colormap} colour map over [${limits.map(num).join(', ')}] (percentiles ${p.percentiles[0]}–${p.percentiles[1]} of this section)`;
      bars.push({ color: (t) => colormapColor(p.colormap, t), low: `≤${num(limits[0])}`, high: `≥${num(limits[1])}` });
      legend.push({ label: `≤ ${num(limits[0])}`, color: hexColor(colormapColor(p.colormap, 0)) },
        { label: num((limits[0] + limits[1]) / 2), color: hexColor(colormapColor(p.colormap, 0.5)) },
        { label: `≥ ${num(limits[1])}`, color: hexColor(colormapColor(p.colormap, 1)) });
    } else {
      const colors = {
        positive: colorParam(params, 'positiveColor', ctx.nodeId), negative: colorParam(params, 'negativeColor', ctx.nodeId),
        positiveTrend: colorParam(params, 'positiveTrendColor', ctx.nodeId), negativeTrend: colorParam(params, 'negativeTrendColor', ctx.nodeId),
      };
      const signPlane = await readSection(ctx, signRef!, axis, index);
      image = pvalueImage(plane, signPlane, { ...colors, pcutoff: p.pcutoff, pmax: p.pmax });
      const cut = p.pcutoff === null ? '' : ` (p < ${p.pcutoff})`;
      how = `p-values as ClearMap's colorPValues: brightness (pmax − p)/pmax, pmax = ${p.pmax === null ? 'largest p in this section' : p.pmax}, colour by the sign of the difference`;
      legend.push({ label: `first group higher${cut}`, color: hexColor(colors.positive) }, { label: `first group lower${cut}`, color: hexColor(colors.negative) });
      // brightness (pmax - p) / pmax: black at p = pmax, full colour at p = 0
      const pmaxShown = p.pmax ?? maxFinite(plane.values);
      const ramp = (c: Rgb) => (t: number): Rgb => [Math.round(c[0] * t), Math.round(c[1] * t), Math.round(c[2] * t)];
      bars.push({ color: ramp(colors.positive), low: `p ${num(pmaxShown)}`, high: 'p 0' }, { color: ramp(colors.negative), low: `p ${num(pmaxShown)}`, high: 'p 0' });
      if (p.pcutoff !== null) {
        legend.push({ label: `higher, p ≥ ${p.pcutoff}`, color: hexColor(colors.positiveTrend) }, { label: `lower, p ≥ ${p.pcutoff}`, color: hexColor(colors.negativeTrend) });
        swatches.push(colors.positiveTrend, colors.negativeTrend);
        const same = legend.map((l) => l.color).filter((c, i, a) => a.indexOf(c) !== i);
        if (same.length) ctx.log(`warning: the legend colours ${[...new Set(same)].join(', ')} are used for more than one meaning; choose distinct colours`);
      }
    }
    if (atlasRef) {
      const outline = colorParam(params, 'outlineColor', ctx.nodeId);
      drawOutline(image, await readSection(ctx, atlasRef, axis, index), outline, p.outlineAlpha);
      legend.push({ label: 'atlas region boundaries', color: hexColor(outline) });
    }
    const description = `${p.plane} section ${axis} = ${index} of a ${ref.shape.join('×')} volume (${sectionSize(ref.shape, axis).join('×')} voxels${p.zoom > 1 ? `, shown ×${p.zoom}` : ''}); ${how}`;
    const zoomed = zoomImage(image, p.zoom);
    writePng(dest, (params.colorBar ?? true) ? withColorBars(zoomed, bars, swatches) : zoomed, { description: description + ((params.colorBar ?? true) ? '; colour bars below' : ''), legend });
    ctx.log(`${dest}: ${description}`);
    return { picture: { kind: 'file', path: dest } };
  },
});
