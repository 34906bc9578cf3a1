// Native elastix / transformix runner (ClearMap 0.9.2's Alignment/Elastix.py, without the shell).
// Conventions, as in ClearMap:
//  - elastix finds T: fixed -> moving. ClearMap registers with fixed = the sample (resampled
//    autofluorescence) and moving = the atlas, so transformix on *points* maps sample -> atlas, which
//    is how cells reach atlas space; transformix on an *image* resamples a moving-frame image (e.g.
//    the atlas annotation) onto the fixed grid.
//  - images are written with spacing 1 and offset 0, so elastix coordinates are voxel coordinates.
// Deviation: ClearMap writes point files with the header 'index', which transformix rounds to whole
// voxels; we write 'point' (same numbers, since spacing is 1) so sub-voxel positions survive, and read
// the 'OutputPoint' column as ClearMap's transformPoints(indices=False) does.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, accessSync, constants } from 'node:fs';
import { basename, delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Volume } from '../../../engine/data/volume.js';
import { writeMhdHeader } from '../../../engine/data/raw-volume.js';
import { openVolume } from '../../io/lib/formats.js';
import { readVolumeRegion } from '../../io/lib/read-region.js';

export interface ElastixBinaries { elastix: string; transformix: string }

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * Locate elastix and transformix: $ELASTIX_PATH (a directory holding the binaries or a bin/ with
 * them, as ClearMap's ElastixPath), then /usr/bin (Debian package `elastix`), then $PATH.
 */
export function findElastix(env: NodeJS.ProcessEnv = process.env): ElastixBinaries {
  const dirs: string[] = [];
  if (env.ELASTIX_PATH) dirs.push(env.ELASTIX_PATH, join(env.ELASTIX_PATH, 'bin'));
  dirs.push('/usr/bin', ...(env.PATH ?? '').split(delimiter).filter(Boolean));
  for (const d of dirs) {
    const e = join(d, 'elastix'), t = join(d, 'transformix');
    if (isExecutable(e) && isExecutable(t)) return { elastix: e, transformix: t };
  }
  const where = env.ELASTIX_PATH ? `ELASTIX_PATH=${env.ELASTIX_PATH}, /usr/bin or PATH` : '/usr/bin or PATH (set ELASTIX_PATH to its directory)';
  throw new Error(`elastix and transformix were not found in ${where}; install the Debian package 'elastix' (apt-get install elastix)`);
}

/** Directory of the parameter files shipped with this package (tsc does not copy them to dist/). */
export function shippedParamsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'nodes', 'alignment', 'lib', 'elastix-params');
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot locate the package root (package.json) above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

export function shippedParameterFiles(): string[] {
  return readdirSync(shippedParamsDir()).filter((f) => f.endsWith('.txt')).sort();
}

/**
 * Resolve a `parameterFiles` entry: a shipped file name (with or without .txt), or a path relative to
 * `baseDir`. `param` names the entry in errors.
 */
export function resolveParameterFile(entry: unknown, baseDir: string, param: string): string {
  if (typeof entry !== 'string' || entry.length === 0) throw new Error(`${param}: expected a parameter file name or path, got ${JSON.stringify(entry)}`);
  const shipped = join(shippedParamsDir(), entry.endsWith('.txt') ? entry : `${entry}.txt`);
  if (!entry.includes('/') && existsSync(shipped)) return shipped;
  const p = isAbsolute(entry) ? entry : resolve(baseDir, entry);
  if (existsSync(p) && statSync(p).isFile()) return p;
  throw new Error(`${param}: elastix parameter file '${entry}' not found (looked for ${p}); shipped files: ${shippedParameterFiles().join(', ')}`);
}

/** Parameters of an elastix parameter file: `(Name value ...)` lines, values unquoted. */
export function parseParameterFile(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    const m = /^\((\w+)\s*(.*)\)$/.exec(line);
    if (!m) continue;
    const values = [...m[2].matchAll(/"([^"]*)"|(\S+)/g)].map((v) => v[1] ?? v[2]);
    out.set(m[1], values);
  }
  return out;
}

