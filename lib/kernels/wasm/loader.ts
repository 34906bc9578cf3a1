// Loads the WebAssembly kernels (compiled from ./assembly by `asc` during `npm run build` into
// kernels.wasm beside this file) once per thread, and hands out their linear memory as a bump arena
// that grows when a chunk needs more and is reused by the next one (no per-chunk allocation).
//
// The JavaScript kernels stay the fallback, with byte-identical results (tested both ways):
//   CLEARMAP_WASM=0   always use JavaScript
//   missing SIMD      (WebAssembly.validate fails) JavaScript, silently
//   missing file      JavaScript, with one warning (a build without tools/build-wasm.js)
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

/** The exports of assembly/index.ts. Pointers and sizes are byte offsets / counts in `memory`. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  erodeU16(src: number, dst: number, X: number, Y: number, invert: number, plan: number, nChords: number, nLengths: number,
    dyMin: number, R: number, off: number, W: number, Lmax: number, ring: number, pow: number, ptrs: number): void;
  subU16(dst: number, a: number, b: number, n: number): void;
  separablePlane(P: number, X: number, Y: number, zp: number, zw: number, sz: number, yTab: number, yw: number, sy: number,
    xTab: number, xw: number, sx: number, flags: number, bz: number, by: number, bx: number, pad: number, taps: number): number;
  dogStore(out: number, a: number, b: number, n: number): void;
  clipStore(out: number, a: number, n: number): void;
  reconstruct26(J: number, I: number, X: number, Y: number, Z: number, next: number, queued: number, heads: number, tails: number,
    col: number, colA: number, offs: number): void;
  hmaxSeed(J: number, I: number, n: number, h: number, min: number, flatAtMin: number): void;
  maxPlaneXY(v: number, xy: number, X: number, Y: number, sx: number, sy: number, row: number, tmp: number): void;
  maxMaskZ(v: number, planes: number, n: number, mask: number, P: number): void;
  hasNaN(p: number, n: number): number;
  watershedU16(image: number, markers: number, mask: number, out: number, X: number, Y: number, Z: number, K: number,
    offs: number, ndx: number, ndy: number, ndz: number, descending: number, next: number, heads: number, tails: number, bits0: number, bits1: number): void;
}

export interface WasmKernels {
  exports: KernelExports;
  /**
   * Lay out `sizes` (bytes each) in the memory, 16-byte aligned with 64 bytes of slack after each
   * (SIMD loops may run past the end), growing the memory if needed; returns their offsets, or null
   * when they do not fit a 32-bit memory (or the memory cannot grow): the caller then uses the
   * JavaScript kernel. The layout is valid until the next call (one kernel call at a time per thread).
   */
  arena(sizes: number[]): number[] | null;
  /** The memory's current buffer (re-read after arena(), which may grow it). */
  bytes(): ArrayBuffer;
}

let loaded: WasmKernels | null | undefined;
let override: boolean | undefined;

/** Tests: force the JavaScript (false) or WebAssembly (true) path; undefined restores the default. */
export function setWasmEnabled(on: boolean | undefined): void {
  override = on;
}

function enabled(): boolean {
  if (override !== undefined) return override;
  const v = process.env.CLEARMAP_WASM;
  return !(v === '0' || v === 'false' || v === 'off');
}

function load(): WasmKernels | null {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(readFileSync(new URL('./kernels.wasm', import.meta.url)));
  } catch {
    process.emitWarning('kernels.wasm not found beside the compiled loader (run `npm run build`): using the JavaScript kernels', { code: 'CLEARMAP_NO_WASM' });
    return null;
  }
  if (!WebAssembly.validate(bytes)) return null; // e.g. no SIMD in this engine
  // Optimised code from the first call: V8 compiles WebAssembly with its baseline compiler (Liftoff)
  // first and tiers up hot functions for later calls only (no on-stack replacement), so each kernel's
  // first call — one long call per chunk — ran baseline code: a worker's first h-max 1.6x slower.
  // The module is small (~7 KB), so optimising all of it eagerly costs milliseconds. The flags are
  // process-wide: restored to V8's defaults at once, so other modules (elastix's 16 MB) still compile
  // lazily and with the baseline compiler first.
  setFlagsFromString('--no-liftoff');
  setFlagsFromString('--no-wasm-lazy-compilation');
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes);
  } finally {
    setFlagsFromString('--liftoff');
    setFlagsFromString('--wasm-lazy-compilation');
  }
  const instance = new WebAssembly.Instance(module, {});
  const exports = instance.exports as unknown as KernelExports;
  const base = exports.heapBase();
  const memory = exports.memory;
  return {
    exports,
    arena(sizes) {
      const offsets: number[] = [];
      let at = base;
      for (const s of sizes) {
        offsets.push(at);
        at += Math.ceil((s + 64) / 16) * 16;
      }
      const have = memory.buffer.byteLength;
      if (at > have) {
        if (at > 4 * 2 ** 30 - 65536) return null; // more than a 32-bit memory holds
        try {
          memory.grow(Math.ceil((at - have) / 65536));
        } catch {
          return null;
        }
      }
      return offsets;
    },
    bytes: () => memory.buffer as ArrayBuffer,
  };
}

/** The kernels of this thread, or null when the JavaScript path is to be used. */
export function wasmKernels(): WasmKernels | null {
  if (!enabled()) return null;
  if (loaded === undefined) loaded = load();
  return loaded;
}
