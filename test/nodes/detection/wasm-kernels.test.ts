// The WebAssembly (SIMD) kernels against their JavaScript fallback: the same bytes, kernel by kernel
// on random data with awkward shapes, and for the whole detection chain (whose JavaScript path the
// parity tests hold to ClearMap's stored results and to tools/detection/reference.py).
import test from 'ava';
import { existsSync } from 'node:fs';
import { makeVolume, sliceZ, type Shape3, type Volume } from '../../../engine/data/volume.js';
import { removeBackground } from '../../../nodes/detection/lib/background.js';
import { filterDoG, filterLinear } from '../../../nodes/detection/lib/filters.js';
import { detectCellsInVolume } from '../../../nodes/detection/detect/kernel.js';
import { resolveDetectParams } from '../../../nodes/detection/lib/params.js';
import { localMaxima } from '../../../lib/kernels/maxima.js';
import { diskElement } from '../../../lib/kernels/morphology2d.js';
import { hMaxTransform, reconstructByDilation } from '../../../lib/kernels/reconstruction.js';
import { seededWatershed } from '../../../lib/kernels/watershed.js';
import { setWasmEnabled, wasmKernels } from '../../../lib/kernels/wasm/loader.js';
import { localMaximaWasm } from '../../../lib/kernels/wasm/maxima.js';
import { removeBackgroundU16 } from '../../../lib/kernels/wasm/morphology.js';
import { rng, syntheticNuclei } from '../../../tools/detection/synthetic-nuclei.js';
import { readTiffStack } from '../../../tools/detection/tiff-stack.js';
import { CELLFINDER_PLANES } from '../../shared-data.js';

/** f under the JavaScript kernels and under the WebAssembly ones (tests here are synchronous: no interleaving). */
function bothWays<T>(f: () => T): { js: T; wasm: T } {
  try {
    setWasmEnabled(false);
    const js = f();
    setWasmEnabled(true);
    const wasm = f();
    return { js, wasm };
  } finally {
    setWasmEnabled(undefined);
  }
}

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function randomU16(shape: Shape3, seed: number): Volume {
  const r = rng(seed);
  const data = new Uint16Array(shape[0] * shape[1] * shape[2]);
  // saturated pixels, a low noisy floor and full-range values: extremes and ties both occur
  for (let i = 0; i < data.length; i++) { const u = r(); data[i] = u < 0.05 ? 65535 : u < 0.1 ? 0 : Math.floor(r() * (u < 0.5 ? 65536 : 300)); }
  return makeVolume(data, shape);
}

test('the WebAssembly kernels load on this Node (SIMD), unless CLEARMAP_WASM=0', (t) => {
  setWasmEnabled(true);
  try {
    const k = wasmKernels();
    t.not(k, null, 'kernels.wasm missing or not valid here: `npm run build` compiles it with asc');
    t.is(k!.arena([5 * 2 ** 30]), null, 'more than a 32-bit memory: null, and the callers use JavaScript');
  } finally {
    setWasmEnabled(undefined);
  }
  setWasmEnabled(false);
  try {
    t.is(wasmKernels(), null);
    const se = diskElement(5, 5);
    t.false(removeBackgroundU16(new Uint16Array(25), 5, 5, 1, se, new Uint16Array(25)), 'the JavaScript path is taken when off');
  } finally {
    setWasmEnabled(undefined);
  }
});

test('background removal (disk opening): WebAssembly = JavaScript, byte for byte, on odd/even/oversized disks and tiny planes', (t) => {
  let cases = 0;
  const shapes: Shape3[] = [[1, 1, 1], [3, 2, 2], [7, 9, 1], [8, 8, 2], [9, 17, 1], [31, 5, 2], [100, 3, 1], [13, 40, 1], [67, 51, 3]];
  const sizes: Array<[number, number]> = [[2, 2], [3, 3], [4, 7], [7, 3], [6, 9], [17, 17], [40, 40]];
  for (const [k, shape] of shapes.entries()) for (const size of sizes) {
    const v = randomU16(shape, 100 + k);
    setWasmEnabled(true);
    const used = removeBackgroundU16(v.data as Uint16Array, shape[0], shape[1], shape[2], diskElement(...size), new Uint16Array(v.data.length));
    t.true(used, `the WebAssembly path runs for [${shape}] with disk [${size}]`);
    const { js, wasm } = bothWays(() => removeBackground(v, size).data);
    t.is(firstDifference(js, wasm), -1, `shape [${shape}], disk [${size}]`);
    cases++;
  }
  setWasmEnabled(undefined);
  t.is(cases, shapes.length * sizes.length);
});

