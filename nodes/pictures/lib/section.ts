// Sections of analysis volumes: heat maps through a colour map, and p-value maps coloured as
// ClearMap's colorPValues (intensity pmax - p, colour by the sign of the group difference).
import { colorPValues } from '../../analysis/lib/statistics/ttest.js';
import { colormapLut, type ColormapName } from './colormaps.js';
import type { Limits } from './contrast.js';
import type { Plane } from './planes.js';
import type { Rgb, RgbaImage } from './rgba.js';

/** A plane through a colour map between contrast limits (NaN → black). */
export function heatmapImage(p: Plane, limits: Limits, colormap: ColormapName): RgbaImage {
  const lut = colormapLut(colormap);
  const n = p.width * p.height, data = new Uint8Array(4 * n), span = limits[1] - limits[0];
  for (let i = 0; i < n; i++) {
    const t = (p.values[i] - limits[0]) / span;
    const o = 4 * i;
    data[o + 3] = 255;
    if (t !== t) continue;
    const k = 3 * (t <= 0 ? 0 : t >= 1 ? 255 : Math.round(255 * t));
    data[o] = lut[k]; data[o + 1] = lut[k + 1]; data[o + 2] = lut[k + 2];
  }
  return { width: p.width, height: p.height, data };
}

export interface PValueColors {
  positive: Rgb;
  negative: Rgb;
  /** With pcutoff: voxels with p ≥ pcutoff take the trend colours (ClearMap's positivetrend/negativetrend). */
  pcutoff: number | null;
  positiveTrend: Rgb;
  negativeTrend: Rgb;
  /** Intensity is (pmax - p) / pmax; null = max p of the plane drawn. */
  pmax: number | null;
}

/**
 * ClearMap's colorPValues on one plane, scaled to bytes so that p = 0 shows the full colour. Colours
 * are weights in 0..255 per RGB channel, so positive = red and negative = green reproduce ClearMap's
 * defaults ([1,0] and [0,1] on the first two channels).
 */
export function pvalueImage(p: Plane, sign: Plane, c: PValueColors): RgbaImage {
  if (p.width !== sign.width || p.height !== sign.height) throw new Error(`sign plane ${sign.width}×${sign.height} does not match the p-value plane ${p.width}×${p.height}`);
  let pmax = c.pmax;
  if (pmax === null) { pmax = -Infinity; for (let i = 0; i < p.values.length; i++) if (p.values[i] > pmax) pmax = p.values[i]; }
  const w = (rgb: Rgb) => rgb.map((v) => v / 255);
  const colored = colorPValues(p.values, sign.values, {
    positive: w(c.positive), negative: w(c.negative), pmax,
    ...(c.pcutoff === null ? {} : { pcutoff: c.pcutoff, positiveTrend: w(c.positiveTrend), negativeTrend: w(c.negativeTrend) }),
  });
  const n = p.width * p.height, data = new Uint8Array(4 * n);
  const scale = pmax > 0 ? 255 / pmax : 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) {
      const v = colored.data[3 * i + k] * scale;
      data[4 * i + k] = v <= 0 || v !== v ? 0 : v >= 255 ? 255 : Math.round(v);
    }
    data[4 * i + 3] = 255;
  }
  return { width: p.width, height: p.height, data };
}
