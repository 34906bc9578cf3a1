// The common picture of the tiles / overlay nodes: planes → grey (contrast from percentiles of those
// planes) → downsampled → decorated (points, labels) → laid out as a grid. Pure: planes in, pixels out.
import { contrastLimits, greyImage, type Limits } from './contrast.js';
import { downsample, downsampleFactor, type Plane } from './planes.js';
import type { RgbaImage } from './rgba.js';
import { tileImages, zoomImage, type TileLayout } from './tiles.js';

export interface TiledPlanesOptions {
  percentiles: [number, number];
  inverse: boolean;
  /** Largest tile side in pixels. */
  maxSize: number;
  /** Integer enlargement of every tile after drawing (small atlas planes); 1 = none. */
  zoom?: number;
  layout: TileLayout;
}

export interface TiledPicture {
  image: RgbaImage;
  limits: Limits;
  /** Downsampling factor of the tiles. */
  factor: number;
}

export function renderTiledPlanes(
  planes: readonly Plane[], o: TiledPlanesOptions,
  decorate?: (tile: RgbaImage, index: number, factor: number) => void,
): TiledPicture {
  if (planes.length === 0) throw new Error('no planes to draw');
  const { width, height } = planes[0];
  const limits = contrastLimits(planes.map((p) => p.values), o.percentiles);
  const factor = downsampleFactor(width, height, o.maxSize);
  const tiles = planes.map((p, i) => {
    const small = downsample(p, factor);
    const tile = greyImage(small.values, small.width, small.height, limits, o.inverse);
    decorate?.(tile, i, factor);
    return zoomImage(tile, o.zoom ?? 1);
  });
  return { image: tileImages(tiles, o.layout), limits, factor };
}
