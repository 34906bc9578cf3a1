// `clearmap init`: a complete, commented workflow from what a user has — the signal stack, optionally
// the autofluorescence stack, the voxel size, the orientation and an atlas — following the ClearMap
// tutorial's steps. Every node carries a description saying what it does and what to tune; the
// detection is in physical units (cellDiameter) with background removal as its own cached node, so
// `clearmap sweep` reuses it across variants.
import { basename, dirname, relative, resolve } from 'node:path';
import type { Workflow, WorkflowNode } from '../../engine/workflow/format.js';
import { openVolume } from '../../nodes/io/lib/formats.js';
import { derivePixelParams } from '../../nodes/detection/lib/physical-units.js';
import { removeBackground } from '../../nodes/detection/lib/background.js';
import { readRegion } from '../../engine/data/read.js';
import type { VolumeRef } from '../../engine/core/artefacts.js';

export interface InitOptions {
  /** Signal (c-Fos) channel: file, folder, glob or digit pattern. */
  signal: string;
  autofluorescence?: string;
  /** µm [x, y, z]; default: what the files record (an error when they do not). */
  voxelSize?: [number, number, number];
  /** ClearMap orientation tuple of the sample relative to the atlas, default [1, 2, 3]. */
  orientation?: [number, number, number];
  /** Atlas by name (needs the `atlas` node type), or annotation + labels files. */
  atlas?: string;
  annotation?: string;
  labels?: string;
  /** Atlas reference (average template) image for registration; without it cells are mapped by resampling only. */
  reference?: string;
  /** µm per atlas voxel (annotation/reference files); default from the files, else 25. */
  atlasResolution?: number;
  cellDiameter?: number;
  name?: string;
  /** Where the workflow will be written (paths in it are relative to its folder). */
  output: string;
  /** Node types available (to use the `atlas` node when it exists). */
  nodeTypes: string[];
}

export interface InitResult { workflow: Workflow; notes: string[] }

/**
 * A first cellThreshold from the data: median + 10 x MAD (median absolute deviation) of the
 * background-removed middle planes, to two significant digits. On the cellfinder crop (2 x 2 x 5 µm)
 * this gives about the 99th percentile — where the overlays show cells and little texture.
 */
export async function estimateCellThreshold(ref: VolumeRef, disk: [number, number]): Promise<number> {
  const Z = ref.shape[2], mid = Math.floor(Z / 2);
  const slab = await readRegion(ref, { z: [Math.max(0, mid - 1), Math.min(Z, mid + 2)] });
  const bg = removeBackground(slab, disk);
  const a = Float64Array.from(bg.data).sort();
  const median = a[a.length >> 1];
  const dev = Float64Array.from(a, (x) => Math.abs(x - median)).sort();
  const t = median + 10 * dev[dev.length >> 1];
  if (!(t > 0)) return 1;
  const k = Math.pow(10, Math.floor(Math.log10(t)) - 1);
  return Math.round(t / k) * k;
}

const rel = (from: string, path: string) => {
  const r = relative(dirname(resolve(from)), resolve(path));
  return r === '' ? '.' : r;
};

