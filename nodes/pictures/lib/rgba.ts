// RGBA pictures: 8 bits per channel, row-major with x fastest (row = y), the same orientation as a
// volume plane, so pixel (x, y) of a picture shows voxel (x, y) of the plane drawn (ClearMap's
// plotTiling transposes to the same effect).

export type Rgb = [number, number, number];

export interface RgbaImage {
  width: number;
  height: number;
  /** width * height * 4 bytes: r, g, b, a. */
  data: Uint8Array;
}

export function createImage(width: number, height: number, fill: Rgb = [0, 0, 0], alpha = 255): RgbaImage {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1)) {
    throw new Error(`picture size must be positive integers, got ${width}×${height}`);
  }
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = fill[0]; data[i + 1] = fill[1]; data[i + 2] = fill[2]; data[i + 3] = alpha;
  }
  return { width, height, data };
}

/** Paint one pixel (ignored outside the picture, so markers may overlap the border). */
export function setPixel(img: RgbaImage, x: number, y: number, c: Rgb): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  const o = 4 * (x + img.width * y);
  img.data[o] = c[0]; img.data[o + 1] = c[1]; img.data[o + 2] = c[2]; img.data[o + 3] = 255;
}

/** Blend a colour onto a pixel with opacity `alpha` (0..1), rounding to the nearest byte. */
export function blendPixel(img: RgbaImage, x: number, y: number, c: Rgb, alpha: number): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  const o = 4 * (x + img.width * y);
  for (let k = 0; k < 3; k++) img.data[o + k] = Math.round(img.data[o + k] * (1 - alpha) + c[k] * alpha);
  img.data[o + 3] = 255;
}

/** Copy `src` into `dst` with its top-left corner at (x0, y0). */
export function blit(dst: RgbaImage, src: RgbaImage, x0: number, y0: number): void {
  for (let y = 0; y < src.height; y++) {
    const dy = y0 + y;
    if (dy < 0 || dy >= dst.height) continue;
    const from = 4 * src.width * y;
    const to = 4 * (x0 + dst.width * dy);
    if (x0 >= 0 && x0 + src.width <= dst.width) dst.data.set(src.data.subarray(from, from + 4 * src.width), to);
    else for (let x = 0; x < src.width; x++) {
      const dx = x0 + x;
      if (dx < 0 || dx >= dst.width) continue;
      dst.data.set(src.data.subarray(from + 4 * x, from + 4 * x + 4), 4 * (dx + dst.width * dy));
    }
  }
}

/** Parse '#rrggbb' (or '#rgb') into bytes; `what` names the param in the error. */
export function parseColor(s: string, what: string): Rgb {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(s);
  if (!m) throw new Error(`${what}: '${s}' is not a colour like '#ff0000'`);
  const h = m[1].length === 3 ? m[1].split('').map((c) => c + c).join('') : m[1];
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}