/** Replace (or append) `(Name value)` in parameter-file text. `value` is written as given (quote strings yourself). */
export function setParameter(text: string, name: string, value: string): string {
  const re = new RegExp(`^\\s*\\(${name}\\s[^)]*\\)\\s*$`, 'm');
  const line = `(${name} ${value})`;
  return re.test(text) ? text.replace(re, line) : `${text.replace(/\s*$/, '')}\n${line}\n`;
}

export interface ProcessResult { code: number | null; signal: NodeJS.Signals | null; output: string }

/** Run a binary with an argument array (never a shell); keeps the last 64 KB of stdout+stderr, and hands stdout to `onOutput` as it comes. */
export function runProcess(bin: string, args: string[], opts: { cwd?: string; signal?: AbortSignal; onOutput?: (text: string) => void } = {}): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], signal: opts.signal });
    let output = '';
    const keep = (b: Buffer) => { output = (output + b.toString('utf8')).slice(-65536); };
    if (opts.onOutput) child.stdout.on('data', (b: Buffer) => opts.onOutput!(b.toString('utf8')));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => reject(new Error(e.name === 'AbortError' ? `${bin} was cancelled` : `could not run ${bin}: ${e.message}`)));
    child.on('close', (code, signal) => resolvePromise({ code, signal, output }));
  });
}

const LOG_PATTERN = /error|exception|too many samples|description|could not|cannot|not found|failed|unknown|invalid|mismatch/i;

/** The lines of a log that explain a failure (elastix prints the itk exception's Description). */
export function relevantLogLines(text: string, max = 15): string[] {
  const lines = text.split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l.trim().length > 0);
  const hits = lines.filter((l) => LOG_PATTERN.test(l));
  const chosen = hits.length ? hits : lines.slice(-max);
  return chosen.slice(0, max);
}

/** "<log file> says: <the relevant lines>" (falls back to the process output when there is no log). */
function quoteLog(logFile: string, r: ProcessResult): string {
  const hasLog = existsSync(logFile);
  const lines = relevantLogLines(hasLog ? readFileSync(logFile, 'utf8') : r.output);
  return `${hasLog ? logFile : 'its output'} says:\n  ${lines.join('\n  ')}`;
}

