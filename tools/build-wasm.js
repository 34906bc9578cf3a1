// Compiles the WebAssembly kernels from their AssemblyScript source in this repository (every
// `<dir>/wasm/assembly/index.ts` under the source folders) into `dist/<dir>/wasm/kernels.wasm`,
// beside the compiled loader that reads it. Run by `npm run build` after tsc; no binary is committed.
import { readdirSync, mkdirSync, statSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import asc from 'assemblyscript/asc';

const ROOTS = ['app', 'engine', 'nodes', 'lib'];

function findEntries(dir, out) {
  let names;
  try { names = readdirSync(dir); } catch { return out; }
  for (const name of names) {
    const p = join(dir, name);
    if (!statSync(p).isDirectory()) continue;
    if (name === 'assembly' && dir.endsWith('wasm')) {
      try { if (statSync(join(p, 'index.ts')).isFile()) out.push(join(p, 'index.ts')); } catch { /* no entry */ }
    } else findEntries(p, out);
  }
  return out;
}

const entries = ROOTS.flatMap((r) => findEntries(r, []));
for (const entry of entries) {
  const wasmDir = dirname(dirname(entry));
  const outFile = join('dist', relative('.', wasmDir), 'kernels.wasm');
  mkdirSync(dirname(outFile), { recursive: true });
  // -O3 with SIMD; no runtime (the kernels never allocate: the loader lays memory out), no asserts
  const { error, stderr } = await asc.main([entry, '-O3', '--enable', 'simd', '--runtime', 'stub', '--noAssert', '--outFile', outFile]);
  if (error) {
    console.error(stderr.toString());
    console.error(`build-wasm: ${entry}: ${error.message}`);
    process.exit(1);
  }
  console.log(`build-wasm: ${outFile}`);
}
