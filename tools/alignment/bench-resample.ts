// Resampling throughput on a 1024 x 1024 x 128 uint16 stack (input voxels per second), for atlas-like
// target resolutions: in memory, and streamed from a RAW file through the engine's reader.
//   node dist/tools/alignment/bench-resample.js
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawVolumeRef } from '../../engine/data/raw-volume.js';
import { readRegion } from '../../engine/data/read.js';
import type { Shape3, Volume } from '../../engine/data/volume.js';
import { parseOrientation } from '../../nodes/alignment/lib/orientation.js';
import { planResample, resampleGeometry, resampleStreaming, resampleVolume, tapInputs, type Interpolation } from '../../nodes/alignment/lib/resample.js';

const shape: Shape3 = [1024, 1024, 128];
const n = shape[0] * shape[1] * shape[2];
const data = new Uint16Array(n);
for (let i = 0; i < n; i++) data[i] = (i * 2654435761) >>> 20; // cheap pseudo-random texture
const v: Volume = { data, shape, dtype: 'uint16', voxelSize: [2, 2, 5], origin: [0, 0, 0] };
const dir = mkdtempSync(join(tmpdir(), 'bench-resample-'));
const raw = join(dir, 'stack.raw');
writeFileSync(raw, new Uint8Array(data.buffer));

const cases: { name: string; src: [number, number, number]; sink: [number, number, number]; orientation: number[]; interp: Interpolation }[] = [
  { name: '2x2x5 µm -> 25 µm, linear', src: [2, 2, 5], sink: [25, 25, 25], orientation: [1, 2, 3], interp: 'linear' },
  { name: '4.0625x4.0625x3 µm -> 25 µm (ClearMap default), linear, orientation (-2,1,3)', src: [4.0625, 4.0625, 3], sink: [25, 25, 25], orientation: [-2, 1, 3], interp: 'linear' },
  { name: '2x2x5 µm -> 10 µm, linear', src: [2, 2, 5], sink: [10, 10, 10], orientation: [1, 2, 3], interp: 'linear' },
  { name: '2x2x5 µm -> 25 µm, nearest', src: [2, 2, 5], sink: [25, 25, 25], orientation: [1, 2, 3], interp: 'nearest' },
];

async function main() {
  for (const c of cases) {
    const g = resampleGeometry({ sourceShape: shape, sourceResolution: c.src, sinkResolution: c.sink, orientation: parseOrientation(c.orientation) });
    let best = Infinity;
    let out: Volume | undefined;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      out = resampleVolume({ ...v, voxelSize: c.src }, g, c.interp);
      best = Math.min(best, performance.now() - t0);
    }
    const ref = rawVolumeRef(raw, shape, 'uint16', c.src);
    const t1 = performance.now();
    const streamed = await resampleStreaming((z) => readRegion(ref, { z }), g, 'uint16', c.interp, { slabPlanes: 16 });
    const ts = performance.now() - t1;
    const same = streamed.data.every((x, i) => x === out!.data[i]);
    // cv2's linear resize does not anti-alias: only the planes and rows the taps name are touched
    const plan = planResample(g, c.interp);
    const touched = `reads ${tapInputs(plan.tz).length}/${shape[2]} planes, ${tapInputs(plan.ty).length}/${shape[1]} rows each`;
    console.log(`${c.name}: [${shape}] -> [${out!.shape}] (${touched})  in memory ${best.toFixed(0)} ms = ${(n / best / 1000).toFixed(0)} Mvoxel/s;  streamed from RAW ${ts.toFixed(0)} ms = ${(n / ts / 1000).toFixed(0)} Mvoxel/s${same ? '' : '  (MISMATCH)'}`);
  }
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => { console.error(e); process.exit(1); });
