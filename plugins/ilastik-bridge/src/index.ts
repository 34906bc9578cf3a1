// ClearMap.ts plugin: cell detection with a trained ilastik pixel classifier, run headless per chunk
// (ClearMap's Ilastik.classifyPixel + IlastikClassification.classifyCells). Imports only 'clearmap-ts'.
import { defineChunkNode, nodeTypesModule } from 'clearmap-ts';
import { ilastikCellsParams, ilastikPixelsParams } from './params.js';

function extraArgsProblems(extraArgs: string[]): string[] {
  return extraArgs.some((a) => /^--(project|output_format|output_filename_format|export_source|headless)\b/.test(a))
    ? ['params.extraArgs: must not repeat arguments the node sets itself (--headless, --project, --export_source, --output_format, --output_filename_format)']
    : [];
}

export const ilastikClassifyCellsNode = defineChunkNode({
  kind: 'chunk',
  type: 'ilastik-bridge.classify-cells',
  version: '1',
  description: 'Detect cells with a trained ilastik pixel-classification project: each chunk is written as .npy (z, y, x), '
    + 'classified by ilastik\'s headless CLI (Probabilities export, numpy format), and the cell class is thresholded '
    + '(or argmax, as ClearMap), labelled into 6-connected components and reduced to intensity-weighted centres of mass.',
  inputs: { input: { type: 'volume', description: 'Stack to classify (the raw or background-corrected signal ilastik was trained on).' } },
  outputs: { cells: { type: 'points', description: 'Cell centres [x, y, z] (voxels) with columns size, raw (intensity at the centre) and probability (mean cell-class probability).' } },
  params: ilastikCellsParams,
  check(params) {
    const problems: string[] = [];
    if (params.maxSize !== null && params.maxSize < params.minSize) problems.push(`params.maxSize: ${params.maxSize} is below minSize ${params.minSize}`);
    return [...problems, ...extraArgsProblems(params.extraArgs)];
  },
  produces: 'points',
  overlap: (params) => params.featureOverlap + params.maxCellExtent,
  kernel: { module: new URL('./kernel.js', import.meta.url).href, export: 'ilastikCells' },
});

export const ilastikClassifyPixelsNode = defineChunkNode({
  kind: 'chunk',
  type: 'ilastik-bridge.classify-pixels',
  version: '1',
  description: 'The probability of one class at every voxel from a trained ilastik pixel-classification project, run headless per chunk '
    + '(ClearMap\'s Ilastik.classifyPixel), as a float32 stack — to inspect a classifier or feed other nodes.',
  inputs: { input: { type: 'volume', description: 'Stack to classify.' } },
  outputs: { probabilities: { type: 'volume', description: 'float32 probability of class cellClass, same shape as the input.' } },
  params: ilastikPixelsParams,
  check: (params) => extraArgsProblems(params.extraArgs),
  produces: 'volume',
  overlap: (params) => params.featureOverlap,
  outputDtype: () => 'float32',
  kernel: { module: new URL('./kernel.js', import.meta.url).href, export: 'ilastikProbabilities' },
});

export default nodeTypesModule([ilastikClassifyCellsNode, ilastikClassifyPixelsNode]);
