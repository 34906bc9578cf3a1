// Pictures of equal size laid out as a grid, row by row, with a gap between them.
import { blit, createImage, type Rgb, type RgbaImage } from './rgba.js';
import { gridShape } from './planes.js';

export interface TileLayout {
  /** Fixed number of columns, or null for ClearMap's automatic tiling. */
  columns: number | null;
  /** Pixels between tiles and around the grid. */
  gap: number;
  background: Rgb;
}

export function tileImages(tiles: readonly RgbaImage[], layout: TileLayout): RgbaImage {
  const { rows, columns } = gridShape(tiles.length, layout.columns);
  const w = tiles[0].width, h = tiles[0].height;
  for (const t of tiles) if (t.width !== w || t.height !== h) throw new Error(`tiles must have equal size: ${t.width}×${t.height} vs ${w}×${h}`);
  const g = layout.gap;
  if (!(Number.isInteger(g) && g >= 0)) throw new Error(`gap must be an integer ≥ 0, got ${g}`);
  const out = createImage(columns * w + (columns + 1) * g, rows * h + (rows + 1) * g, layout.background);
  tiles.forEach((t, i) => {
    const r = Math.floor(i / columns), c = i % columns;
    blit(out, t, g + c * (w + g), g + r * (h + g));
  });
  return out;
}

/** Nearest-neighbour enlargement by an integer factor (small atlas sections become readable). */
export function zoomImage(img: RgbaImage, factor: number): RgbaImage {
  if (!(Number.isInteger(factor) && factor >= 1)) throw new Error(`zoom must be an integer ≥ 1, got ${factor}`);
  if (factor === 1) return img;
  const W = img.width * factor, H = img.height * factor;
  const data = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) {
    const sy = Math.floor(y / factor);
    for (let x = 0; x < W; x++) {
      const s = 4 * (Math.floor(x / factor) + img.width * sy), d = 4 * (x + W * y);
      data[d] = img.data[s]; data[d + 1] = img.data[s + 1]; data[d + 2] = img.data[s + 2]; data[d + 3] = img.data[s + 3];
    }
  }
  return { width: W, height: H, data };
}
