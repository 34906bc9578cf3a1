// The built-in registration backend (service REGISTRATION_BACKEND): native elastix or the embedded WebAssembly build.
import { join } from 'node:path';
import { copyParameterFiles, ElastixProgress, writeMhdForElastix, runElastix } from './elastix.js';
import { type RegistrationBackend } from './registration.js';
import { chooseBackend, withScratch } from './node-helpers.js';

const WASM_MODULE = new URL('./wasm/elastix-wasm.js', import.meta.url).href;

/** The built-in registration backend: native elastix when installed (or asked for), else the embedded WebAssembly build. */
export const elastixRegistration: RegistrationBackend = {
  id: 'elastix',
  async register({ fixed, moving, parameterFiles: files, randomSeed, backend, outDir }, ctx) {
    const choice = chooseBackend(backend, `node '${ctx.nodeId}'`);
    if (choice.backend === 'wasm') {
      // same parameter copies (with the seed) as the native path; the registration runs in a pool worker
      // because the WebAssembly elastix blocks its thread until it is done
      const copies = copyParameterFiles(files, outDir, randomSeed);
      ctx.log(backend === 'wasm'
        ? 'registering with the embedded WebAssembly elastix (backend: wasm)'
        : 'native elastix not found: registering with the embedded WebAssembly elastix (single-threaded; install the Debian package elastix for speed)');
      // the WebAssembly build prints no log (no per-iteration progress): say what is planned instead
      const plan = new ElastixProgress(copies);
      ctx.log(`elastix (wasm): ${plan.plan.map((r, i) => `${files[i].split('/').pop()} ${r.length} resolution${r.length > 1 ? 's' : ''} × ${r.join('/')} iterations`).join(', then ')}; the WebAssembly build reports no progress until it is done`);
      ctx.progress(0, plan.total);
      const [r] = await ctx.parallel<{ seconds: number }>([{ module: WASM_MODULE, export: 'registerWithWasm', args: { fixed, moving, parameterFiles: copies, outDir } }]);
      ctx.progress(plan.total, plan.total);
      ctx.log(`elastix (wasm) finished in ${r.seconds.toFixed(1)} s (${files.map((f) => f.split('/').pop()).join(' + ')})`);
    } else await withScratch('clearmap-elastix-', async (scratch) => {
      const binaries = choice.binaries;
      writeMhdForElastix(join(scratch, 'fixed.mhd'), await ctx.readVolume(fixed));
      writeMhdForElastix(join(scratch, 'moving.mhd'), await ctx.readVolume(moving));
      const t0 = performance.now();
      let shown = -1;
      await runElastix({
        fixed: join(scratch, 'fixed.mhd'), moving: join(scratch, 'moving.mhd'), parameterFiles: files, outDir,
        threads: ctx.workers, randomSeed, signal: ctx.signal, binaries,
        // resolutions and iterations from elastix's log, as the node's progress
        onProgress: (p) => {
          if (p.started) ctx.log(p.started);
          if (p.started || p.done - shown >= p.total / 200 || p.done === p.total) { shown = p.done; ctx.progress(p.done, p.total); }
        },
      });
      ctx.log(`elastix (native ${binaries.elastix}) finished in ${((performance.now() - t0) / 1000).toFixed(1)} s (${files.map((f) => f.split('/').pop()).join(' + ')})`);
    }, ctx);
  },
};
