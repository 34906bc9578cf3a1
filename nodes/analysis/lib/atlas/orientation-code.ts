// Atlas orientation as BrainGlobe writes it (brainglobe-space): three letters, one per array axis in
// numpy / tifffile order (pages, rows, columns), each naming the side where that axis STARTS:
// "asr" = axis 0 anterior -> posterior, axis 1 superior -> inferior, axis 2 right -> left.
// ClearMap.ts indexes volumes [x, y, z] with x = columns, y = rows, z = pages, so the letter of x
// is the code's LAST letter: an "asr" file read here has x = right -> left, y = superior ->
// inferior, z = anterior -> posterior.
//
// ClearMap orientation tuples (nodes/alignment/orientation.ts) are signed 1-based permutations of
// [x, y, z]: entry i = source axis that becomes result axis i, negative = reversed. The functions
// below convert between the two, both ways.
import type { OrientationTuple } from '../../../alignment/lib/orientation.js';

const OPPOSITE: Record<string, string> = { a: 'p', p: 'a', s: 'i', i: 's', l: 'r', r: 'l' };
/** Anatomical axis of a letter: 0 = antero-posterior, 1 = dorso-ventral, 2 = left-right. */
const ANATOMICAL_AXIS: Record<string, number> = { a: 0, p: 0, s: 1, i: 1, l: 2, r: 2 };

/** BrainGlobe's storage orientation (every BrainGlobe atlas folder is written in it). */
export const BRAINGLOBE_ORIENTATION = 'asr';
/**
 * ClearMap's ABA files (ABA_25um_annotation.tif etc.): [x, y, z] = (dorsal -> ventral, anterior ->
 * posterior, medio-lateral with index 0 on BrainGlobe's "right" side of the same Allen array),
 * i.e. pages = ML, rows = AP, columns = DV: code "ras".
 */
export const CLEARMAP_ABA_ORIENTATION = 'ras';

/** Validate a three-letter code (case-insensitive); returns it lower-case. */
export function parseOrientationCode(code: unknown, where = 'orientation'): string {
  if (typeof code !== 'string' || !/^[aspilr]{3}$/i.test(code)) {
    throw new Error(`${where}: expected a BrainGlobe orientation code of three letters from a/p, s/i, l/r (e.g. "asr"), got ${JSON.stringify(code)}`);
  }
  const c = code.toLowerCase();
  const axes = new Set([...c].map((l) => ANATOMICAL_AXIS[l]));
  if (axes.size !== 3) throw new Error(`${where}: "${code}" names an anatomical axis twice; each of a/p, s/i and l/r must appear once`);
  return c;
}

/** The letters of a code in ClearMap's [x, y, z] order (the code reversed). */
export function xyzLetters(code: string): [string, string, string] {
  const c = parseOrientationCode(code);
  return [c[2], c[1], c[0]];
}

/** A code from letters given in [x, y, z] order. */
export function codeFromXyz(letters: readonly string[]): string {
  return parseOrientationCode(`${letters[2]}${letters[1]}${letters[0]}`);
}

/**
 * The ClearMap orientation tuple that turns data laid out as `from` into the layout `to`
 * (e.g. a sample's code into the atlas's), for `resample`'s `orientation` param.
 */
export function orientationTuple(from: string, to: string): OrientationTuple {
  const f = xyzLetters(from), t = xyzLetters(to);
  return t.map((letter) => {
    const j = f.findIndex((l) => ANATOMICAL_AXIS[l] === ANATOMICAL_AXIS[letter]);
    return (j + 1) * (f[j] === letter ? 1 : -1);
  }) as OrientationTuple;
}

/** The layout of data in layout `from` after applying a ClearMap orientation tuple to it. */
export function applyOrientationTuple(from: string, tuple: readonly number[]): string {
  const f = xyzLetters(from);
  const seen = new Set(tuple.map((v) => Math.abs(v)));
  if (tuple.length !== 3 || seen.size !== 3 || !tuple.every((v) => Number.isInteger(v) && Math.abs(v) >= 1 && Math.abs(v) <= 3)) {
    throw new Error(`orientation tuple ${JSON.stringify(tuple)} is not a signed permutation of (1, 2, 3)`);
  }
  return codeFromXyz(tuple.map((v) => { const l = f[Math.abs(v) - 1]; return v < 0 ? OPPOSITE[l] : l; }));
}

/** Human description of a code, e.g. "x: right -> left, y: superior -> inferior, z: anterior -> posterior". */
export function describeOrientation(code: string): string {
  const name: Record<string, string> = { a: 'anterior', p: 'posterior', s: 'superior', i: 'inferior', l: 'left', r: 'right' };
  const [x, y, z] = xyzLetters(code);
  return [['x', x], ['y', y], ['z', z]].map(([axis, l]) => `${axis}: ${name[l]} -> ${name[OPPOSITE[l]]}`).join(', ');
}

/** Every valid code (48), for tests and help texts. */
export function allOrientationCodes(): string[] {
  const out: string[] = [];
  const pairs = [['a', 'p'], ['s', 'i'], ['l', 'r']];
  const perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
  for (const p of perms) for (let s = 0; s < 8; s++) out.push(p.map((axis, k) => pairs[axis][(s >> k) & 1]).join(''));
  return out;
}