function failure(what: string, logFile: string, r: ProcessResult): Error {
  const status = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.code}`;
  return new Error(`${what} ${status}; ${quoteLog(logFile, r)}`);
}

function checkDimension(file: string, param: string): void {
  const p = parseParameterFile(readFileSync(file, 'utf8'));
  for (const k of ['FixedImageDimension', 'MovingImageDimension']) {
    const v = p.get(k)?.[0];
    if (v !== undefined && v !== '3') throw new Error(`${param}: ${file} sets (${k} ${v}) but the volumes are 3-d; use a 3-d parameter file`);
  }
}

export interface ElastixRun {
  /** MHD files of the fixed and moving image. */
  fixed: string;
  moving: string;
  /** Parameter files, applied in order (e.g. affine then B-spline). */
  parameterFiles: string[];
  /** Parameter names for messages, one per file (e.g. "parameterFiles[1]"). */
  parameterNames?: string[];
  outDir: string;
  threads: number;
  /** Seed written into each parameter file copy that sets none, so runs are reproducible. */
  randomSeed?: number;
  fixedMask?: string;
  signal?: AbortSignal;
  binaries?: ElastixBinaries;
  /** Called as elastix reports iterations (parsed from its log on stdout). */
  onProgress?: (p: ElastixProgressState) => void;
}

export interface ElastixProgressState {
  /** Iterations done, over all parameter files and resolutions, and the planned total. */
  done: number;
  total: number;
  /** 0-based parameter file and resolution being run (-1 before the first). */
  file: number;
  resolution: number;
  /** Set when a new resolution starts: "parameter file 1/2 (affine.txt), resolution 2/3". */
  started?: string;
}

/**
 * elastix's progress from its log (the text it prints on stdout and into elastix.log): "Running
 * elastix with parameter file N", "Resolution: R", then one line per iteration ("<ItNr>\t<metric>…"),
 * against the plan read from the parameter files (NumberOfResolutions × MaximumNumberOfIterations,
 * which may be given per resolution). Feed it text in any chunks.
 */
export class ElastixProgress {
  readonly plan: number[][];
  readonly total: number;
  private file = -1;
  private resolution = -1;
  private iteration = -1;
  private partial = '';
  constructor(parameterFiles: string[], private readonly names = parameterFiles.map((f) => basename(f))) {
    this.plan = parameterFiles.map((f) => {
      const p = parseParameterFile(readFileSync(f, 'utf8'));
      const resolutions = Math.max(1, Number(p.get('NumberOfResolutions')?.[0] ?? 1) || 1);
      const iters = p.get('MaximumNumberOfIterations') ?? ['500'];
      return Array.from({ length: resolutions }, (_, r) => Math.max(1, Number(iters[Math.min(r, iters.length - 1)]) || 1));
    });
    this.total = this.plan.flat().reduce((a, b) => a + b, 0);
  }
  private done(): number {
    let d = 0;
    for (let f = 0; f < this.file; f++) d += this.plan[f]?.reduce((a, b) => a + b, 0) ?? 0;
    const current = this.plan[this.file];
    if (current) {
      for (let r = 0; r < Math.min(this.resolution, current.length); r++) d += current[r];
      if (this.resolution >= 0 && this.resolution < current.length) d += Math.min(current[this.resolution], this.iteration + 1);
    }
    return Math.min(this.total, d);
  }
  /** Parse more log text; returns the states it moved through (the last one is the current). */
  feed(text: string): ElastixProgressState[] {
    const lines = (this.partial + text).split(/\r?\n/);
    this.partial = lines.pop() ?? '';
    const out: ElastixProgressState[] = [];
    for (const line of lines) {
      let started: string | undefined;
      const file = /^Running elastix with parameter file (\d+)/.exec(line);
      const res = /^Resolution: (\d+)/.exec(line);
      const it = /^(\d+)\t[-+\d.eE]/.exec(line);
      if (file && !/has finished/.test(line)) { this.file = Number(file[1]); this.resolution = -1; this.iteration = -1; }
      else if (res && this.file >= 0) {
        this.resolution = Number(res[1]); this.iteration = -1;
        const plan = this.plan[this.file];
        started = `parameter file ${this.file + 1}/${this.plan.length} (${this.names[this.file] ?? '?'}), resolution ${this.resolution + 1}/${plan?.length ?? '?'}`;
      } else if (it && this.resolution >= 0) this.iteration = Number(it[1]);
      else continue;
      out.push({ done: this.done(), total: this.total, file: this.file, resolution: this.resolution, ...(started ? { started } : {}) });
    }
    return out;
  }
}

/**
 * Run elastix. The parameter files are copied into `outDir/parameters/` (with a RandomSeed added when
 * absent) so the result directory records exactly what ran. Returns the TransformParameters files.
 */
export async function runElastix(run: ElastixRun): Promise<string[]> {
  const bins = run.binaries ?? findElastix();
  if (run.parameterFiles.length === 0) throw new Error('parameterFiles: at least one elastix parameter file is needed');
  for (const [name, f] of [['fixed', run.fixed], ['moving', run.moving]] as const) {
    if (!existsSync(f)) throw new Error(`elastix: ${name} image ${f} does not exist`);
  }
  const args = ['-f', run.fixed, '-m', run.moving, '-out', run.outDir, '-threads', String(Math.max(1, Math.floor(run.threads)))];
  if (run.fixedMask) args.push('-fMask', run.fixedMask);
  for (const copy of copyParameterFiles(run.parameterFiles, run.outDir, run.randomSeed, run.parameterNames)) args.push('-p', copy);
  const progress = run.onProgress ? new ElastixProgress(run.parameterFiles) : undefined;
  const r = await runProcess(bins.elastix, args, { signal: run.signal, onOutput: progress && ((text) => { for (const p of progress.feed(text)) run.onProgress!(p); }) });
  const log = join(run.outDir, 'elastix.log');
  if (r.code !== 0) throw failure(`elastix (${run.parameterFiles.map((f) => f.split('/').pop()).join(' + ')})`, log, r);
  const files = transformParameterFiles(run.outDir);
  if (files.length !== run.parameterFiles.length) {
    throw new Error(`elastix wrote ${files.length} TransformParameters files for ${run.parameterFiles.length} parameter files; ${quoteLog(log, r)}`);
  }
  return files;
}

/**
 * Write a volume as MetaImage for elastix/transformix: spacing 1 and offset 0, as ClearMap's images,
 * so elastix's physical coordinates are voxel coordinates and point files need no scaling.
 */
export function writeMhdForElastix(path: string, v: Volume): void {
  const raw = path.replace(/\.mhd$/i, '') + '.raw';
  writeFileSync(raw, new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength));
  writeMhdHeader(path, basename(raw), v.shape, v.dtype, [1, 1, 1]);
}

/** Read a MetaImage written by transformix (through the IO nodes' reader: byte order, offsets, types). */
export async function readMhdVolume(path: string): Promise<Volume> {
  return readVolumeRegion((await openVolume(path)).ref.args);
}

/**
 * Copy parameter files into `outDir/parameters/` (RandomSeed added where none is set), so a result
 * directory records exactly what ran, whichever elastix runs it. Returns the copies in order.
 */
export function copyParameterFiles(files: string[], outDir: string, randomSeed?: number, names?: string[]): string[] {
  mkdirSync(join(outDir, 'parameters'), { recursive: true });
  return files.map((file, i) => {
    const name = names?.[i] ?? `parameterFiles[${i}]`;
    if (!existsSync(file)) throw new Error(`${name}: elastix parameter file ${file} does not exist`);
    checkDimension(file, name);
    let text = readFileSync(file, 'utf8');
    if (randomSeed !== undefined && !parseParameterFile(text).has('RandomSeed')) text = setParameter(text, 'RandomSeed', String(randomSeed));
    const copy = join(outDir, 'parameters', `${i}-${file.split('/').pop()}`);
    writeFileSync(copy, text);
    return copy;
  });
}

/** TransformParameters.N.txt files of a result directory, in order. */
export function transformParameterFiles(dir: string): string[] {
  if (!existsSync(dir)) throw new Error(`transform directory ${dir} does not exist`);
  return readdirSync(dir)
    .filter((f) => /^TransformParameters\.\d+\.txt$/.test(f))
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
    .map((f) => join(dir, f));
}

/**
 * Copy a result directory's TransformParameters files into `dest`, pointing each file's
 * InitialTransformParametersFileName at the copy (ClearMap's setPathTransformParameterFiles, but on a
 * copy, so a cached transform is never modified and still works after being moved). `edit` may change
 * the last file (the one transformix is given). Returns the last file's path.
 */
export function prepareTransform(dir: string, dest: string, edit?: (text: string) => string): string {
  const files = transformParameterFiles(dir);
  if (files.length === 0) throw new Error(`transform directory ${dir} holds no TransformParameters.N.txt (is it an elastix result directory?)`);
  mkdirSync(dest, { recursive: true });
  let last = '';
  files.forEach((f, i) => {
    let text = readFileSync(f, 'utf8');
    text = text.replace(/\(InitialTransformParametersFileName\s+"([^"]*)"\)/, (all, p: string) =>
      p === 'NoInitialTransform' ? all : `(InitialTransformParametersFileName "${join(dest, p.split('/').pop()!)}")`);
    if (i === files.length - 1 && edit) text = edit(text);
    last = join(dest, f.split('/').pop()!);
    writeFileSync(last, text);
  });
  return last;
}

/**
 * Write a transformix point file: header, count, one "x y z" line per point. Header 'point' keeps
 * sub-voxel positions; 'index' (ClearMap's choice) makes transformix round each point to a voxel.
 */
export function writePointFile(path: string, coords: Float64Array, asIndices = false): void {
  const n = coords.length / 3;
  const lines = [asIndices ? 'index' : 'point', String(n)];
  for (let i = 0; i < n; i++) lines.push(`${coords[3 * i]} ${coords[3 * i + 1]} ${coords[3 * i + 2]}`);
  writeFileSync(path, lines.join('\n') + '\n');
}

/** Parse transformix's outputpoints.txt: the OutputPoint of each line, in input order. */
export function parseOutputPoints(text: string, expected: number, file: string): Float64Array {
  const out = new Float64Array(expected * 3);
  let k = 0;
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const m = /OutputPoint\s*=\s*\[\s*([^\]]+)\]/.exec(line);
    if (!m) throw new Error(`${file}: line ${k + 1} has no OutputPoint: ${line.slice(0, 120)}`);
    const v = m[1].trim().split(/\s+/).map(Number);
    if (v.length !== 3 || v.some((x) => !Number.isFinite(x))) throw new Error(`${file}: bad OutputPoint on line ${k + 1}: ${m[1]}`);
    if (k >= expected) throw new Error(`${file}: more output points than the ${expected} given`);
    out.set(v, 3 * k);
    k++;
  }
  if (k !== expected) throw new Error(`${file}: ${k} output points for ${expected} input points`);
  return out;
}

/** transformix -def: map points (voxel coordinates of the fixed image) through T (fixed -> moving). */
export async function transformixPoints(coords: Float64Array, transformDir: string, workDir: string, opts: { threads?: number; signal?: AbortSignal; binaries?: ElastixBinaries; asIndices?: boolean } = {}): Promise<Float64Array> {
  if (coords.length % 3 !== 0) throw new Error(`transform-points: points need 3 coordinates each, got ${coords.length} values`);
  const n = coords.length / 3;
  if (n === 0) return new Float64Array(0);
  const bins = opts.binaries ?? findElastix();
  mkdirSync(workDir, { recursive: true });
  const tp = prepareTransform(transformDir, join(workDir, 'transform'));
  const pointsFile = join(workDir, 'inputpoints.txt');
  writePointFile(pointsFile, coords, opts.asIndices);
  const out = join(workDir, 'out');
  mkdirSync(out, { recursive: true });
  const r = await runProcess(bins.transformix, ['-def', pointsFile, '-out', out, '-tp', tp, '-threads', String(Math.max(1, opts.threads ?? 1))], { signal: opts.signal });
  if (r.code !== 0) throw failure('transformix (points)', join(out, 'transformix.log'), r);
  const resultFile = join(out, 'outputpoints.txt');
  if (!existsSync(resultFile)) throw new Error(`transformix wrote no outputpoints.txt; ${quoteLog(join(out, 'transformix.log'), r)}`);
  return parseOutputPoints(readFileSync(resultFile, 'utf8'), n, resultFile);
}

/**
 * transformix -in: resample an image given in the moving frame onto the fixed grid. `interpolationOrder`
 * overrides FinalBSplineInterpolationOrder (0 for label images); `pixelType` sets ResultImagePixelType.
 * Returns the path of the result .mhd (uncompressed) inside `workDir/out`.
 */
export async function transformixImage(imageMhd: string, transformDir: string, workDir: string, opts: { interpolationOrder?: number; pixelType: string; threads?: number; signal?: AbortSignal; binaries?: ElastixBinaries }): Promise<string> {
  const bins = opts.binaries ?? findElastix();
  mkdirSync(workDir, { recursive: true });
  const tp = prepareTransform(transformDir, join(workDir, 'transform'), (text) => {
    let t = setParameter(text, 'ResultImagePixelType', `"${opts.pixelType}"`);
    t = setParameter(t, 'ResultImageFormat', '"mhd"');
    t = setParameter(t, 'CompressResultImage', '"false"');
    if (opts.interpolationOrder !== undefined) t = setParameter(t, 'FinalBSplineInterpolationOrder', String(opts.interpolationOrder));
    return t;
  });
  const out = join(workDir, 'out');
  mkdirSync(out, { recursive: true });
  const r = await runProcess(bins.transformix, ['-in', imageMhd, '-out', out, '-tp', tp, '-threads', String(Math.max(1, opts.threads ?? 1))], { signal: opts.signal });
  if (r.code !== 0) throw failure('transformix (image)', join(out, 'transformix.log'), r);
  const result = join(out, 'result.mhd');
  if (!existsSync(result)) throw new Error(`transformix wrote no result.mhd; ${quoteLog(join(out, 'transformix.log'), r)}`);
  return result;
}

/** Copy every regular file of `src` (not subdirectories) into `dest`. */
export function copyDirFiles(src: string, dest: string): void {
  mkdirSync(dest, { recursive: true });
  for (const f of readdirSync(src)) {
    const p = join(src, f);
    if (statSync(p).isFile()) copyFileSync(p, join(dest, f));
  }
}
