// Points files: CSV, NPY, VTK. Properties (ClearMap's "intensities") go inline where the format can
// name them (CSV columns, VTK point data) or into a companion file named as ClearMap does:
// `cells.npy` -> `cells_intensities.npy` (IO.pointsToCoordinatesAndPropertiesFileNames).
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { INTENSITY_COLUMNS, makePoints, pointCount, type Points } from '../../../../engine/data/points.js';
import { writeFileAtomic, writeFilesAtomic } from '../../../../engine/data/atomic.js';
import { checkInputFile } from '../input-file.js';
import { encodeCsv, readCsvColumns } from './csv.js';
import { encodeNpy, readNpy, type NpyFloat } from './npy.js';
import { encodeVtk, readVtkPoints, type VtkEncoding } from './vtk.js';

// napari: the CSV napari's points reader opens as a points layer (header index,axis-0,axis-1,axis-2
// then properties; axis order z, y, x as napari shows image stacks); pick it with format 'napari'
export const POINT_FORMATS = ['csv', 'npy', 'vtk', 'napari'] as const;
export type PointFormat = (typeof POINT_FORMATS)[number];

export function detectPointFormat(path: string, format?: string): PointFormat {
  if (format !== undefined) {
    if (!(POINT_FORMATS as readonly string[]).includes(format)) throw new Error(`${path}: unknown points format '${format}'; expected one of ${POINT_FORMATS.join(', ')}`);
    return format as PointFormat;
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.txt') return 'csv';
  if (ext === '.npy') return 'npy';
  if (ext === '.vtk') return 'vtk';
  throw new Error(`${path}: cannot tell the points format from the extension; use .csv/.txt, .npy or .vtk, or set 'format'`);
}

/** ClearMap's companion name: `<name>_intensities<ext>`. */
export function intensitiesFileName(path: string): string {
  const ext = extname(path);
  return path.slice(0, path.length - ext.length) + '_intensities' + ext;
}

export interface WritePointsOptions {
  format?: string;
  /** 'inline' (CSV columns / VTK point data), 'companion' (`<name>_intensities.<ext>`) or 'none'. */
  intensities?: 'inline' | 'companion' | 'none';
  /** NPY element type (default float64). */
  dtype?: NpyFloat;
  /** VTK encoding (default ascii). */
  encoding?: VtkEncoding;
}

function columnsOf(p: Points): { names: string[]; columns: Float64Array[] } {
  return { names: Object.keys(p.properties), columns: Object.values(p.properties) };
}

/** Interleaved row-major N x k values of the given columns. */
function interleave(columns: Float64Array[], n: number): Float64Array {
  const k = columns.length;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) out[i * k + j] = columns[j][i];
  return out;
}

/** Write points (atomically); returns the files written. */
export function writePointsFile(path: string, points: Points, opts: WritePointsOptions = {}): string[] {
  const format = detectPointFormat(path, opts.format);
  const n = pointCount(points);
  const props = columnsOf(points);
  const mode = opts.intensities ?? (format === 'npy' ? 'companion' : 'inline');
  if (format === 'napari' && mode === 'companion') throw new Error(`${path}: napari reads properties from the same CSV; use intensities 'inline'`);
  if (mode === 'inline' && format === 'npy' && props.names.length) throw new Error(`${path}: NPY cannot hold named properties inline; use intensities 'companion' (writes ${intensitiesFileName(path)})`);
  if (mode === 'companion' && format === 'vtk') throw new Error(`${path}: VTK keeps properties as point data; use intensities 'inline'`);
  const inline = mode === 'inline' ? points.properties : {};
  const xyz = [0, 1, 2].map((a) => Float64Array.from({ length: n }, (_, i) => points.coords[3 * i + a]));
  const out: Array<{ dest: string; data: string | Uint8Array }> = [];
  switch (format) {
    case 'csv': out.push({ dest: path, data: encodeCsv(['x', 'y', 'z', ...Object.keys(inline)], [...xyz, ...Object.values(inline)]) }); break;
    case 'npy': out.push({ dest: path, data: encodeNpy(points.coords, n, 3, opts.dtype) }); break;
    case 'vtk': out.push({ dest: path, data: encodeVtk(points.coords, inline, opts.encoding) }); break;
    case 'napari': out.push({ dest: path, data: encodeCsv(['index', 'axis-0', 'axis-1', 'axis-2', ...Object.keys(inline)], [Float64Array.from({ length: n }, (_, i) => i), xyz[2], xyz[1], xyz[0], ...Object.values(inline)]) }); break;
  }
  if (mode === 'companion' && props.names.length) {
    const companion = intensitiesFileName(path);
    if (format === 'csv') out.push({ dest: companion, data: encodeCsv(props.names, props.columns) });
    else out.push({ dest: companion, data: props.names.length === 1 ? encodeNpy(props.columns[0], n, undefined, opts.dtype) : encodeNpy(interleave(props.columns, n), n, props.names.length, opts.dtype) });
  }
  // coordinates and companion are staged together and renamed together: never one without the other
  writeFilesAtomic(out);
  return out.map((f) => f.dest);
}

