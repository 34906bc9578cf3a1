// Colour maps as 256-entry lookup tables (matplotlib's segment data for 'hot' and 'jet', the maps
// ClearMap users know; the perceptually uniform 'viridis' and 'magma' from the `colormap` library,
// which reproduces matplotlib's tables), a categorical palette for point classes, and per-id colours.
import createColormap from 'colormap';
import type { Rgb } from './rgba.js';

export const COLORMAPS = ['grey', 'hot', 'jet', 'viridis', 'magma'] as const;
/** Maps taken from the colormap library (perceptually uniform: equal steps look equal). */
const LIBRARY_MAPS: readonly string[] = ['viridis', 'magma'];
export type ColormapName = (typeof COLORMAPS)[number];

type Segments = Array<[number, number]>; // (position, value), piecewise linear

const SEGMENTS: Record<'hot' | 'jet', [Segments, Segments, Segments]> = {
  hot: [
    [[0, 0.0416], [0.365079, 1], [1, 1]],
    [[0, 0], [0.365079, 0], [0.746032, 1], [1, 1]],
    [[0, 0], [0.746032, 0], [1, 1]],
  ],
  jet: [
    [[0, 0], [0.35, 0], [0.66, 1], [0.89, 1], [1, 0.5]],
    [[0, 0], [0.125, 0], [0.375, 1], [0.64, 1], [0.91, 0], [1, 0]],
    [[0, 0.5], [0.11, 1], [0.34, 1], [0.65, 0], [1, 0]],
  ],
};

function interpolate(seg: Segments, t: number): number {
  for (let i = 1; i < seg.length; i++) {
    const [x1, y1] = seg[i];
    if (t <= x1) {
      const [x0, y0] = seg[i - 1];
      return x1 === x0 ? y1 : y0 + ((y1 - y0) * (t - x0)) / (x1 - x0);
    }
  }
  return seg[seg.length - 1][1];
}

const luts = new Map<ColormapName, Uint8Array>();

/** 256 × rgb bytes; entry i is the colour of t = i / 255. */
export function colormapLut(name: ColormapName): Uint8Array {
  let lut = luts.get(name);
  if (lut) return lut;
  if (!COLORMAPS.includes(name)) throw new Error(`unknown colour map '${name}' (known: ${COLORMAPS.join(', ')})`);
  lut = new Uint8Array(256 * 3);
  if (LIBRARY_MAPS.includes(name)) {
    const table = createColormap({ colormap: name, nshades: 256, format: 'rgba' });
    table.forEach((c, i) => { lut![3 * i] = c[0]; lut![3 * i + 1] = c[1]; lut![3 * i + 2] = c[2]; });
    luts.set(name, lut);
    return lut;
  }
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    for (let c = 0; c < 3; c++) {
      lut[3 * i + c] = name === 'grey' ? i : Math.round(255 * interpolate(SEGMENTS[name as 'hot' | 'jet'][c], t));
    }
  }
  luts.set(name, lut);
  return lut;
}

export function colormapColor(name: ColormapName, t: number): Rgb {
  const lut = colormapLut(name);
  const i = t <= 0 ? 0 : t >= 1 ? 255 : Math.round(255 * t);
  return [lut[3 * i], lut[3 * i + 1], lut[3 * i + 2]];
}

/**
 * Colours of point classes in ascending class order: ClearMap's red first, then Tableau 10 with its own
 * red moved last (next to pure red it would be hard to tell apart).
 */
export const CATEGORY_COLORS: readonly string[] = [
  '#ff0000', '#4e79a7', '#f28e2b', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#e15759',
];

export const LABEL_COLORINGS = ['jet', 'distinct'] as const;
export type LabelColoring = (typeof LABEL_COLORINGS)[number];

/**
 * Colour of label id (> 0). 'jet' is ClearMap's overlayLabel (jet normalised over ids 1..maxId);
 * 'distinct' hashes the id to a bright hue, so that neighbouring atlas ids (which jet makes nearly
 * equal) stay apart, and a region keeps its colour whatever other ids the plane contains.
 */
export function labelColor(id: number, maxId: number, coloring: LabelColoring): Rgb {
  if (coloring === 'jet') {
    if (maxId <= 1) return [255, 0, 0]; // ClearMap: a binary label is red
    return colormapColor('jet', (id - 1) / (maxId - 1));
  }
  // integer hash (Thomas Wang style) → hue; fixed saturation and value keep it readable on grey
  let h = id >>> 0;
  h = ((h ^ 61) ^ (h >>> 16)) >>> 0; h = (h + (h << 3)) >>> 0; h = (h ^ (h >>> 4)) >>> 0;
  h = Math.imul(h, 0x27d4eb2d) >>> 0; h = (h ^ (h >>> 15)) >>> 0;
  return hsvToRgb((h % 360) / 360, 0.75, 1);
}

function hsvToRgb(h: number, s: number, v: number): Rgb {
  const i = Math.floor(h * 6), f = h * 6 - i;
  const p = v * (1 - s), q = v * (1 - f * s), t = v * (1 - (1 - f) * s);
  const [r, g, b] = [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]][i % 6];
  return [Math.round(255 * r), Math.round(255 * g), Math.round(255 * b)];
}
