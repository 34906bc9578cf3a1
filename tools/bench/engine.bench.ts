// Engine benchmark (issue 2): TIFF source -> statistics, 1 vs 2 workers, and peak RSS when the stack
// depth doubles (memory must be bounded by chunk size x workers, not by the stack).
import { join } from 'node:path';
import { benchDir, runWorkflowCli, writeNoiseStack, type BenchRow } from './util.js';

export async function engineBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const { dir, cleanup } = benchDir('engine');
  try {
    const X = 1024, Y = 1024;
    const perDepth: Record<number, number> = {};
    for (const Z of [256, 512]) {
      const path = join(dir, `stack-${Z}.tif`);
      await writeNoiseStack(path, [X, Y, Z], Z);
      const mb = (X * Y * Z * 2) / 1e6;
      const wf = {
        version: 1,
        settings: { chunkSizeMax: 16 },
        nodes: [
          { id: 'raw', type: 'read-volume', params: { path } },
          { id: 'stats', type: 'statistics', inputs: { input: 'raw.volume' } },
        ],
      };
      runWorkflowCli(dir, wf, ['--workers', '1']); // warm the page cache (and check it runs)
      const times: Record<number, number> = {};
      for (const workers of [1, 2]) {
        // --cache in a fresh folder per run, so statistics are computed, not cached
        const sub = benchDir(`engine-w${workers}`);
        try {
          const s = runWorkflowCli(sub.dir, wf, ['--workers', String(workers)]);
          const node = s.nodes.find((n) => n.id === 'stats')!;
          times[workers] = node.seconds;
          rows.push({ section: 'engine', case: `${X}x${Y}x${Z} uint16 TIFF -> statistics, ${workers} worker(s)`, value: mb / node.seconds, unit: 'MB/s', note: `peak RSS ${s.peakRssMB} MB` });
          if (workers === 2) perDepth[Z] = s.peakRssMB;
        } finally {
          sub.cleanup();
        }
      }
      rows.push({ section: 'engine', case: `speed-up 2 vs 1 workers (depth ${Z})`, value: times[1] / times[2], unit: 'x' });
    }
    rows.push({ section: 'engine', case: 'peak RSS ratio depth 512 / depth 256 (2 workers; target <= 1.2)', value: perDepth[512] / perDepth[256], unit: 'x' });
  } finally {
    cleanup();
  }
  return rows;
}