/** Names for k unnamed property columns: ClearMap's four intensity rows when k = 4. */
function defaultNames(k: number, given: string[] | undefined, path: string): string[] {
  if (given) {
    if (given.length !== k) throw new Error(`${path}: 'columns' names ${given.length} properties but the file has ${k}`);
    return given;
  }
  if (k === 4) return [...INTENSITY_COLUMNS];
  if (k === 1) return ['intensity'];
  return Array.from({ length: k }, (_, i) => `intensity${i}`);
}

export interface ReadPointsOptions {
  format?: string;
  /** Names for the columns of an unnamed companion intensities file (NPY or headerless CSV). */
  columns?: string[];
}

/** Read points plus their properties (inline, or from `<name>_intensities.<ext>` when present). */
export function readPointsFile(path: string, opts: ReadPointsOptions = {}): { points: Points; files: string[] } {
  checkInputFile(path, 'points file');
  const format = detectPointFormat(path, opts.format);
  let coords: Float64Array;
  let properties: Record<string, Float64Array> = {};
  if (format === 'csv' || format === 'napari') {
    const t = readCsvColumns(path);
    const lower = t.names.map((s) => s.toLowerCase());
    const napari = lower.includes('axis-0');
    const idx = napari ? ['axis-2', 'axis-1', 'axis-0'].map((a) => lower.indexOf(a)) : t.names.length ? ['x', 'y', 'z'].map((a) => lower.indexOf(a)) : [0, 1, 2];
    if (napari && lower.includes('index')) idx.push(lower.indexOf('index')); // not a property
    if (idx.some((i) => i < 0) || t.columns.length < 3) throw new Error(`${path}: CSV needs x, y, z columns, or napari's axis-0, axis-1, axis-2 (header '${t.names.join(',')}')`);
    const n = t.columns[0].length;
    coords = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) for (let a = 0; a < 3; a++) coords[3 * i + a] = t.columns[idx[a]][i];
    const rest = t.columns.map((_, k) => k).filter((k) => !idx.includes(k));
    const names = t.names.length ? rest.map((k) => t.names[k]) : defaultNames(rest.length, undefined, path);
    rest.forEach((k, j) => { properties[names[j]] = t.columns[k]; });
  } else if (format === 'npy') {
    const a = readNpy(path);
    if (a.shape.length !== 2 || a.shape[1] !== 3) throw new Error(`${path}: points .npy must have shape (N, 3), got (${a.shape})`);
    coords = a.data;
  } else {
    ({ coords, properties } = readVtkPoints(path));
  }
  const n = coords.length / 3;
  const files = [path];
  const companion = intensitiesFileName(path);
  if (Object.keys(properties).length === 0 && existsSync(companion)) {
    checkInputFile(companion, 'intensities file');
    files.push(companion);
    if (format === 'npy') {
      const a = readNpy(companion);
      if (a.shape[0] !== n) throw new Error(`${companion}: ${a.shape[0]} rows of intensities for ${n} points in ${path}`);
      const k = a.shape[1] ?? 1;
      const names = defaultNames(k, opts.columns, companion);
      names.forEach((name, j) => { properties[name] = Float64Array.from({ length: n }, (_, i) => a.data[i * k + j]); });
    } else if (format === 'csv') {
      const t = readCsvColumns(companion);
      const names = t.names.length ? t.names : defaultNames(t.columns.length, opts.columns, companion);
      t.columns.forEach((col, j) => {
        if (col.length !== n) throw new Error(`${companion}: ${col.length} rows of intensities for ${n} points in ${path}`);
        properties[names[j]] = col;
      });
    }
  }
  return { points: makePoints(coords, properties), files };
}
