// Analysis benchmark (issue 6): voxelization of 1e6 points into the 25 µm atlas grid (456x528x320) and
// the voxel-wise t-test on 2x4 atlas-size maps through the ttest-voxels node on the worker pool,
// each as its own process so wall time and peak RSS are that job's alone.
import { join } from 'node:path';
import { benchDir, ROOT, timeCommand, type BenchRow } from './util.js';

export async function analysisBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const script = join(ROOT, 'dist', 'tools', 'analysis', 'bench.js');
  for (const method of ['Spherical', 'Gaussian']) {
    const r = timeCommand(process.execPath, [script, 'voxelize', method, '1e6', '5']);
    const ms = Number(/wall (\d+) ms/.exec(r.stdout)?.[1]);
    rows.push({ section: 'analysis', case: `voxelize 1e6 points (${method}, size 5) into 456x528x320`, value: ms / 1000, unit: 's', note: `peak RSS ${r.peakRssMB.toFixed(0)} MB (the int32/float32 grid alone is 308 MB)` });
  }
  const { dir, cleanup } = benchDir('analysis');
  try {
    timeCommand(process.execPath, [script, 'ttest-node', dir, '2']); // writes the 8 maps once
    const r = timeCommand(process.execPath, [script, 'ttest-node', dir, '2']);
    const ms = Number(/wall (\d+) ms/.exec(r.stdout)?.[1]);
    rows.push({ section: 'analysis', case: 'voxel-wise Welch t-test, 2x4 int32 maps 456x528x320, 2 workers', value: ms / 1000, unit: 's', note: `peak RSS ${r.peakRssMB.toFixed(0)} MB (the 8 maps are 2.5 GB on disk)` });
  } finally {
    cleanup();
  }
  return rows;
}