export async function initWorkflow(o: InitOptions): Promise<InitResult> {
  const notes: string[] = [];
  const signal = await openVolume(o.signal, o.voxelSize ? { voxelSize: o.voxelSize } : {}).catch((e: Error) => { throw new Error(`--signal: ${e.message}`); });
  if (!o.voxelSize && signal.ref.voxelSizeUnknown) {
    throw new Error(`--signal: ${signal.ref.describe} does not record its voxel size along ${signal.ref.voxelSizeUnknown.join(', ')}; give --voxel-size x,y,z in µm (e.g. 2,2,5)`);
  }
  const voxelSize = signal.voxelSize;
  const [X, Y, Z] = signal.shape;
  const d = o.cellDiameter ?? 12;
  const px = derivePixelParams(d, voxelSize);
  const orientation = o.orientation ?? [1, 2, 3];
  const cellThreshold = await estimateCellThreshold(signal.ref, px.removeBackgroundSize);
  const nodes: WorkflowNode[] = [];
  const add = (n: WorkflowNode) => { nodes.push(n); return n; };
  // smallest cell kept: a ball of half the cell diameter, in voxels
  const minSize = Math.max(1, Math.round((Math.PI / 6) * (d / 2) ** 3 / (voxelSize[0] * voxelSize[1] * voxelSize[2])));
  const midZ = Math.floor(Z / 2), window = Math.min(Z, 20);
  const zWindow: [number, number] = [Math.max(0, midZ - (window >> 1)), Math.max(0, midZ - (window >> 1)) + window];

  add({ id: 'signal', type: 'read-volume', description: `Step 1 - the signal (c-Fos) channel, ${X} x ${Y} x ${Z} voxels of ${voxelSize.join(' x ')} µm. Check with 'clearmap info'.`,
    params: { path: rel(o.output, o.signal), ...(o.voxelSize || signal.ref.voxelSizeUnknown ? { voxelSize } : {}) } });
  if (o.autofluorescence) {
    const auto = await openVolume(o.autofluorescence, { voxelSize }).catch((e: Error) => { throw new Error(`--autofluorescence: ${e.message}`); });
    if (auto.shape.some((s, i) => s !== signal.shape[i])) notes.push(`the autofluorescence stack (${auto.shape.join('x')}) and the signal (${signal.shape.join('x')}) differ in size; the points are mapped through the resampling, which expects them to cover the same sample`);
    add({ id: 'autofluorescence', type: 'read-volume', description: 'Step 1b - the autofluorescence channel (registration to the atlas uses it).', params: { path: rel(o.output, o.autofluorescence), voxelSize } });
  }
  add({ id: 'background', type: 'background', materialize: true, inputs: { input: 'signal.volume' },
    description: `Step 2 - background removal: the signal minus its grey opening with a disk of ${px.removeBackgroundSize[0]} px = 2 x the cell diameter (${d} µm at ${voxelSize[0]} µm/px). Its own cached node, so sweeps of the detection reuse it.`,
    params: { size: px.removeBackgroundSize } });
  add({ id: 'cells', type: 'detect', inputs: { input: 'background.output' },
    description: `Step 3 - cell detection (ClearMap's SpotDetection) on the background-removed image. Tune on a crop with 'clearmap sweep' (docs/tuning.md): cellDiameter sizes the filters (the log shows the pixel values), cellThreshold is the background-removed intensity a voxel needs to belong to a cell, peakHeight how far a cell's peak must rise above its surroundings. cellThreshold ${cellThreshold} was estimated from the data (median + 10 x MAD of the background-removed middle planes: a cell must stand well clear of the noise). The 'raw' column holds background-removed intensities here.`,
    params: { cellDiameter: d, cellThreshold, peakHeight: 20, removeBackgroundParameter: { size: null } } });
  add({ id: 'filtered', type: 'threshold-points', inputs: { points: 'cells.points' },
    description: `Step 4 - keep cells of at least ${minSize} voxels (a ball of half the cell diameter), ClearMap's thresholdPoints on the size column.`,
    params: { threshold: [minSize, null], row: 'size' } });
  add({ id: 'cellsCheck', type: 'cells-check', inputs: { input: 'signal.volume', points: 'filtered.points' },
    description: 'Step 5 - check: the data and the detected cells as a 2-channel ImageJ hyperstack (open in Fiji) over a window of planes.',
    params: { path: 'cells_check.tif', z: zWindow } });
  add({ id: 'overlay', type: 'overlay-points', inputs: { input: 'signal.volume', points: 'filtered.points' },
    description: 'Step 5b - the detected cells marked on planes of the signal (PNG).',
    params: { path: 'cells_overlay.png', z: zWindow, step: Math.max(1, Math.floor(window / 6)), maxTiles: 6, markerSize: 4 } });
  add({ id: 'writeCells', type: 'write-points', inputs: { points: 'filtered.points' }, description: "Step 6 - the cells as ClearMap's cells.npy (+ intensities).", params: { path: 'cells.npy' } });

  const hasAtlas = o.atlas !== undefined || o.annotation !== undefined;
  if (hasAtlas) {
    let annotation: string, labelsParam: Record<string, unknown> = {};
    let res = o.atlasResolution;
    if (o.annotation) {
      if (!o.labels) throw new Error('--annotation needs --labels (the ClearMap annotation CSV or Allen structure JSON)');
      if (res === undefined) {
        const a = await openVolume(o.annotation).catch((e: Error) => { throw new Error(`--annotation: ${e.message}`); });
        res = a.ref.voxelSizeUnknown ? (/_(\d+)um/.exec(basename(o.annotation)) ? Number(/_(\d+)um/.exec(basename(o.annotation))![1]) : 25) : a.voxelSize[0];
      }
      add({ id: 'annotation', type: 'read-volume', description: `Step 7 - the atlas annotation (region ids) at ${res} µm.`, params: { path: rel(o.output, o.annotation), voxelSize: [res, res, res] } });
      annotation = 'annotation.volume';
      labelsParam = { labels: rel(o.output, o.labels) };
    } else {
      if (!o.nodeTypes.includes('atlas')) throw new Error(`--atlas ${o.atlas}: this build has no 'atlas' node; give the atlas files with --annotation <file> --labels <file> [--reference <file>]`);
      res = res ?? (Number(/_(\d+)um$/.exec(o.atlas!)?.[1]) || 25);
      add({ id: 'atlas', type: 'atlas', description: `Step 7 - the atlas '${o.atlas}' (annotation, hemispheres, structures).`, params: { atlas: o.atlas } });
      annotation = 'atlas.annotation';
      labelsParam = {};
      notes.push("count-regions is wired to the atlas node's annotation; wire its 'structures' input if your build's count-regions takes one");
    }
    const sink = [res, res, res];
    let cellsInAtlas: string;
    if (o.reference && o.autofluorescence) {
      add({ id: 'reference', type: 'read-volume', description: 'Step 7b - the atlas reference (average template) image.', params: { path: rel(o.output, o.reference), voxelSize: sink } });
      add({ id: 'autofluorescenceResampled', type: 'resample', inputs: { input: 'autofluorescence.volume' }, description: `Step 8 - autofluorescence resampled to the atlas resolution (${res} µm) and oriented as the atlas (orientation ${JSON.stringify(orientation)}).`, params: { sinkResolution: sink, orientation } });
      add({ id: 'registration', type: 'elastix', inputs: { fixed: 'autofluorescenceResampled.output', moving: 'reference.volume' }, description: 'Step 9 - registration (elastix, affine + B-spline): atlas reference onto the autofluorescence.', params: { parameterFiles: ['Par0000affine', 'Par0000bspline'] } });
      add({ id: 'cellsResampled', type: 'resample-points', inputs: { points: 'filtered.points', source: 'signal.volume', sink: 'autofluorescenceResampled.output' }, description: 'Step 10 - cell coordinates to the resampled grid.', params: { sinkResolution: sink, orientation } });
      add({ id: 'cellsInAtlas', type: 'transform-points', inputs: { points: 'cellsResampled.output', transform: 'registration.transform' }, description: 'Step 11 - cells carried into atlas space by the registration.' });
      cellsInAtlas = 'cellsInAtlas.output';
    } else {
      notes.push(o.reference ? 'registration needs --autofluorescence too; cells are mapped by resampling and orientation only' : 'no --reference (atlas template image): cells are mapped to the atlas by resampling and orientation only, without elastix registration; add --reference <template> (and --autofluorescence) for a registered mapping');
      add({ id: 'cellsInAtlas', type: 'resample-points', inputs: { points: 'filtered.points', source: 'signal.volume' }, description: `Step 8 - cell coordinates to the atlas grid (${res} µm, orientation ${JSON.stringify(orientation)}) by resampling only: NOT registered (no reference image was given); counts are only as good as the sample's placement.`, params: { sinkResolution: sink, orientation } });
      cellsInAtlas = 'cellsInAtlas.output';
    }
    add({ id: 'heatmap', type: 'voxelize', inputs: { points: cellsInAtlas, reference: annotation }, description: "Step 12 - heat map of cell density on the atlas grid (ClearMap's voxelize, spherical kernel).", params: { method: 'Spherical', size: [15, 15, 15] } });
    add({ id: 'writeHeatmap', type: 'write-volume', inputs: { volume: 'heatmap.heatmap' }, description: 'Step 12b - the heat map as a TIFF.', params: { path: 'cells_heatmap.tif' } });
    if (labelsParam.labels) {
      add({ id: 'counts', type: 'count-regions', inputs: { points: cellsInAtlas, annotation }, description: "Step 13 - cells per atlas region (ClearMap's countPointsInRegions).", params: { ...labelsParam } });
      add({ id: 'writeCounts', type: 'write-table', inputs: { table: 'counts.table' }, description: 'Step 13b - the region counts as CSV.', params: { path: 'Annotated_counts.csv' } });
    }
  }
  const steps = nodes.map((n) => n.id).join(' -> ');
  const workflow: Workflow = {
    version: 1,
    name: o.name ?? `${basename(o.signal.replace(/[\\/]+$/, ''))} cell detection`,
    description: `Written by 'clearmap init' (the ClearMap tutorial's steps): ${steps}. Each node's description says what it does and what to tune. Tune detection on a crop first: clearmap sweep <this file> --crop x0:x1,y0:y1,z0:z1 --vary cells.cellThreshold=100,200,400 (see docs/tuning.md), then run: clearmap run <this file> --report.${notes.length ? ' Notes: ' + notes.join('; ') + '.' : ''}`,
    nodes,
  };
  return { workflow, notes };
}
