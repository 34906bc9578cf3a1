// Runs in the engine's worker threads: one ilastik headless run per chunk.
//   slab -> <tmp>/input.npy (z, y, x) -> run_ilastik.sh --headless ... -> <tmp>/probabilities.npy
//   (z, y, x, c) -> cell-class mask -> connected components -> centres (global [x, y, z]).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readNpy, writeNpy, type ChunkGeometry, type Points, type Volume } from 'clearmap-ts';
import { cellsFromMask } from 'clearmap-ts/kernels';
import type { IlastikCellsParams, IlastikPixelsParams } from './params.js';


const STDERR_KEEP = 4000;

/** The ilastik launcher: params.ilastik, else $ILASTIK_PATH; a folder means its run_ilastik.sh (ClearMap's IlastikPath). */
export function resolveIlastik(param: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const given = param ?? env.ILASTIK_PATH;
  const from = param !== undefined ? 'params.ilastik' : 'environment variable ILASTIK_PATH';
  if (!given) {
    throw new Error('ilastik is not configured: set params.ilastik or the environment variable ILASTIK_PATH to ilastik\'s run_ilastik.sh (or to the ilastik folder that contains it)');
  }
  let exe = resolve(given);
  if (existsSync(exe) && statSync(exe).isDirectory()) exe = join(exe, 'run_ilastik.sh');
  if (!existsSync(exe)) throw new Error(`ilastik not found: '${exe}' (from ${from}) does not exist; set params.ilastik or ILASTIK_PATH to ilastik's run_ilastik.sh`);
  return exe;
}

/** The argument array of one headless run (never a shell string). */
export function ilastikArgs(p: IlastikPixelsParams, input: string, output: string): string[] {
  return [
    '--headless',
    `--project=${resolve(p.project)}`,
    ...(p.readonly ? ['--readonly'] : []),
    '--export_source=Probabilities',
    '--output_format=numpy',
    `--output_filename_format=${output}`,
    '--input_axes=zyx',
    ...p.extraArgs,
    input,
  ];
}

function run(exe: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    let stderr = '';
    const child = spawn(exe, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => { stderr = (stderr + s).slice(-STDERR_KEEP); });
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(new Error(`cannot start ilastik '${exe}' (params.ilastik / ILASTIK_PATH): ${e.code === 'EACCES' ? 'permission denied (is it executable?)' : e.message}`));
    });
    child.on('close', (code, signal) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`ilastik '${exe}' (params.ilastik / ILASTIK_PATH) failed with ${signal ? `signal ${signal}` : `exit code ${code}`}; stderr: ${stderr.trim() ? JSON.stringify(stderr.trim()) : '(empty)'}`));
    });
  });
}

/** One headless run on a slab: the (z, y, x, C) probabilities (C channels), as read from ilastik's .npy. */
export async function classifySlab(slab: Volume, p: IlastikPixelsParams): Promise<{ data: ArrayLike<number>; channels: number }> {
  const exe = resolveIlastik(p.ilastik);
  if (!existsSync(resolve(p.project))) {
    throw new Error(`params.project: ilastik project '${p.project}' does not exist`);
  }
  const [X, Y, Z] = slab.shape;
  const dir = mkdtempSync(join(p.tempDir ?? tmpdir(), 'clearmap-ilastik-'));
  try {
    const input = join(dir, 'input.npy');
    const output = join(dir, 'probabilities.npy');
    if (p.rescale !== null) {
      // ClearMap's rescaleToIlastik: value * rescale, clipped to 255, as uint8
      const u8 = new Uint8Array(slab.data.length);
      for (let i = 0; i < u8.length; i++) u8[i] = Math.max(0, Math.min(255, Math.floor(slab.data[i] * p.rescale)));
      writeNpy(input, u8, [Z, Y, X]);
    } else {
      writeNpy(input, slab.data, [Z, Y, X]);
    }
    const env = { ...process.env };
    if (p.threads !== null) env.LAZYFLOW_THREADS = String(p.threads);
    await run(exe, ilastikArgs(p, input, output), env);
    if (!existsSync(output)) throw new Error(`ilastik '${exe}' exited without writing ${output} (check params.project: does it hold a trained pixel classification?)`);
    const probs = readNpy(output);
    const s = probs.shape;
    if (s.length < 3 || s.length > 4 || s[0] !== Z || s[1] !== Y || s[2] !== X) {
      throw new Error(`ilastik output ${output} has shape (${s.join(', ')}), expected (${Z}, ${Y}, ${X}, classes) for input (z, y, x)`);
    }
    const channels = s.length === 4 ? s[3] : 1;
    if (p.cellClass >= channels) throw new Error(`params.cellClass: ${p.cellClass} but the ilastik project exports ${channels} class channel(s)`);
    return { data: probs.data, channels };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function ilastikCells(slab: Volume, g: ChunkGeometry, p: IlastikCellsParams): Promise<Points> {
  const { data: d, channels: C } = await classifySlab(slab, p);
  const prob = (i: number) => d[i * C + p.cellClass];
  const isCell = p.threshold !== null
    ? (i: number) => d[i * C + p.cellClass] > p.threshold!
    : (i: number) => {
      // argmax over classes (first maximum wins, as numpy.argmax)
      let best = 0;
      for (let c = 1; c < C; c++) if (d[i * C + c] > d[i * C + best]) best = c;
      return best === p.cellClass;
    };
  const R = p.featureOverlap;
  const Z = slab.shape[2];
  return cellsFromMask(slab, isCell, prob, {
    v0: slab.origin[2] > 0 ? R : 0,
    v1: slab.origin[2] + Z < g.depth ? Z - R : Z,
    depth: g.depth,
    maxExtent: p.maxCellExtent,
    minSize: p.minSize,
    maxSize: p.maxSize,
  });
}

/** The cellClass probability of every voxel of the slab, as a float32 volume (ClearMap's classifyPixel). */
export async function ilastikProbabilities(slab: Volume, _g: ChunkGeometry, p: IlastikPixelsParams): Promise<Volume> {
  const { data, channels } = await classifySlab(slab, p);
  const out = new Float32Array(slab.data.length);
  for (let i = 0; i < out.length; i++) out[i] = data[i * channels + p.cellClass];
  return { ...slab, data: out, dtype: 'float32' };
}
