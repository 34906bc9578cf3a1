// What makes a picture readable on its own: the plane number on each tile and a scale bar in µm,
// drawn into the pixels (so they survive any viewer, copy or slide). A 3x5 bitmap font covers the few
// characters needed; text is scaled by an integer factor and drawn with a dark outline for contrast.
import { setPixel, type Rgb, type RgbaImage } from './rgba.js';

const GLYPHS: Record<string, string[]> = {
  '0': ['111', '101', '101', '101', '111'], '1': ['010', '110', '010', '010', '111'], '2': ['111', '001', '111', '100', '111'],
  '3': ['111', '001', '111', '001', '111'], '4': ['101', '101', '111', '001', '001'], '5': ['111', '100', '111', '001', '111'],
  '6': ['111', '100', '111', '101', '111'], '7': ['111', '001', '010', '010', '010'], '8': ['111', '101', '111', '101', '111'],
  '9': ['111', '101', '111', '001', '111'], 'z': ['000', '111', '001', '010', '111'], 'x': ['000', '101', '010', '101', '101'],
  'y': ['000', '101', '111', '001', '111'], 'u': ['000', '101', '101', '101', '111'], 'µ': ['000', '101', '101', '111', '100'],
  'm': ['000', '110', '111', '101', '101'], '=': ['000', '111', '000', '111', '000'], '.': ['000', '000', '000', '000', '010'],
  ' ': ['000', '000', '000', '000', '000'], '-': ['000', '000', '111', '000', '000'],
  'e': ['000', '111', '111', '100', '111'], 'p': ['000', '111', '101', '111', '100'], '<': ['001', '010', '100', '010', '001'],
  '>': ['100', '010', '001', '010', '100'], '+': ['000', '010', '111', '010', '000'], '≤': ['001', '010', '100', '010', '111'],
  '≥': ['100', '010', '001', '010', '111'],
};

/** Width in pixels of `text` drawn at `scale`. */
export function textWidth(text: string, scale: number): number {
  return text.length ? (text.length * 4 - 1) * scale : 0;
}

/** Draw `text` with its top-left corner at (x, y), `scale` pixels per font pixel, with a 1-px dark outline. */
export function drawText(img: RgbaImage, x: number, y: number, text: string, color: Rgb, scale = 2, outline: Rgb | null = [0, 0, 0]): void {
  const cells: [number, number][] = [];
  [...text].forEach((ch, i) => {
    const g = GLYPHS[ch] ?? GLYPHS[ch.toLowerCase()] ?? GLYPHS[' '];
    for (let r = 0; r < 5; r++) for (let c = 0; c < 3; c++) if (g[r][c] === '1') cells.push([x + (i * 4 + c) * scale, y + r * scale]);
  });
  if (outline) {
    for (const [px, py] of cells) for (let dy = -1; dy <= scale; dy++) for (let dx = -1; dx <= scale; dx++) setPixel(img, px + dx, py + dy, outline);
  }
  for (const [px, py] of cells) for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) setPixel(img, px + dx, py + dy, color);
}

/** A round scale-bar length (1, 2, 5 x 10^k µm) close to a fifth of `widthMicrons`. */
export function scaleBarMicrons(widthMicrons: number): number {
  const target = widthMicrons / 5;
  const k = Math.pow(10, Math.floor(Math.log10(target)));
  return [5, 2, 1].map((m) => m * k).find((v) => v <= target) ?? k;
}

/**
 * A white scale bar with its length in µm, bottom right of the tile. `micronsPerPixel` is the tile's
 * pixel size (voxel size x downsampling factor). Returns the bar length in µm.
 */
export function drawScaleBar(img: RgbaImage, micronsPerPixel: number, color: Rgb = [255, 255, 255], scale = 2): number {
  const um = scaleBarMicrons(img.width * micronsPerPixel);
  const len = Math.max(1, Math.round(um / micronsPerPixel));
  const label = `${um} µm`;
  const margin = 4 * scale;
  const x1 = img.width - margin, x0 = x1 - len;
  const y = img.height - margin - 2 * scale;
  for (let dy = -1; dy <= scale; dy++) for (let x = x0 - 1; x <= x1; x++) setPixel(img, x, y + dy, [0, 0, 0]);
  for (let dy = 0; dy < scale; dy++) for (let x = x0; x < x1; x++) setPixel(img, x, y + dy, color);
  drawText(img, Math.max(0, x1 - textWidth(label, scale)), y - 7 * scale, label, color, scale);
  return um;
}

/** The plane number, top left of the tile ("z 12"). */
export function drawPlaneNumber(img: RgbaImage, z: number, color: Rgb = [255, 255, 0], scale = 2, axis = 'z'): void {
  drawText(img, 3 * scale, 3 * scale, `${axis} ${z}`, color, scale);
}

export interface ColorBar {
  /** Colour at t in [0, 1]. */
  color: (t: number) => Rgb;
  /** Labels at the left (t = 0) and right (t = 1) ends. */
  low: string;
  high: string;
}

/**
 * The picture with colour bars under it (one row each: gradient, end labels), so the colours read
 * as values without a separate legend. Swatches (label-less squares) follow as `swatches`.
 */
export function withColorBars(img: RgbaImage, bars: ColorBar[], swatches: Rgb[] = [], background: Rgb = [0, 0, 0]): RgbaImage {
  const scale = 2, barH = 10, rowH = barH + 7 * scale + 8;
  const width = Math.max(img.width, 160);
  const height = img.height + rowH * bars.length + (swatches.length ? 24 : 0);
  const out: RgbaImage = { width, height, data: new Uint8Array(width * height * 4) };
  for (let i = 0; i < width * height; i++) { out.data[4 * i] = background[0]; out.data[4 * i + 1] = background[1]; out.data[4 * i + 2] = background[2]; out.data[4 * i + 3] = 255; }
  for (let y = 0; y < img.height; y++) out.data.set(img.data.subarray(4 * y * img.width, 4 * (y + 1) * img.width), 4 * y * width);
  const x0 = 6, x1 = width - 6;
  bars.forEach((b, k) => {
    const top = img.height + 4 + k * rowH;
    for (let x = x0; x < x1; x++) {
      const c = b.color((x - x0) / Math.max(1, x1 - x0 - 1));
      for (let y = top; y < top + barH; y++) setPixel(out, x, y, c);
    }
    drawText(out, x0, top + barH + 3, b.low, [255, 255, 255], scale, null);
    drawText(out, Math.max(x0, x1 - textWidth(b.high, scale)), top + barH + 3, b.high, [255, 255, 255], scale, null);
  });
  swatches.forEach((c, i) => {
    const top = img.height + rowH * bars.length + 4;
    for (let y = top; y < top + 16; y++) for (let x = x0 + i * 24; x < x0 + i * 24 + 16; x++) setPixel(out, x, y, c);
  });
  return out;
}
