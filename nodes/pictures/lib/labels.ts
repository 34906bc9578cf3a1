// Label volumes drawn on planes: regions filled with a colour per label id (ClearMap's overlayLabel)
// or only their boundaries (atlas outlines on heat maps and p-value maps).
import type { Plane } from './planes.js';
import { blendPixel, type Rgb, type RgbaImage } from './rgba.js';

/**
 * 1 where a pixel's label differs from its right or lower neighbour: a one-pixel line between regions.
 * With `allNeighbours`, also the left and upper ones, so every region gets its own rim.
 */
export function boundaryMask(labels: Plane, allNeighbours = false): Uint8Array {
  const { width: w, height: h, values: l } = labels;
  const mask = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = x + w * y, v = l[i];
      if ((x + 1 < w && l[i + 1] !== v) || (y + 1 < h && l[i + w] !== v)) mask[i] = 1;
      else if (allNeighbours && ((x > 0 && l[i - 1] !== v) || (y > 0 && l[i - w] !== v))) mask[i] = 1;
    }
  }
  return mask;
}

export interface LabelStyle {
  /** Opacity of the label colour over the grey picture (1 = ClearMap's alpha=False: colours replace grey). */
  alpha: number;
  /** 'fill' colours every labelled pixel; 'outline' only region boundaries. */
  style: 'fill' | 'outline';
  colorOf(id: number): Rgb;
}

/** Colour the non-zero labels of `labels` onto `img` (same size). Label 0 is background and stays grey. */
export function overlayLabels(img: RgbaImage, labels: Plane, s: LabelStyle): void {
  if (img.width !== labels.width || img.height !== labels.height) {
    throw new Error(`label plane ${labels.width}×${labels.height} does not match the picture ${img.width}×${img.height}`);
  }
  const mask = s.style === 'outline' ? boundaryMask(labels, true) : null;
  const cache = new Map<number, Rgb>();
  for (let y = 0; y < labels.height; y++) {
    for (let x = 0; x < labels.width; x++) {
      const i = x + labels.width * y;
      const id = labels.values[i];
      if (id === 0 || (mask && !mask[i])) continue;
      let c = cache.get(id);
      if (!c) { c = s.colorOf(id); cache.set(id, c); }
      blendPixel(img, x, y, c, s.alpha);
    }
  }
}

/** Draw the boundaries of `labels` in one colour (atlas outline). */
export function drawOutline(img: RgbaImage, labels: Plane, color: Rgb, alpha: number): void {
  const mask = boundaryMask(labels);
  for (let i = 0; i < mask.length; i++) if (mask[i]) blendPixel(img, i % labels.width, Math.floor(i / labels.width), color, alpha);
}

/** Largest label id of some planes (ClearMap normalises its jet colours by the largest id). */
export function maxLabel(planes: readonly Plane[]): number {
  let m = 0;
  for (const p of planes) for (let i = 0; i < p.values.length; i++) if (p.values[i] > m) m = p.values[i];
  return m;
}

/** The non-zero label ids of some planes in ascending order, or null when there are more than `limit`. */
export function fewLabels(planes: readonly Plane[], limit: number): number[] | null {
  const ids = new Set<number>();
  for (const p of planes) {
    for (let i = 0; i < p.values.length; i++) {
      const id = p.values[i];
      if (id === 0 || ids.has(id)) continue;
      ids.add(id);
      if (ids.size > limit) return null;
    }
  }
  return [...ids].sort((a, b) => a - b);
}
