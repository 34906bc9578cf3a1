// Entry point of the WebAssembly kernels (AssemblyScript, compiled by `asc` in `npm run build` into
// dist/.../kernels/wasm/kernels.wasm). No runtime, no allocation: every function works on memory
// laid out by the loader (lib/kernels/wasm/loader.ts), which grows the memory when a chunk needs more.
export { erodeU16, subU16 } from './morphology';
export { separablePlane, dogStore, clipStore } from './correlate';
export { reconstruct26, hmaxSeed } from './reconstruction';
export { maxPlaneXY, maxMaskZ, hasNaN } from './maxima';
export { watershedU16 } from './watershed';

/** First free byte after the module's static data. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}
