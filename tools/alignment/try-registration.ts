// Developer tool: register the synthetic phantom against a known affine (and optionally a smooth warp)
// with native elastix and print timing and landmark errors.
//   node dist/tools/alignment/try-registration.js [affine|warp] [parameter files...] [--threads N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeMhdForElastix } from '../../nodes/alignment/lib/elastix.js';
import { resolveParameterFile, runElastix, transformixPoints } from '../../nodes/alignment/lib/elastix.js';
import { affineMap, makeBrainPhantom, smoothWarpMap, TEST_AFFINE, warpVolume } from './synthetic.js';

async function main() {
  const args = process.argv.slice(2);
  const mode = args[0] === 'warp' ? 'warp' : 'affine';
  const ti = args.indexOf('--threads');
  const threads = ti >= 0 ? Number(args[ti + 1]) : 2;
  const files = args.slice(1).filter((a, i, all) => a !== '--threads' && all[i - 1] !== '--threads');
  const shape: [number, number, number] = [80, 96, 64];
  const atlas = makeBrainPhantom(shape, 7);
  const c: [number, number, number] = [(shape[0] - 1) / 2, (shape[1] - 1) / 2, (shape[2] - 1) / 2];
  const map = mode === 'affine' ? affineMap(TEST_AFFINE.A, TEST_AFFINE.t, c) : smoothWarpMap(shape, 2.5);
  const sample = warpVolume(atlas, shape, map);
  const dir = mkdtempSync(join(tmpdir(), 'elx-try-'));
  writeMhdForElastix(join(dir, 'fixed.mhd'), sample);
  writeMhdForElastix(join(dir, 'moving.mhd'), atlas);
  const params = (files.length ? files : ['Par0000affine']).map((f, i) => resolveParameterFile(f, process.cwd(), `parameterFiles[${i}]`));
  const t0 = performance.now();
  await runElastix({ fixed: join(dir, 'fixed.mhd'), moving: join(dir, 'moving.mhd'), parameterFiles: params, outDir: join(dir, 'out'), threads, randomSeed: 121212 });
  const t1 = performance.now();
  const pts: number[] = [];
  for (let i = 0; i < 200; i++) {
    const p = [20 + (i * 37) % 40, 20 + (i * 53) % 56, 16 + (i * 29) % 32];
    pts.push(...p);
  }
  const coords = Float64Array.from(pts);
  const mapped = await transformixPoints(coords, join(dir, 'out'), join(dir, 'tfx'), { threads });
  let maxErr = 0, sum = 0;
  for (let i = 0; i < coords.length / 3; i++) {
    const e = map([coords[3 * i], coords[3 * i + 1], coords[3 * i + 2]]);
    const d = Math.hypot(e[0] - mapped[3 * i], e[1] - mapped[3 * i + 1], e[2] - mapped[3 * i + 2]);
    maxErr = Math.max(maxErr, d); sum += d;
  }
  console.log(`${mode} with ${params.map((p) => p.split('/').pop()).join(' + ')}: elastix ${((t1 - t0) / 1000).toFixed(2)} s, transformix ${((performance.now() - t1) / 1000).toFixed(2)} s; landmark error mean ${(sum / (coords.length / 3)).toFixed(3)} max ${maxErr.toFixed(3)} voxels (dir ${dir})`);
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
}

// run only as a script (importing this module must not start a registration)
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => { console.error(e); process.exit(1); });
}
