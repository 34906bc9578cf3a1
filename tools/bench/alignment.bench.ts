// Alignment benchmark (issue 5): resampling throughput (2x2x5 µm -> 25 µm on the worker pool) and
// registration time of native elastix vs the embedded WebAssembly elastix on the same pair.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeMhdHeader } from '../../engine/data/raw-volume.js';
import type { Shape3 } from '../../engine/data/volume.js';
import { affineMap, makeBrainPhantom, TEST_AFFINE, warpVolume } from '../alignment/synthetic.js';
import { benchDir, ROOT, runWorkflowCli, writeNoiseStack, type BenchRow } from './util.js';

export async function alignmentBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const { dir, cleanup } = benchDir('alignment');
  try {
    const [X, Y, Z] = [1024, 1024, 256];
    const stack = join(dir, 'stack.tif');
    await writeNoiseStack(stack, [X, Y, Z], 3);
    const resampleWf = { version: 1, nodes: [
      { id: 'raw', type: 'read-volume', params: { path: stack, voxelSize: [2, 2, 5] } },
      { id: 'small', type: 'resample', inputs: { input: 'raw.volume' }, params: { sinkResolution: [25, 25, 25] } },
    ] };
    runWorkflowCli(join(dir), resampleWf, ['--workers', '2']); // warm page cache
    for (const workers of [1, 2]) {
      const sub = benchDir(`resample-${workers}`);
      try {
        const s = runWorkflowCli(sub.dir, resampleWf, ['--workers', String(workers)]);
        const n = s.nodes.find((x) => x.id === 'small')!;
        rows.push({ section: 'alignment', case: `resample ${X}x${Y}x${Z} uint16 2x2x5 µm -> 25 µm, ${workers} worker(s)`, value: (X * Y * Z) / 1e6 / n.seconds, unit: 'Mvoxel/s', note: `peak RSS ${s.peakRssMB} MB` });
      } finally {
        sub.cleanup();
      }
    }

    const shape: Shape3 = [160, 192, 128];
    const atlas = makeBrainPhantom(shape, 7);
    const centre = shape.map((s) => (s - 1) / 2) as [number, number, number];
    const sample = warpVolume(atlas, shape, affineMap(TEST_AFFINE.A, TEST_AFFINE.t, centre));
    for (const [name, v] of [['fixed', sample], ['moving', atlas]] as const) {
      writeFileSync(join(dir, `${name}.raw`), new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength));
      writeMhdHeader(join(dir, `${name}.mhd`), `${name}.raw`, shape, 'float32', [1, 1, 1]);
    }
    const seconds: Record<string, number> = {};
    for (const backend of ['native', 'wasm']) {
      const sub = benchDir(`elastix-${backend}`);
      try {
        const s = runWorkflowCli(sub.dir, { version: 1, nodes: [
          { id: 'fixed', type: 'read-volume', params: { path: join(dir, 'fixed.mhd') } },
          { id: 'moving', type: 'read-volume', params: { path: join(dir, 'moving.mhd') } },
          { id: 'reg', type: 'elastix', inputs: { fixed: 'fixed.volume', moving: 'moving.volume' }, params: { backend, parameterFiles: [join(ROOT, 'test', 'fixtures', 'alignment', 'test-affine.txt')] } },
        ] }, ['--workers', '2']);
        seconds[backend] = s.nodes.find((x) => x.id === 'reg')!.seconds;
        rows.push({ section: 'alignment', case: `elastix affine ${shape.join('x')} float32, ${backend}${backend === 'native' ? ' (2 threads)' : ' (1 thread)'}`, value: seconds[backend], unit: 's', note: `peak RSS of the engine process ${s.peakRssMB} MB${backend === 'native' ? '; the elastix child process is not included' : ''}` });
      } finally {
        sub.cleanup();
      }
    }
    rows.push({ section: 'alignment', case: 'wasm / native registration time', value: seconds.wasm / seconds.native, unit: 'x' });
  } finally {
    cleanup();
  }
  return rows;
}
