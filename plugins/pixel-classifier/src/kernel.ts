// Runs in the engine's worker threads: features of the slab -> forest cell probability in the planes
// that have full feature context -> connected components -> cell centres (global [x, y, z]).
import type { ChunkContext, ChunkGeometry, Points, Volume } from 'clearmap-ts';
import { computeFeatures, featureRadius, type FeatureSpec } from './features.js';
import { cellsFromMask } from 'clearmap-ts/kernels';
import type { PixelModel } from './model.js';
import type { ClassifyCellsParams, ClassifyPixelsParams } from './params.js';


/** Voxels of features computed at once (about 100 bytes each): bounds a worker's memory whatever the slab size. */
const TILE_VOXELS = 4_000_000;

/**
 * Cell probability of every voxel in local planes [v0, v1) of a slab (index i - v0 * X * Y).
 * Features are computed in tiles of rows (each with featureRadius rows of context, reflected only at
 * the stack's own y edges), so memory stays bounded and the values equal an untiled computation.
 */
export function cellProbability(slab: Volume, model: PixelModel, depth: number, v0: number, v1: number, tileVoxels = TILE_VOXELS): Float64Array {
  const [X, Y] = slab.shape;
  const plane = X * Y;
  const out = new Float64Array(Math.max(0, v1 - v0) * plane);
  if (v1 <= v0) return out;
  // the trees as typed arrays, traversed inline (same sums in the same order as predictForest)
  const trees = model.trees.map((t) => ({
    feature: Int32Array.from(t.feature), threshold: Float64Array.from(t.threshold),
    left: Int32Array.from(t.left), right: Int32Array.from(t.right), value: Float64Array.from(t.value),
  }));
  const nt = trees.length;
  forEachTile(slab, model.features, depth, tileVoxels, (feats, y0, y1, ya, th) => {
    for (let z = v0; z < v1; z++) for (let y = y0; y < y1; y++) {
      const ti = X * ((y - ya) + th * z), oi = X * (y + Y * (z - v0));
      for (let x = 0; x < X; x++) {
        const i = ti + x;
        let s = 0;
        for (let t = 0; t < nt; t++) {
          const tr = trees[t];
          let k = 0;
          while (tr.feature[k] >= 0) k = feats[tr.feature[k]][i] <= tr.threshold[k] ? tr.left[k] : tr.right[k];
          s += tr.value[k];
        }
        out[oi + x] = s / nt;
      }
    }
  });
  return out;
}

/**
 * Features of a slab tile by tile: rows [y0, y1) are exact in `feats`, computed on rows [ya, ya + th)
 * (y0, y1 plus featureRadius rows of context, clipped to the slab).
 */
export function forEachTile(slab: Volume, spec: FeatureSpec, depth: number, tileVoxels: number,
  fn: (feats: Float32Array[], y0: number, y1: number, ya: number, th: number) => void): void {
  const [X, Y, Z] = slab.shape;
  const R = featureRadius(spec);
  const rows = Math.max(1, Math.floor(tileVoxels / (X * Z)) - 2 * R);
  for (let y0 = 0; y0 < Y; y0 += rows) {
    const y1 = Math.min(Y, y0 + rows);
    const ya = Math.max(0, y0 - R), yb = Math.min(Y, y1 + R);
    fn(computeFeatures(rowsOf(slab, ya, yb), spec, depth, slab.origin[1] + Y), y0, y1, ya, yb - ya);
  }
}

/** Rows [ya, yb) of every plane of a slab, as a volume whose origin[1] is ya (the slab's own y origin is 0). */
function rowsOf(slab: Volume, ya: number, yb: number): Volume {
  const [X, Y, Z] = slab.shape;
  if (ya === 0 && yb === Y) return slab;
  const n = yb - ya;
  const data = new Float64Array(X * n * Z);
  for (let z = 0; z < Z; z++) for (let y = ya; y < yb; y++) {
    const from = X * (y + Y * z), to = X * ((y - ya) + n * z);
    for (let x = 0; x < X; x++) data[to + x] = slab.data[from + x];
  }
  return { data, shape: [X, n, Z], dtype: 'float64', voxelSize: slab.voxelSize, origin: [slab.origin[0], slab.origin[1] + ya, slab.origin[2]] };
}

/** params.model, or the wired model input (the engine resolves it before the chunk stream starts). */
function withModel<P extends { model?: object }>(params: P, context?: ChunkContext): Omit<P, 'model'> & { model: PixelModel } {
  const wired = context?.inputs.model as { value?: PixelModel } | undefined;
  return { ...params, model: wired?.value ?? params.model as PixelModel };
}

export function classifyCells(slab: Volume, g: ChunkGeometry, params: ClassifyCellsParams, context?: ChunkContext): Points {
  const p = withModel(params, context);
  const R = featureRadius(p.model.features);
  const Z = slab.shape[2];
  const v0 = slab.origin[2] > 0 ? R : 0;
  const v1 = slab.origin[2] + Z < g.depth ? Z - R : Z;
  const base = v0 * slab.shape[0] * slab.shape[1];
  const prob = cellProbability(slab, p.model, g.depth, v0, Math.max(v0, v1));
  return cellsFromMask(slab, (i) => prob[i - base] > p.threshold, (i) => prob[i - base], {
    v0, v1, depth: g.depth, maxExtent: p.maxCellExtent, minSize: p.minSize, maxSize: p.maxSize,
  });
}

/** The forest's cell probability at every voxel, as a float32 slab (planes near interior edges are discarded by the engine). */
export function classifyPixels(slab: Volume, g: ChunkGeometry, params: ClassifyPixelsParams, context?: ChunkContext): Volume {
  const p = withModel(params, context);
  const prob = cellProbability(slab, p.model, g.depth, 0, slab.shape[2]);
  return { ...slab, data: Float32Array.from(prob), dtype: 'float32' };
}