test('DoG, Gaussian and mean filters: WebAssembly = JavaScript, bit for bit (odd/even kernels, stacks thinner than the kernel, float input with NaN/Infinity)', (t) => {
  const r = rng(7);
  const floats = (shape: Shape3) => {
    const d = new Float32Array(shape[0] * shape[1] * shape[2]);
    for (let i = 0; i < d.length; i++) { const u = r(); d[i] = u < 0.01 ? NaN : u < 0.02 ? Infinity : (r() - 0.3) * 1000; }
    return makeVolume(d, shape);
  };
  let cases = 0;
  for (const [k, shape] of ([[1, 1, 1], [7, 3, 2], [33, 17, 5], [16, 9, 12], [40, 31, 3]] as Shape3[]).entries()) {
    for (const v of [randomU16(shape, 200 + k), floats(shape)]) {
      for (const size of [[5, 4, 3], [11, 11, 7], [2, 3, 1], [1, 1, 4]] as Array<[number, number, number]>) {
        const runs: Array<[string, () => Float32Array]> = [
          ['dog', () => filterDoG(v, size).data],
          ['gaussian', () => filterLinear(v, 'gaussian', size).data],
          ['mean', () => filterLinear(v, 'mean', size).data],
        ];
        for (const [name, f] of runs) {
          const { js, wasm } = bothWays(f);
          t.is(firstDifference(js, wasm), -1, `${name} [${size}] on ${v.dtype} [${shape}]`);
          cases++;
        }
      }
    }
  }
  t.is(cases, 5 * 2 * 4 * 3);
});

test('h-max transform and 26-connected reconstruction: WebAssembly = JavaScript, bit for bit (plateaus, flat minimum, NaN)', (t) => {
  const r = rng(11);
  let cases = 0;
  for (const [k, shape] of ([[1, 1, 1], [5, 1, 1], [9, 7, 3], [31, 17, 6], [64, 48, 10]] as Shape3[]).entries()) {
    const n = shape[0] * shape[1] * shape[2];
    // quantised values make plateaus; a clipped floor of zeros makes the flat-minimum shortcut apply
    const img = new Float32Array(n);
    for (let i = 0; i < n; i++) { const u = r(); img[i] = u < 0.4 ? 0 : Math.round(r() * 40) / (k % 2 ? 4 : 1); }
    const withNaN = Float32Array.from(img, (v, i) => (i % 97 === 5 ? NaN : v));
    for (const [im, h] of [[img, 3], [img, 0.25], [img, 100], [withNaN, 2]] as Array<[Float32Array, number]>) {
      const { js, wasm } = bothWays(() => hMaxTransform(im, shape, h));
      t.is(firstDifference(js, wasm), -1, `h-max ${h} on [${shape}]`);
      cases++;
    }
    const seed = Float32Array.from(img, (v) => (r() < 0.05 ? v : Math.min(v, r() * 10)));
    const { js, wasm } = bothWays(() => reconstructByDilation(seed, img, shape, 26));
    t.is(firstDifference(js, wasm), -1, `reconstruction on [${shape}]`);
    cases++;
  }
  t.is(cases, 25);
});

