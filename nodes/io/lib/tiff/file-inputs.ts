// Per-plane inputs as users have them: a folder of numbered TIFFs (`/data/ch0`), a glob
// (`/data/ch0/Z*.tif`) or ClearMap's regex with a digit placeholder (`/data/ch0/ch00\d{3}.tif`).
// Folders and globs are turned into the list of one numbered sequence: the plane number is the last
// run of digits in each name, the rest of the name must be the same for every file.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isFilePattern, listPatternFiles, type PatternFile } from './file-pattern.js';

const TIFF_NAME = /\.tiff?$/i;
const GLOB_CHARS = /[*?[]/;

export const ACCEPTED_INPUT_FORMS = 'a volume file (.tif/.tiff, .ome.tif, .mhd/.raw, .nrrd, .ims, .zarr), a folder of numbered TIFF planes (ch0/), a glob (ch0/Z*.tif) or a regular expression with a digit placeholder (ch0/ch00\\d{3}.tif)';

function isDirectory(path: string): boolean {
  try { return statSync(path).isDirectory(); } catch { return false; }
}

/** A folder that is not a Zarr store: read as its numbered TIFF planes. */
export function isPlaneFolder(path: string): boolean {
  return !/\.zarr\/?$/i.test(path) && isDirectory(path) && !existsSync(join(path, '.zarray')) && !existsSync(join(path, '.zgroup')) && !existsSync(join(path, 'zarr.json'));
}

export function isGlob(path: string): boolean {
  return GLOB_CHARS.test(basename(path)) && !existsSync(path);
}

/** True for every per-plane input form (folder, glob, digit regex). */
export function isPlaneInput(path: string): boolean {
  return isFilePattern(path) || isGlob(path) || isPlaneFolder(path);
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) { re += '\\['; continue; }
      const body = glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
      re += `[${body}]`;
      i = end;
    } else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function listNames(dir: string, what: string): string[] {
  try {
    return readdirSync(dir).filter((n) => !n.startsWith('.')).sort();
  } catch (e) {
    throw new Error(`${what}: cannot list directory ${dir} (${(e as Error).message})`);
  }
}

/**
 * One numbered sequence from file names: the plane number is the last digit run; names must agree
 * elsewhere. Several sequences (ch0_Z001.tif and ch1_Z001.tif) are an error listing them.
 */
export function sequenceOf(dir: string, names: string[], what: string): PatternFile[] {
  const groups = new Map<string, PatternFile[]>();
  for (const name of names) {
    const m = /^(.*?)(\d+)(\D*)$/.exec(name);
    if (!m || !isFile(join(dir, name))) continue;
    const key = `${m[1]}#${m[3]}`;
    const list = groups.get(key) ?? [];
    list.push({ path: join(dir, name), number: Number(m[2]) });
    groups.set(key, list);
  }
  if (groups.size === 0) throw new Error(`${what}: no numbered TIFF files (such as Z0001.tif) in ${dir}; accepted inputs are ${ACCEPTED_INPUT_FORMS}`);
  if (groups.size > 1) {
    const desc = [...groups.entries()].map(([k, v]) => `${k.replace('#', '<n>')} (${v.length} files)`).join(', ');
    throw new Error(`${what}: the files form several numbered series: ${desc}; name one with a glob such as ${join(dir, [...groups.keys()][0].replace('#', '*'))}`);
  }
  const files = [...groups.values()][0].sort((a, b) => a.number - b.number);
  for (let i = 1; i < files.length; i++) {
    const prev = files[i - 1], cur = files[i];
    if (cur.number === prev.number) throw new Error(`${what}: ${prev.path} and ${cur.path} both have plane number ${cur.number}`);
    if (cur.number !== prev.number + 1) throw new Error(`${what}: gap in the plane numbering after ${prev.path}: numbers ${prev.number + 1}..${cur.number - 1} are missing before ${cur.path} (plane ${i})`);
  }
  return files;
}

function isFile(path: string): boolean {
  try { return statSync(path).isFile(); } catch { return false; }
}

/** The plane files of a folder, glob or digit regex, in z order. Errors say what was looked for and what exists. */
export function listPlaneFiles(path: string): PatternFile[] {
  if (isPlaneFolder(path)) {
    const names = listNames(path, `folder ${path}`).filter((n) => TIFF_NAME.test(n));
    if (names.length === 0) throw new Error(`${path}: is a directory with no TIFF files in it${nearestHint(path, '')}; accepted inputs are ${ACCEPTED_INPUT_FORMS}`);
    return sequenceOf(path, names, `folder ${path}`);
  }
  if (isGlob(path)) {
    const dir = dirname(path), glob = basename(path);
    const re = globToRegExp(glob);
    if (!isDirectory(dir)) throw new Error(`glob ${path}: nothing matches${nearestHint(dir, glob)}; accepted inputs are ${ACCEPTED_INPUT_FORMS}`);
    const names = listNames(dir, `glob ${path}`).filter((n) => re.test(n));
    if (names.length === 0) throw new Error(`glob ${path}: no file in ${dir} matches ${glob}${nearestHint(dir, glob)}; accepted inputs are ${ACCEPTED_INPUT_FORMS}`);
    return sequenceOf(dir, names, `glob ${path}`);
  }
  try {
    return listPatternFiles(path);
  } catch (e) {
    const msg = (e as Error).message;
    if (/no file in .* matches|cannot list directory/.test(msg)) throw new Error(`${msg}${nearestHint(dirname(path), basename(path))}; accepted inputs are ${ACCEPTED_INPUT_FORMS}`);
    throw e;
  }
}

/** Edit distance (Levenshtein), for "did you mean" lists. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** The existing names in `dir` nearest to `wanted` (at most 5), as "; nearest existing: a, b" or a note that the folder is missing/empty. */
export function nearestFiles(dir: string, wanted: string, max = 5): string[] {
  let names: string[];
  try { names = readdirSync(dir).filter((n) => !n.startsWith('.')); } catch { return []; }
  // compare with the placeholders and wildcards taken out, so "Z*.tif" is near "Z0001.tif"
  const w = wanted.replace(/\\d(\{\d*\}|\+|\*)?|[*?]|\\/g, '');
  return names.map((n) => ({ n, d: distance(n.replace(/\d+/g, ''), w.replace(/\d+/g, '')) + distance(n, w) / 100 }))
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n)).slice(0, max).map((x) => x.n);
}

function nearestHint(dir: string, wanted: string): string {
  if (!isDirectory(dir)) {
    const parent = dirname(dir);
    const near = nearestFiles(parent, basename(dir));
    return ` (folder ${dir} does not exist${near.length ? `; nearest in ${parent}: ${near.join(', ')}` : ''})`;
  }
  const near = nearestFiles(dir, wanted);
  return near.length ? ` (nearest existing in ${dir}: ${near.join(', ')})` : ` (${dir} is empty)`;
}

/** Message for a single volume file that does not exist: what exists nearby, and the accepted forms. */
export function missingFileMessage(path: string): string {
  return `${path}: no such file${nearestHint(dirname(path), basename(path))}; accepted inputs are ${ACCEPTED_INPUT_FORMS}`;
}
