// ClearMap.ts plugin: cell detection with a trained ilastik pixel classifier, run headless per chunk
// (ClearMap's Ilastik.classifyPixel + IlastikClassification.classifyCells). Imports only 'clearmap-ts'.
import { nodeTypesModule, type ChunkNodeType } from 'clearmap-ts';

export const ilastikClassifyCellsNode: ChunkNodeType = {
  kind: 'chunk',
  type: 'ilastik-bridge.classify-cells',
  version: '1',
  description: 'Detect cells with a trained ilastik pixel-classification project: each chunk is written as .npy (z, y, x), '
    + 'classified by ilastik\'s headless CLI (Probabilities export, numpy format), and the cell class is thresholded '
    + '(or argmax, as ClearMap), labelled into 6-connected components and reduced to intensity-weighted centres of mass.',
  inputs: { input: { type: 'volume', description: 'Stack to classify (the raw or background-corrected signal ilastik was trained on).' } },
  outputs: { cells: { type: 'points', description: 'Cell centres [x, y, z] (voxels) with columns size, raw (intensity at the centre) and probability (mean cell-class probability).' } },
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['project'],
    properties: {
      project: { type: 'string', minLength: 1, description: 'ilastik project (.ilp) with a trained pixel classifier. Absolute path (relative paths resolve against the working directory).' },
      ilastik: { type: 'string', minLength: 1, description: 'ilastik launcher run_ilastik.sh, or the ilastik folder holding it (ClearMap\'s IlastikPath). Default: environment variable ILASTIK_PATH.' },
      cellClass: { type: 'integer', minimum: 0, default: 0, description: 'Channel of the cell class in ilastik\'s probability export (0 = the first label).' },
      threshold: { type: ['number', 'null'], minimum: 0, maximum: 1, default: null, description: 'Cell voxels: probability of cellClass > threshold; null = argmax over the classes (ClearMap).' },
      rescale: { type: ['number', 'null'], exclusiveMinimum: 0, default: null, description: 'ClearMap\'s rescale: send value*rescale clipped to uint8 (as ilastik projects trained on 8-bit data expect); null = send the data type as is.' },
      featureOverlap: { type: 'integer', minimum: 0, default: 10, description: 'Planes at an interior chunk edge whose probabilities are distrusted: the z-radius of the project\'s largest feature filter (about 3.5 x its largest sigma).' },
      maxCellExtent: { type: 'integer', minimum: 1, default: 10, description: 'Largest cell extent in z (planes); longer components are dropped. Overlap = featureOverlap + maxCellExtent.' },
      minSize: { type: 'integer', minimum: 1, default: 1, description: 'Smallest component kept (voxels).' },
      maxSize: { type: ['integer', 'null'], minimum: 1, default: null, description: 'Largest component kept (voxels); null = no limit.' },
      threads: { type: ['integer', 'null'], minimum: 1, default: null, description: 'LAZYFLOW_THREADS for each ilastik run (ilastik parallelises itself; null = ilastik\'s default).' },
      readonly: { type: 'boolean', default: true, description: 'Pass --readonly, so several ilastik processes (one per worker) can open the project at once; set false for old ilastik versions without that flag.' },
      extraArgs: { type: 'array', items: { type: 'string' }, default: [], description: 'Further arguments passed to run_ilastik.sh before the input file.' },
      tempDir: { type: 'string', description: 'Folder for the per-chunk exchange files (default: the system temp folder).' },
    },
  },
  check(params) {
    const problems: string[] = [];
    if (params.maxSize !== null && (params.maxSize as number) < (params.minSize as number)) problems.push(`params.maxSize: ${params.maxSize} is below minSize ${params.minSize}`);
    if ((params.extraArgs as string[]).some((a) => /^--(project|output_format|output_filename_format|export_source|headless)\b/.test(a))) {
      problems.push('params.extraArgs: must not repeat arguments the node sets itself (--headless, --project, --export_source, --output_format, --output_filename_format)');
    }
    return problems;
  },
  produces: 'points',
  overlap: (params) => (params.featureOverlap as number) + (params.maxCellExtent as number),
  kernel: { module: new URL('./kernel.js', import.meta.url).href, export: 'ilastikCells' },
};

const shared = ilastikClassifyCellsNode.params.properties;

export const ilastikClassifyPixelsNode: ChunkNodeType = {
  kind: 'chunk',
  type: 'ilastik-bridge.classify-pixels',
  version: '1',
  description: 'The probability of one class at every voxel from a trained ilastik pixel-classification project, run headless per chunk '
    + '(ClearMap\'s Ilastik.classifyPixel), as a float32 stack — to inspect a classifier or feed other nodes.',
  inputs: { input: { type: 'volume', description: 'Stack to classify.' } },
  outputs: { probabilities: { type: 'volume', description: 'float32 probability of class cellClass, same shape as the input.' } },
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['project'],
    properties: {
      project: shared.project, ilastik: shared.ilastik,
      cellClass: { ...shared.cellClass, description: 'Channel of ilastik\'s probability export to keep (0 = the first label).' },
      rescale: shared.rescale, featureOverlap: shared.featureOverlap, threads: shared.threads, readonly: shared.readonly, extraArgs: shared.extraArgs, tempDir: shared.tempDir,
    },
  },
  check: (params) => ilastikClassifyCellsNode.check!({ ...params, maxSize: null }),
  produces: 'volume',
  overlap: (params) => params.featureOverlap as number,
  outputDtype: () => 'float32',
  kernel: { module: new URL('./kernel.js', import.meta.url).href, export: 'ilastikProbabilities' },
};

export default nodeTypesModule([ilastikClassifyCellsNode, ilastikClassifyPixelsNode]);
