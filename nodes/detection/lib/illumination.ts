// Illumination (flat-field) correction, ClearMap's IlluminationCorrection.correctIllumination:
//   C = (I - B) / (F - B)   per z-slice, then optionally scaled by the flat field's mean/max and cast
// back to the input type. Without a flat field the image is returned unchanged.
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fromFile } from 'geotiff';
import { allocate, dtypeRange, type Volume } from '../../../engine/data/volume.js';
import type { IlluminationParams } from './params.js';

export interface FlatField {
  /** X * Y values, x fastest, covering the whole stack plane. */
  flatfield: Float32Array;
  background: Float32Array | null;
  /** Size of the full plane [X, Y] these images cover. */
  plane: [number, number];
}

/** Cast a float to an integer dtype as numpy's astype does for in-range values (truncation), clamped to the type. */
export function castTo(dtype: Volume['dtype']): (v: number) => number {
  if (dtype === 'float32') return Math.fround;
  if (dtype === 'float64') return (v) => v;
  const [lo, hi] = dtypeRange(dtype);
  return (v) => { const t = Math.trunc(v); return t < lo ? lo : t > hi ? hi : t; };
}

/**
 * Correct one slab. `flat` covers the full stack plane; the slab may be a sub-region of it (origin x, y).
 * scaling: number, or null to keep float32 output (ClearMap casts back only when it scales).
 */
export function correctIllumination(slab: Volume, flat: FlatField, scaling: number | null): Volume {
  const [X, Y, Z] = slab.shape;
  const [FX, FY] = flat.plane;
  const [ox, oy] = slab.origin;
  if (ox + X > FX || oy + Y > FY) {
    throw new Error(`correctIlluminationParameter.flatfield: flat field is ${FX} x ${FY} but the image plane needs ${ox + X} x ${oy + Y}`);
  }
  const P = X * Y;
  const f = new Float32Array(P), b = flat.background ? new Float32Array(P) : null;
  for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) {
    const s = (oy + y) * FX + ox + x;
    f[y * X + x] = flat.background ? flat.flatfield[s] - flat.background[s] : flat.flatfield[s];
    if (b && flat.background) b[y * X + x] = flat.background[s];
  }
  const tmp = new Float32Array(P * Z);
  const src = slab.data;
  for (let z = 0; z < Z; z++) {
    const o = z * P;
    for (let i = 0; i < P; i++) tmp[o + i] = b ? (src[o + i] - b[i]) / f[i] : src[o + i] / f[i];
  }
  if (scaling === null) return { ...slab, data: tmp, dtype: 'float32' };
  const out = allocate(slab.dtype, P * Z);
  const cast = castTo(slab.dtype);
  const s32 = Math.fround(scaling);
  for (let i = 0; i < tmp.length; i++) out[i] = cast(Math.fround(tmp[i] * s32));
  return { ...slab, data: out };
}

/** The scale factor ClearMap applies: the full flat field's mean or max, a given number, or null. */
export function scalingFactor(scaling: IlluminationParams['scaling'], flat: Float32Array): number | null {
  if (scaling === null || typeof scaling === 'number') return scaling;
  let sum = 0, max = -Infinity;
  for (let i = 0; i < flat.length; i++) { sum += flat[i]; if (flat[i] > max) max = flat[i]; }
  if (scaling.toLowerCase() === 'mean') return sum / flat.length;
  if (scaling.toLowerCase() === 'max') return max;
  throw new Error(`correctIlluminationParameter.scaling must be 'Mean', 'Max', a number or null, got '${scaling}'`);
}

async function read2dTiff(path: string, what: string): Promise<{ data: Float32Array; shape: [number, number] }> {
  let tiff;
  try { tiff = await fromFile(path); } catch (e) { throw new Error(`${what}: cannot read TIFF '${path}': ${(e as Error).message}`); }
  const image = await tiff.getImage(0);
  const raster = (await image.readRasters({ interleave: true })) as unknown as ArrayLike<number>;
  return { data: Float32Array.from(raster), shape: [image.getWidth(), image.getHeight()] };
}

/**
 * Load the flat field (and background) for a stack plane of planeX x planeY. A text/CSV flat field is
 * ClearMap's "line" format: one intensity per line along y, replicated along x (flatfieldFromLine).
 */
export async function loadFlatField(p: IlluminationParams, planeX: number, planeY: number): Promise<FlatField | null> {
  if (p.flatfield === null) return null;
  const path = p.flatfield;
  if (/\.(csv|txt)$/i.test(path)) {
    let text: string;
    try { text = readFileSync(path, 'utf8'); } catch (e) { throw new Error(`correctIlluminationParameter.flatfield: cannot read '${path}': ${(e as Error).message}`); }
    const line = text.split(/[\s,;]+/).filter((s) => s.length > 0).map(Number);
    if (line.some((v) => !Number.isFinite(v))) throw new Error(`correctIlluminationParameter.flatfield: '${path}' must hold one number per line`);
    if (line.length < planeY) throw new Error(`correctIlluminationParameter.flatfield: line file '${path}' has ${line.length} values but the image has ${planeY} rows (y)`);
    const flat = new Float32Array(planeX * line.length);
    for (let y = 0; y < line.length; y++) flat.fill(line[y], y * planeX, (y + 1) * planeX);
    return withBackground(p, flat, [planeX, line.length], planeX, planeY);
  }
  const t = await read2dTiff(path, 'correctIlluminationParameter.flatfield');
  if (t.shape[0] < planeX || t.shape[1] < planeY) throw new Error(`correctIlluminationParameter.flatfield: '${path}' is ${t.shape.join(' x ')} but the image needs at least ${planeX} x ${planeY}`);
  return withBackground(p, t.data, t.shape, planeX, planeY);
}

async function withBackground(p: IlluminationParams, flat: Float32Array, plane: [number, number], planeX: number, planeY: number): Promise<FlatField> {
  let background: Float32Array | null = null;
  if (p.background !== null) {
    const t = await read2dTiff(p.background, 'correctIlluminationParameter.background');
    if (t.shape[0] !== plane[0] || t.shape[1] !== plane[1]) throw new Error(`correctIlluminationParameter.background: '${p.background}' is ${t.shape.join(' x ')} but the flat field is ${plane.join(' x ')} (image needs ${planeX} x ${planeY})`);
    background = t.data;
  }
  return { flatfield: flat, background, plane };
}

/** Flat field / background paths resolved against the workflow folder (relative paths in params). */
export function resolveIlluminationPaths(p: IlluminationParams, baseDir: string | undefined): IlluminationParams {
  const abs = (f: string | null) => (f === null || baseDir === undefined ? f : resolve(baseDir, f));
  return { ...p, flatfield: abs(p.flatfield), background: abs(p.background) };
}

/** Identity (path, size, mtime) of the flat field and background files, for the cache key. */
export function illuminationFilesIdentity(p: IlluminationParams, baseDir: string): unknown {
  const r = resolveIlluminationPaths(p, baseDir);
  const id = (f: string | null) => {
    if (f === null) return null;
    try { const s = statSync(f); return { path: f, size: s.size, mtimeMs: s.mtimeMs }; } catch { return { path: f, missing: true }; }
  };
  return { flatfield: id(r.flatfield), background: id(r.background) };
}
