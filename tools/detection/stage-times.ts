// detectCellsInVolume's chain (no illumination correction) with the CPU time of every stage, named
// as reference.py names them, for the detection benchmark. It calls the same kernels in the same
// order; the benchmark checks its cells against detectCellsInVolume's and against reference.py's.
import type { Volume } from '../../engine/data/volume.js';
import { removeBackground } from '../../nodes/detection/lib/background.js';
import { detectCellShape, findCellIntensity, findCellSize, seedMarkers } from '../../nodes/detection/lib/cell-shape.js';
import { findCentres, findExtendedMaxima } from '../../nodes/detection/lib/extended-maxima.js';
import { filterDoG } from '../../nodes/detection/lib/filters.js';
import { maximaBox, resolveDetectParams, toReduction } from '../../nodes/detection/lib/params.js';

export const STAGES = ['background', 'dog', 'maxima', 'centres', 'watershed', 'measure'] as const;

/** CPU seconds of this thread's process since `since` (user + system). */
function cpuSince(since: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1e6;
}

export function timedDetect(raw: Volume, rawParams: Record<string, unknown>): { coords: Float64Array; sizes: Float64Array; stages: Record<string, number> } {
  const p = resolveDetectParams(rawParams);
  if (p.correctIlluminationParameter.flatfield !== null) throw new Error('timedDetect: illumination correction is not timed');
  if (p.detectCellShapeParameter.threshold === null) throw new Error('timedDetect: the benchmark chain needs a cell-shape threshold');
  const stages: Record<string, number> = {};
  let t = process.cpuUsage();
  const lap = (name: string) => { stages[name] = (stages[name] ?? 0) + cpuSince(t); t = process.cpuUsage(); };
  const shape = raw.shape;
  const img2 = removeBackground(raw, p.removeBackgroundParameter.size);
  lap('background');
  const dog = p.filterDoGParameter;
  const img3 = filterDoG(img2, dog.size, dog.sigma, dog.sigma2);
  lap('dog');
  const mx = p.findExtendedMaximaParameter;
  let maxima = findExtendedMaxima(img3.data, shape, mx.hMax, maximaBox(mx.size), mx.threshold);
  lap('maxima');
  const thr = p.detectCellShapeParameter.threshold;
  if (mx.hMax === null) {
    maxima = Uint8Array.from(maxima);
    for (let i = 0; i < maxima.length; i++) if (maxima[i] && !(img2.data[i] > thr)) maxima[i] = 0;
  }
  const { local: centres } = findCentres(raw.data, maxima, shape, mx.hMax, 0);
  lap('centres');
  const n = centres.length / 3;
  const labels = detectCellShape(img2.data, seedMarkers(centres, shape, { zOffset: 0 }), shape, thr);
  lap('watershed');
  const size = findCellSize(labels, n);
  const how = toReduction(p.findCellIntensityParameter.method);
  for (const img of [raw.data, dog.size === null ? img2.data : img3.data, img2.data]) findCellIntensity(img, labels, n, how);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (size[i] > 0) keep.push(i);
  lap('measure');
  const coords = new Float64Array(3 * keep.length), sizes = new Float64Array(keep.length);
  keep.forEach((i, j) => { coords.set(centres.subarray(3 * i, 3 * i + 3), 3 * j); sizes[j] = size[i]; });
  return { coords, sizes, stages };
}
