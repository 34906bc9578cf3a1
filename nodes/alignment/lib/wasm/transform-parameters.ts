// elastix transforms evaluated in TypeScript: parse TransformParameters.N.txt files and map points
// exactly as transformix does (so points can be transformed without the native binary, e.g. after a
// WebAssembly registration). Supported: TranslationTransform, EulerTransform, AffineTransform and
// BSplineTransform (cubic), chained through InitialTransformParametersFileName with
// HowToCombineTransforms "Compose": T(p) = T_current(T_initial(p)) as elastix's
// AdvancedCombinationTransform does. Checked against native transformix in the tests.
import { readFileSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export type ParamValue = string | number;
export type ParameterMap = Map<string, ParamValue[]>;

export function parseParameterText(text: string, source: string): ParameterMap {
  const map: ParameterMap = new Map();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (!line) continue;
    const m = /^\((\S+)\s*(.*)\)$/.exec(line);
    if (!m) throw new Error(`${source}: cannot parse line '${raw.trim()}'`);
    const values: ParamValue[] = [];
    for (const tok of m[2].match(/"[^"]*"|\S+/g) ?? []) values.push(tok.startsWith('"') ? tok.slice(1, -1) : Number(tok));
    map.set(m[1], values);
  }
  return map;
}

type Vec3 = [number, number, number];

export interface PointTransform {
  kind: string;
  apply(p: Vec3): Vec3;
}

function nums(m: ParameterMap, key: string, source: string, n?: number): number[] {
  const v = m.get(key);
  if (!v) throw new Error(`${source}: missing (${key} ...)`);
  const out = v.map(Number);
  if (out.some((x) => !Number.isFinite(x)) || (n !== undefined && out.length !== n)) throw new Error(`${source}: (${key}) must be ${n ?? 'some'} numbers`);
  return out;
}

function str(m: ParameterMap, key: string, fallback?: string): string | undefined {
  const v = m.get(key);
  return v === undefined ? fallback : String(v[0]);
}

function eulerMatrix(rx: number, ry: number, rz: number, zyx: boolean): number[] {
  const [cx, sx, cy, sy, cz, sz] = [Math.cos(rx), Math.sin(rx), Math.cos(ry), Math.sin(ry), Math.cos(rz), Math.sin(rz)];
  const Rx = [1, 0, 0, 0, cx, -sx, 0, sx, cx];
  const Ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const Rz = [cz, -sz, 0, sz, cz, 0, 0, 0, 1];
  const mul = (a: number[], b: number[]) => Array.from({ length: 9 }, (_, k) => {
    const i = Math.floor(k / 3), j = k % 3;
    return a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
  });
  // ITK Euler3DTransform: R = Rz Rx Ry by default, Rz Ry Rx when ComputeZYX is true
  return zyx ? mul(mul(Rz, Ry), Rx) : mul(mul(Rz, Rx), Ry);
}

function matrixTransform(kind: string, A: number[], t: number[], c: number[]): PointTransform {
  return {
    kind,
    apply(p) {
      const d = [p[0] - c[0], p[1] - c[1], p[2] - c[2]];
      return [
        A[0] * d[0] + A[1] * d[1] + A[2] * d[2] + t[0] + c[0],
        A[3] * d[0] + A[4] * d[1] + A[5] * d[2] + t[1] + c[1],
        A[6] * d[0] + A[7] * d[1] + A[8] * d[2] + t[2] + c[2],
      ];
    },
  };
}

/** Cubic B-spline weights for fractional position u in [0, 1) (support of 4 control points). */
function cubicWeights(u: number, w: Float64Array): void {
  const u2 = u * u, u3 = u2 * u;
  w[0] = (1 - 3 * u + 3 * u2 - u3) / 6;
  w[1] = (4 - 6 * u2 + 3 * u3) / 6;
  w[2] = (1 + 3 * u + 3 * u2 - 3 * u3) / 6;
  w[3] = u3 / 6;
}

function bsplineTransform(m: ParameterMap, source: string): PointTransform {
  const order = Number(str(m, 'BSplineTransformSplineOrder', '3'));
  if (order !== 3) throw new Error(`${source}: only cubic B-spline transforms are supported (BSplineTransformSplineOrder ${order})`);
  const size = nums(m, 'GridSize', source, 3);
  const index = nums(m, 'GridIndex', source, 3);
  const spacing = nums(m, 'GridSpacing', source, 3);
  const origin = nums(m, 'GridOrigin', source, 3);
  const dir = m.has('GridDirection') ? nums(m, 'GridDirection', source, 9) : [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const coeff = nums(m, 'TransformParameters', source);
  const n = size[0] * size[1] * size[2];
  if (coeff.length !== 3 * n) throw new Error(`${source}: ${coeff.length} B-spline coefficients for a grid of ${n} points (expected ${3 * n})`);
  if (dir.some((v, i) => Math.abs(v - (i % 4 === 0 ? 1 : 0)) > 1e-12)) throw new Error(`${source}: B-spline grids with a non-identity GridDirection are not supported`);
  const wx = new Float64Array(4), wy = new Float64Array(4), wz = new Float64Array(4);
  return {
    kind: 'BSplineTransform',
    apply(p) {
      // continuous grid index; the 4x4x4 support starts one control point before floor(c)
      const c = [0, 1, 2].map((k) => (p[k] - origin[k]) / spacing[k] - index[k]);
      const start = c.map((v) => Math.floor(v) - 1);
      // outside the region where the full support lies in the grid: identity (as ITK)
      for (let k = 0; k < 3; k++) if (start[k] < 0 || start[k] + 3 >= size[k]) return [p[0], p[1], p[2]];
      cubicWeights(c[0] - Math.floor(c[0]), wx);
      cubicWeights(c[1] - Math.floor(c[1]), wy);
      cubicWeights(c[2] - Math.floor(c[2]), wz);
      const d = [0, 0, 0];
      for (let k = 0; k < 4; k++) for (let j = 0; j < 4; j++) {
        const wjk = wy[j] * wz[k];
        const row = start[0] + size[0] * ((start[1] + j) + size[1] * (start[2] + k));
        for (let i = 0; i < 4; i++) {
          const w = wx[i] * wjk, g = row + i;
          d[0] += w * coeff[g]; d[1] += w * coeff[n + g]; d[2] += w * coeff[2 * n + g];
        }
      }
      return [p[0] + d[0], p[1] + d[1], p[2] + d[2]];
    },
  };
}

export function transformFromMap(m: ParameterMap, source: string): PointTransform {
  const kind = str(m, 'Transform') ?? '';
  const dim = Number(str(m, 'FixedImageDimension', '3'));
  if (dim !== 3) throw new Error(`${source}: only 3-D transforms are supported (FixedImageDimension ${dim})`);
  const center = () => (m.has('CenterOfRotationPoint') ? nums(m, 'CenterOfRotationPoint', source, 3) : [0, 0, 0]);
  switch (kind) {
    case 'TranslationTransform':
      return matrixTransform(kind, [1, 0, 0, 0, 1, 0, 0, 0, 1], nums(m, 'TransformParameters', source, 3), [0, 0, 0]);
    case 'EulerTransform': {
      const p = nums(m, 'TransformParameters', source, 6);
      return matrixTransform(kind, eulerMatrix(p[0], p[1], p[2], str(m, 'ComputeZYX', 'false') === 'true'), p.slice(3), center());
    }
    case 'AffineTransform': {
      const p = nums(m, 'TransformParameters', source, 12);
      return matrixTransform(kind, p.slice(0, 9), p.slice(9), center());
    }
    case 'BSplineTransform':
    case 'RecursiveBSplineTransform':
      return bsplineTransform(m, source);
    default:
      throw new Error(`${source}: transform '${kind}' is not supported by the built-in point transformer (supported: Translation, Euler, Affine, BSpline); use native transformix`);
  }
}

/**
 * The full chain for a TransformParameters file: the file itself, preceded by its initial transforms.
 * Files are looked up by path first, then by file name next to the given file (result directories
 * are relocated by the cache, so absolute paths inside them may be stale).
 */
export function loadTransformChain(file: string): PointTransform[] {
  const chain: PointTransform[] = [];
  const seen = new Set<string>();
  let current: string | undefined = file;
  while (current) {
    if (seen.has(current)) throw new Error(`${file}: InitialTransformParametersFileName chain loops at ${current}`);
    seen.add(current);
    if (!existsSync(current)) throw new Error(`${file}: transform parameter file ${current} does not exist`);
    const m = parseParameterText(readFileSync(current, 'utf8'), current);
    const combine = str(m, 'HowToCombineTransforms', 'Compose');
    if (combine !== 'Compose') throw new Error(`${current}: HowToCombineTransforms "${combine}" is not supported (only "Compose")`);
    chain.unshift(transformFromMap(m, current));
    const init = str(m, 'InitialTransformParametersFileName', 'NoInitialTransform')!;
    if (init === 'NoInitialTransform') break;
    current = existsSync(init) ? init : join(dirname(current), basename(init));
  }
  return chain;
}

/** Apply a chain (initial transform first) to interleaved [x,y,z] points. */
export function transformPointsWithChain(chain: PointTransform[], coords: Float64Array): Float64Array {
  const out = new Float64Array(coords.length);
  for (let i = 0; i < coords.length; i += 3) {
    let p: Vec3 = [coords[i], coords[i + 1], coords[i + 2]];
    for (const t of chain) p = t.apply(p);
    out[i] = p[0]; out[i + 1] = p[1]; out[i + 2] = p[2];
  }
  return out;
}