test('local maxima (box maximum filter == value): WebAssembly = JavaScript on plateaus, odd widths and even boxes; NaN falls back', (t) => {
  const r = rng(13);
  let cases = 0;
  for (const shape of [[1, 1, 1], [5, 1, 1], [7, 9, 3], [33, 17, 6], [16, 16, 16]] as Shape3[]) {
    const n = shape[0] * shape[1] * shape[2];
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) { const u = r(); v[i] = u < 0.3 ? (u < 0.05 ? -0 : 0) : Math.round(r() * 50) * (u > 0.99 ? -1 : 1); }
    for (const size of [[5, 5, 5], [3, 3, 3], [1, 1, 1], [7, 3, 2], [4, 4, 4]] as Array<[number, number, number]>) {
      setWasmEnabled(true);
      t.not(localMaximaWasm(v, shape, size), null, 'the WebAssembly path runs');
      const { js, wasm } = bothWays(() => localMaxima(v, shape, size));
      t.is(firstDifference(js, wasm), -1, `box [${size}] on [${shape}]`);
      cases++;
    }
    const withNaN = Float32Array.from(v, (x, i) => (i === n >> 1 ? NaN : x));
    setWasmEnabled(true);
    t.is(localMaximaWasm(withNaN, shape, [3, 3, 3]), null, 'NaN: the JavaScript path decides');
    setWasmEnabled(undefined);
  }
  t.is(cases, 25);
});

test('seeded watershed of uint16 images: WebAssembly = JavaScript labels (plateaus, mask, 6/26-connected, both directions)', (t) => {
  const r = rng(17);
  let cases = 0;
  for (const shape of [[1, 1, 1], [6, 1, 1], [9, 7, 3], [31, 17, 6], [40, 40, 12]] as Shape3[]) {
    const n = shape[0] * shape[1] * shape[2];
    const img = new Uint16Array(n), markers = new Int32Array(n), mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      img[i] = r() < 0.5 ? Math.floor(r() * 8) : Math.floor(r() * 65536); // many ties
      if (r() < 0.02) markers[i] = 1 + Math.floor(r() * 20);
      mask[i] = r() < 0.8 ? 1 : 0;
    }
    for (const m of [null, mask]) for (const conn of [6, 26] as const) for (const desc of [true, false]) {
      const { js, wasm } = bothWays(() => seededWatershed(img, markers, m, shape, conn, desc));
      t.is(firstDifference(js, wasm), -1, `[${shape}] mask ${m !== null} ${conn}-connected descending ${desc}`);
      cases++;
    }
  }
  t.is(cases, 40);
});

function sameDetection(t: import('ava').ExecutionContext, stack: Volume, params: Record<string, unknown>) {
  const { js, wasm } = bothWays(() => detectCellsInVolume(stack, resolveDetectParams(params), null, 0));
  t.true(js.coords.length > 0, 'cells found');
  t.is(firstDifference(js.coords, wasm.coords), -1, 'cell positions');
  for (const c of Object.keys(js.columns)) t.is(firstDifference(js.columns[c], wasm.columns[c]), -1, `column ${c}`);
  for (const s of ['background', 'dog'] as const) t.is(firstDifference(js.stages[s].data, wasm.stages[s].data), -1, `stage ${s}`);
}

test('detection chain (tutorial parameters, h-max): the same bytes with and without WebAssembly', (t) => {
  const s = syntheticNuclei({ shape: [96, 80, 20], cells: 40, seed: 5, gain: 2, readNoise: 20 });
  sameDetection(t, s.volume, {
    removeBackgroundParameter: { size: [17, 17] },
    filterDoGParameter: { size: [11, 11, 7] },
    findExtendedMaximaParameter: { hMax: 20, size: 5, threshold: 20 },
    detectCellShapeParameter: { threshold: 150 },
  });
});

test('detection chain on the real cellfinder crop: the same bytes with and without WebAssembly', async (t) => {
  const dir = `${CELLFINDER_PLANES}/ch0`;
  if (!existsSync(dir)) return t.fail(`real data missing: ${dir}`);
  const stack = sliceZ(await readTiffStack(dir), 0, 6);
  sameDetection(t, stack, {
    removeBackgroundParameter: { size: [15, 15] },
    filterDoGParameter: { size: [7, 7, 3] },
    findExtendedMaximaParameter: { hMax: null, size: 5, threshold: 30 },
    detectCellShapeParameter: { threshold: 200 },
  });
});
