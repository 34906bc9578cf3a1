// Detected points drawn on planes: one marker per point, one colour per value of a class column
// (ClearMap's overlayPoints paints single red pixels; markers make sparse cells visible when zoomed out).
import type { Points } from '../../../engine/data/points.js';
import { pointCount } from '../../../engine/data/points.js';
import { setPixel, type Rgb, type RgbaImage } from './rgba.js';

export const MARKER_SHAPES = ['pixel', 'cross', 'square', 'circle'] as const;
export type MarkerShape = (typeof MARKER_SHAPES)[number];

/** Draw a marker centred on pixel (cx, cy); `size` is its radius in picture pixels. */
export function drawMarker(img: RgbaImage, cx: number, cy: number, shape: MarkerShape, size: number, c: Rgb): void {
  if (shape === 'pixel' || size === 0) { setPixel(img, cx, cy, c); return; }
  if (shape === 'cross') {
    for (let d = -size; d <= size; d++) { setPixel(img, cx + d, cy, c); setPixel(img, cx, cy + d, c); }
    return;
  }
  for (let dy = -size; dy <= size; dy++) {
    for (let dx = -size; dx <= size; dx++) {
      const onSquare = Math.abs(dx) === size || Math.abs(dy) === size;
      const onCircle = Math.round(Math.hypot(dx, dy)) === size;
      if (shape === 'square' ? onSquare : onCircle) setPixel(img, cx + dx, cy + dy, c);
    }
  }
}

/**
 * Class of each point: index into the sorted distinct values of `column` (so colours do not depend on
 * point order). Without a column every point is class 0.
 */
export function pointClasses(points: Points, column: string | null, what: string): { classOf: Int32Array; values: number[] } {
  const n = pointCount(points);
  if (column === null) return { classOf: new Int32Array(n), values: [] };
  const col = points.properties[column];
  if (!col) throw new Error(`${what}: the points have no column '${column}' (columns: ${Object.keys(points.properties).join(', ') || 'none'})`);
  const values = [...new Set(col)].sort((a, b) => a - b);
  const index = new Map(values.map((v, i) => [v, i]));
  const classOf = new Int32Array(n);
  for (let i = 0; i < n; i++) classOf[i] = index.get(col[i])!;
  return { classOf, values };
}

export interface MarkerStyle {
  shape: MarkerShape;
  size: number;
  /** Colour per class; classes beyond the list reuse it cyclically. */
  colors: readonly Rgb[];
}

/**
 * Each cell's reach along z in planes: the radius of a ball of its `size` (voxels, a detect column)
 * in µm over the z step — so a cell is marked on every plane it spans, not only its centre plane.
 */
export function cellZExtents(points: Points, voxelSize: [number, number, number]): Float64Array | undefined {
  const size = points.properties.size;
  if (!size) return undefined;
  const [vx, vy, vz] = voxelSize;
  return Float64Array.from(size, (s) => Math.floor(Math.cbrt((3 * s * vx * vy * vz) / (4 * Math.PI)) / vz));
}

/**
 * Draw the points lying in plane z on a picture of the window starting at (x0, y0), downsampled by
 * `factor`. A point belongs to the voxel its truncated coordinates name, as ClearMap indexes arrays with
 * point coordinates (overlayPoints, voxelize 'Pixel'); `zRadius` also takes points that many planes
 * away (one number, or one per point). Returns how many points were drawn.
 */
export function drawPointsInPlane(
  img: RgbaImage, points: Points, classOf: Int32Array, z: number, zRadius: number | ArrayLike<number>,
  window: { x0: number; y0: number; factor: number }, style: MarkerStyle,
): number {
  const n = pointCount(points), c = points.coords;
  let drawn = 0;
  for (let i = 0; i < n; i++) {
    if (Math.abs(Math.trunc(c[3 * i + 2]) - z) > (typeof zRadius === 'number' ? zRadius : zRadius[i])) continue;
    const px = Math.floor((Math.trunc(c[3 * i]) - window.x0) / window.factor);
    const py = Math.floor((Math.trunc(c[3 * i + 1]) - window.y0) / window.factor);
    if (px < 0 || py < 0 || px >= img.width || py >= img.height) continue;
    drawMarker(img, px, py, style.shape, style.size, style.colors[classOf[i] % style.colors.length]);
    drawn++;
  }
  return drawn;
}
