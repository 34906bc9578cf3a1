// Benchmark: detectCells (single thread, one chunk) vs tools/detection/reference.py on the same
// seeded synthetic stack. Prints one JSON line per side plus the agreement between them.
//   node dist/tools/detection/bench.js [X Y Z] [--no-reference] [--params json]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pointCount } from '../../engine/data/points.js';
import { detectCells } from '../../nodes/detection/detect/kernel.js';
import { writeNpy } from './npy.js';
import { matchPoints, syntheticNuclei } from './synthetic-nuclei.js';

export const BENCH_PARAMS = {
  removeBackgroundParameter: { size: [17, 17] },
  filterDoGParameter: { size: [11, 11, 7] },
  findExtendedMaximaParameter: { hMax: 20, size: 5, threshold: 20 },
  detectCellShapeParameter: { threshold: 150 },
};

async function main() {
  const args = process.argv.slice(2);
  const noRef = args.includes('--no-reference');
  const pi = args.indexOf('--params');
  const params = pi >= 0 ? JSON.parse(args[pi + 1]) : BENCH_PARAMS;
  const dims = args.filter((a, i) => /^\d+$/.test(a) && (pi < 0 || i !== pi + 1)).map(Number);
  const shape: [number, number, number] = dims.length === 3 ? [dims[0], dims[1], dims[2]] : [1024, 1024, 64];
  const nvox = shape[0] * shape[1] * shape[2];
  const s = syntheticNuclei({ shape, cells: Math.round(nvox / 6000), seed: 1, gain: 2, readNoise: 20 });
  const c0 = process.cpuUsage(), t0 = performance.now();
  const pts = await detectCells(s.volume, { index: 0, count: 1, read: [0, shape[2]], core: [0, shape[2]], depth: shape[2] }, params);
  const wall = (performance.now() - t0) / 1000, cpu = process.cpuUsage(c0);
  const truth = matchPoints(pts.coords, s.centres, 3);
  console.log(JSON.stringify({
    side: 'clearmap-ts detectCells', shape, cells: pointCount(pts), truth: s.centres.length / 3,
    precision: +truth.precision.toFixed(4), recall: +truth.recall.toFixed(4),
    seconds: +wall.toFixed(2), cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2), mvoxelPerSecond: +(nvox / wall / 1e6).toFixed(3),
  }));
  if (noRef) return;
  const dir = mkdtempSync(join(tmpdir(), 'detect-bench-'));
  try {
    writeNpy(join(dir, 'stack.npy'), s.volume);
    const ref = fileURLToPath(new URL('../../../tools/detection/reference.py', import.meta.url));
    const out = execFileSync('/usr/bin/python3', [ref, join(dir, 'stack.npy'), join(dir, 'ref.csv'), '--params', JSON.stringify(params)], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    const rows = readFileSync(join(dir, 'ref.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    const refCoords = Float64Array.from(rows.flatMap((row) => row.slice(0, 3)));
    const m = matchPoints(pts.coords, refCoords, 1.5);
    console.log(JSON.stringify({ side: 'reference.py (numpy/scipy/skimage)', shape, cells: r.cells, seconds: r.seconds, mvoxelPerSecond: r.mvoxelPerSecond, matchedToOurs: +m.recall.toFixed(4) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main().catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
