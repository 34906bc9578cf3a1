// Per-plane file lists named by a regular expression in the file-name part of a path, as ClearMap's
// FileList does: `/data/ch0/ch00\d{3}.tif`, `Z\d{4}.ome.tif`, `img\d{}.tif`, `img\d+.tif`.
// The first digit placeholder is the plane number; files are sorted by it and must be consecutive.
// Deviation from ClearMap: the expression must match the whole file name (ClearMap uses re.search,
// which would also pick up e.g. `ch00012.tif.bak`).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const DIGIT_TOKEN = /\\d(\{\d*\}|\+|\*)?/;

/** True when `path` names no existing file and its file-name part contains a `\d` placeholder. */
export function isFilePattern(path: string): boolean {
  return DIGIT_TOKEN.test(basename(path)) && !existsSync(path);
}

export interface PatternFile { path: string; number: number }

function compilePattern(pattern: string): RegExp {
  const name = basename(pattern);
  const m = DIGIT_TOKEN.exec(name);
  if (!m) throw new Error(`file pattern ${pattern}: the file name needs a digit placeholder such as \\d{4}`);
  let token = m[0];
  if (token === '\\d{}' || token === '\\d*') token = '\\d+'; // ClearMap: any number of digits
  const source = name.slice(0, m.index) + `(${token})` + name.slice(m.index + m[0].length);
  try {
    return new RegExp(`^(?:${source})$`);
  } catch (e) {
    throw new Error(`file pattern ${pattern}: invalid regular expression (${(e as Error).message})`);
  }
}

/** The files matching `pattern`, sorted by plane number; throws on no match, duplicates or gaps. */
export function listPatternFiles(pattern: string): PatternFile[] {
  const dir = dirname(pattern);
  const re = compilePattern(pattern);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new Error(`file pattern ${pattern}: cannot list directory ${dir} (${(e as Error).message})`);
  }
  const files: PatternFile[] = [];
  for (const name of names) {
    const m = re.exec(name);
    if (m && statSync(join(dir, name)).isFile()) files.push({ path: join(dir, name), number: Number(m[1]) });
  }
  if (files.length === 0) throw new Error(`file pattern ${pattern}: no file in ${dir} matches ${basename(pattern)}`);
  files.sort((a, b) => a.number - b.number);
  for (let i = 1; i < files.length; i++) {
    const prev = files[i - 1], cur = files[i];
    if (cur.number === prev.number) throw new Error(`file pattern ${pattern}: ${prev.path} and ${cur.path} both have plane number ${cur.number}`);
    if (cur.number !== prev.number + 1) {
      const missing = cur.number - prev.number === 2 ? `number ${prev.number + 1} is` : `numbers ${prev.number + 1}..${cur.number - 1} are`;
      throw new Error(`file pattern ${pattern}: gap in the plane numbering after ${prev.path}: ${missing} missing before ${cur.path} (plane ${i})`);
    }
  }
  return files;
}

/** Every existing file whose name matches the pattern (no numbering checks; for cleaning up). */
export function matchingFiles(pattern: string): string[] {
  const dir = dirname(pattern);
  const re = compilePattern(pattern);
  let names: string[];
  try { names = readdirSync(dir); } catch { return []; }
  return names.filter((n) => re.test(n)).map((n) => join(dir, n));
}

/** File name for plane `z` of a pattern (for writing): the placeholder becomes z, zero-padded to \d{n}. */
export function patternFileName(pattern: string, z: number): string {
  const name = basename(pattern);
  const m = DIGIT_TOKEN.exec(name);
  if (!m) throw new Error(`file pattern ${pattern}: the file name needs a digit placeholder such as \\d{4}`);
  const width = /^\\d\{(\d+)\}$/.exec(m[0]);
  const digits = width ? String(z).padStart(Number(width[1]), '0') : String(z);
  if (width && digits.length > Number(width[1])) throw new Error(`file pattern ${pattern}: plane ${z} needs more than ${width[1]} digits`);
  // the rest of the name is a regex; writing needs it literal, so only unescape `\.`
  const rest = (s: string) => s.replace(/\\(.)/g, '$1');
  return join(dirname(pattern), rest(name.slice(0, m.index)) + digits + rest(name.slice(m.index + m[0].length)));
}
