// Detection benchmark (issue 4): the detect node through the engine (TIFF source, 1 and 2 workers)
// against tools/detection/reference.py (ClearMap 0.9.2's pipeline in numpy/scipy/skimage) on the same
// seeded synthetic stack, same parameters, in the same run. BENCH_QUICK=1 uses 32 planes instead of 128.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createVolumeWriter } from '../../nodes/io/formats.js';
import { sliceZ } from '../../engine/data/volume.js';
import { BENCH_PARAMS } from '../detection/bench.js';
import { writeNpy } from '../detection/npy.js';
import { syntheticNuclei } from '../detection/synthetic-nuclei.js';
import { benchDir, ROOT, runWorkflowCli, timeCommand, type BenchRow } from './util.js';

export async function detectionBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const { dir, cleanup } = benchDir('detection');
  try {
    const shape: [number, number, number] = [1024, 1024, process.env.BENCH_QUICK ? 32 : 128];
    const nvox = shape[0] * shape[1] * shape[2];
    const s = syntheticNuclei({ shape, cells: Math.round(nvox / 6000), seed: 1, gain: 2, readNoise: 20 });
    const tif = join(dir, 'stack.tif');
    const w = createVolumeWriter(tif, { shape, dtype: s.volume.dtype, voxelSize: [1, 1, 1] });
    for (let z = 0; z < shape[2]; z += 16) await w.writeSlab(sliceZ(s.volume, z, Math.min(shape[2], z + 16)));
    await w.commit();
    writeNpy(join(dir, 'stack.npy'), s.volume);
    const wf = { version: 1, nodes: [
      { id: 'raw', type: 'read-volume', params: { path: tif } },
      { id: 'cells', type: 'detect', inputs: { input: 'raw.volume' }, params: BENCH_PARAMS },
    ] };
    const ours: Record<number, number> = {};
    for (const workers of [1, 2]) {
      const sub = benchDir(`detect-${workers}`);
      try {
        const summary = runWorkflowCli(sub.dir, wf, ['--workers', String(workers)]);
        const n = summary.nodes.find((x) => x.id === 'cells')!;
        ours[workers] = n.seconds;
        rows.push({ section: 'detection', case: `detect ${shape.join('x')} uint16 (${s.centres.length / 3} nuclei), ${workers} worker(s)`, value: nvox / 1e6 / n.seconds, unit: 'Mvoxel/s', note: `${n.chunks?.total} chunks, peak RSS ${summary.peakRssMB} MB` });
      } finally {
        sub.cleanup();
      }
    }
    const ref = timeCommand('/usr/bin/python3', [join(ROOT, 'tools', 'detection', 'reference.py'), join(dir, 'stack.npy'), join(dir, 'ref.csv'), '--params', JSON.stringify(BENCH_PARAMS)]);
    const refCells = readFileSync(join(dir, 'ref.csv'), 'utf8').trim().split('\n').length - 1;
    rows.push({ section: 'detection', case: `reference.py (numpy/scipy/skimage, 1 process) on the same stack`, value: nvox / 1e6 / ref.seconds, unit: 'Mvoxel/s', note: `${refCells} cells, peak RSS ${ref.peakRssMB.toFixed(0)} MB` });
    rows.push({ section: 'detection', case: 'speed-up vs reference.py, 2 workers (target >= 2)', value: ref.seconds / ours[2], unit: 'x' });
    rows.push({ section: 'detection', case: 'speed-up 2 vs 1 workers', value: ours[1] / ours[2], unit: 'x' });
  } finally {
    cleanup();
  }
  return rows;
}
