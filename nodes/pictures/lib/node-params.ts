// Params shared by the picture nodes: JSON Schema pieces (with defaults and descriptions) and the
// checks a schema cannot express, each error naming the node and the param.
import { resolveOutPath } from '../../../engine/core/out-path.js';
import type { NodeContext, ParamsOf } from '../../../engine/core/node-type.js';
import { parseColor, type Rgb } from './rgba.js';

const rangeOrNull = (axis: string) => ({
  anyOf: [{ type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 2, maxItems: 2 }, { type: 'null' }],
  default: null,
  description: `Planes [start, end) along ${axis} to draw from (null = all).`,
}) as const;

export const colorSchema = (def: string, description: string) => ({ type: 'string', pattern: '^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$', default: def, description }) as const;

export const pathSchema = (def: string) => ({
  type: 'string', default: def, pattern: '\\.png$',
  description: 'PNG file to write, relative to the output directory (--out).',
}) as const;

/** Params of every picture made of tiled z-planes (tiles, overlay-points, overlay-labels). */
export const tiledPlaneParams = {
  x: rangeOrNull('x'),
  y: rangeOrNull('y'),
  z: rangeOrNull('z'),
  step: { type: 'integer', minimum: 1, default: 1, description: 'Draw every n-th plane of the z range.' },
  maxTiles: { type: 'integer', minimum: 1, default: 20, description: 'At most this many planes (ClearMap clips at maxtiles = 20).' },
  columns: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }], default: null, description: 'Tiles per row (null = ClearMap automatic tiling: floor(sqrt(n)) rows).' },
  percentiles: {
    type: 'array', items: { type: 'number', minimum: 0, maximum: 100 }, minItems: 2, maxItems: 2, default: [0.5, 99.5],
    description: 'Contrast limits: these percentiles of the drawn planes map to black and white.',
  },
  inverse: { type: 'boolean', default: false, description: 'Inverse grey scale (dark cells on white).' },
  maxSize: { type: 'integer', minimum: 16, default: 1024, description: 'Largest tile width/height in pixels; bigger planes are block-averaged by an integer factor.' },
  zoom: { type: 'integer', minimum: 1, maximum: 16, default: 1, description: 'Enlarge every tile by this integer factor after drawing (for small atlas-size planes).' },
  gap: { type: 'integer', minimum: 0, default: 2, description: 'Pixels between tiles.' },
  background: colorSchema('#808080', 'Colour between tiles.'),
} as const;

/** Params of a tiled-planes picture as the node receives them (defaults filled in). */
export type TiledPlaneParams = ParamsOf<{ type: 'object'; properties: typeof tiledPlaneParams & { path: ReturnType<typeof pathSchema> } }>;

export function checkPercentiles(params: Record<string, unknown>, name = 'percentiles'): string[] {
  const p = params[name] as number[] | undefined;
  return p && p.length === 2 && !(p[0] <= p[1]) ? [`params.${name}: [${p}] must be increasing`] : [];
}

/** Colour param → bytes; the error names the node param. */
export function colorParam(params: Record<string, unknown>, name: string, nodeId: string): Rgb {
  return parseColor(String(params[name]), `node '${nodeId}': params.${name}`);
}

/** Absolute path of a picture inside ctx.outDir; relative paths only, and never outside it. */
export function outputPath(path: string, ctx: NodeContext): string {
  const what = `node '${ctx.nodeId}': params.path`;
  const abs = resolveOutPath(ctx.outDir, path, what);
  if (!/\.png$/i.test(abs)) throw new Error(`${what}: '${path}' must end in .png`);
  return abs;
}
