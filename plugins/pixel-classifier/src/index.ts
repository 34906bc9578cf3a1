// ClearMap.ts plugin: an in-process, ilastik-like pixel classifier for cell detection.
//  - pixel-classifier.train (whole): filter-bank features + a random forest trained from sparse labels.
//  - pixel-classifier.classify-cells (chunk): applies the model per chunk and returns cell centres.
// Imports only the public API ('clearmap-ts').
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineChunkNode, defineWholeNode, nodeTypesModule, type Artefact, type VolumeRef } from 'clearmap-ts';
import { computeFeatures, featureNames, featureRadius, type FeatureSpec } from './features.js';
import { rng, trainForest, type ForestOptions } from './forest.js';
import { MODEL_FORMAT, modelProblems, type PixelModel } from './model.js';
import { classifyCellsParams, classifyPixelsParams } from './params.js';

export { featureRadius, featureNames, computeFeatures } from './features.js';
export { MODEL_FORMAT, type PixelModel } from './model.js';

export const trainNode = defineWholeNode({
  kind: 'whole',
  type: 'pixel-classifier.train',
  version: '1',
  description: 'Train a cell/background pixel classifier (random forest on Gaussian, gradient-magnitude, Laplacian-of-Gaussian '
    + 'and difference-of-Gaussian features, as ilastik\'s pixel classification) from a sparse label volume. '
    + 'Training stacks are small crops: both volumes are read whole.',
  inputs: {
    input: { type: 'volume', description: 'Training stack (same kind of signal as the stacks to classify).' },
    labels: { type: 'volume', description: 'Sparse labels, same shape: 0 = unlabelled, 1 = background, 2 = cell.' },
  },
  outputs: { model: { type: 'json', description: 'The trained model (pass it as params.model of pixel-classifier.classify-cells); also written as model.json.' } },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      sigmas: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 1, default: [1, 2, 3.5], description: 'Gaussian scales of the features, in voxels.' },
      truncate: { type: 'number', exclusiveMinimum: 0, default: 3, description: 'Gaussian kernel radius in sigmas (scipy\'s truncate).' },
      trees: { type: 'integer', minimum: 1, maximum: 1000, default: 20, description: 'Number of trees.' },
      maxDepth: { type: 'integer', minimum: 1, maximum: 64, default: 12, description: 'Largest tree depth.' },
      minSamplesLeaf: { type: 'integer', minimum: 1, default: 2, description: 'Fewest training samples in a leaf.' },
      featuresPerSplit: { type: ['integer', 'null'], minimum: 1, default: null, description: 'Features tried at each split; null = round(sqrt(number of features)).' },
      maxSamples: { type: 'integer', minimum: 2, default: 20000, description: 'Largest number of labelled voxels used (a seeded random subset beyond that).' },
      seed: { type: 'integer', minimum: 0, default: 1, description: 'Random seed (bootstrap, feature draws): same seed and inputs give the same model.' },
    },
  },
  async run(inputs, params, ctx) {
    const input = inputs.input as VolumeRef;
    const labelsRef = inputs.labels as VolumeRef;
    if (labelsRef.shape.some((s, i) => s !== input.shape[i])) {
      throw new Error(`inputs.labels: shape [${labelsRef.shape}] differs from inputs.input [${input.shape}]`);
    }
    const spec: FeatureSpec = { sigmas: params.sigmas, truncate: params.truncate };
    const [X, Y] = input.shape;
    const labels = await ctx.readVolume(labelsRef);
    const picked: number[] = [];
    for (let i = 0; i < labels.data.length; i++) {
      const l = labels.data[i];
      if (l === 0) continue;
      if (l !== 1 && l !== 2) {
        throw new Error(`inputs.labels: value ${l} at [${i % X}, ${Math.floor(i / X) % Y}, ${Math.floor(i / (X * Y))}]; labels must be 0 (unlabelled), 1 (background) or 2 (cell)`);
      }
      picked.push(i);
    }
    let idx = picked;
    const maxSamples = params.maxSamples;
    if (idx.length > maxSamples) {
      const r = rng((params.seed ^ 0x9e3779b9) >>> 0);
      for (let k = 0; k < maxSamples; k++) { const j = k + Math.floor(r() * (idx.length - k)); [idx[k], idx[j]] = [idx[j], idx[k]]; }
      idx = idx.slice(0, maxSamples).sort((a, b) => a - b);
    }
    const y = Uint8Array.from(idx, (i) => (labels.data[i] === 2 ? 1 : 0));
    const cells = y.reduce((s, v) => s + v, 0);
    if (cells === 0 || cells === y.length) {
      throw new Error(`inputs.labels: needs voxels of both classes, found ${y.length - cells} background (1) and ${cells} cell (2) labels`);
    }
    ctx.log(`features ${featureNames(spec).join(', ')} on [${input.shape}]`);
    const volume = await ctx.readVolume(input);
    const feats = computeFeatures(volume, spec, input.shape[2]);
    const F = feats.length;
    const x = new Float32Array(idx.length * F);
    idx.forEach((i, s) => { for (let f = 0; f < F; f++) x[s * F + f] = feats[f][i]; });
    const forestOptions: ForestOptions = {
      trees: params.trees, maxDepth: params.maxDepth, minSamplesLeaf: params.minSamplesLeaf,
      featuresPerSplit: params.featuresPerSplit, seed: params.seed,
    };
    const { trees, oobError } = trainForest(x, y, F, forestOptions);
    const model: PixelModel = {
      format: MODEL_FORMAT,
      version: 1,
      features: { ...spec, names: featureNames(spec) },
      classes: ['background', 'cell'],
      trees,
      training: { samples: y.length, background: y.length - cells, cells, oobError: Number.isNaN(oobError) ? null : oobError, seed: params.seed },
    };
    ctx.log(`trained ${trees.length} trees on ${y.length} voxels (${cells} cell); out-of-bag error ${oobError.toFixed(4)}`);
    writeFileSync(join(ctx.workDir, 'model.json'), JSON.stringify(model));
    return { model: { kind: 'json', value: model } };
  },
});

/** The model from the wired `model` input, else params.model; checked either way. */
export function chosenModel(params: Record<string, unknown>, inputs: Record<string, Artefact | undefined> | undefined, node: string): PixelModel {
  const wired = inputs?.model;
  const [model, where] = wired ? [(wired as { value?: unknown }).value, 'inputs.model'] : [params.model, 'params.model'];
  if (model === undefined) throw new Error(`${node}: no model: wire inputs.model to a pixel-classifier.train node's model, or set params.model`);
  const problems = modelProblems(model, where);
  if (problems.length) throw new Error(`${node}: ${problems.join('; ')}`);
  return model as PixelModel;
}

export const classifyCellsNode = defineChunkNode({
  kind: 'chunk',
  type: 'pixel-classifier.classify-cells',
  version: '1',
  description: 'Detect cells with a model from pixel-classifier.train: per chunk, the same filter-bank features, the forest\'s '
    + 'cell probability, voxels above threshold labelled into 6-connected components, intensity-weighted centres of mass. '
    + 'The chunk overlap covers the feature support, so results do not depend on the chunking.',
  inputs: {
    input: { type: 'volume', description: 'Stack to classify.' },
    model: { type: 'json', optional: true, description: "The model: wire a pixel-classifier.train node's model output here (or give params.model)." },
  },
  outputs: { cells: { type: 'points', description: 'Cell centres [x, y, z] (voxels) with columns size, raw (intensity at the centre) and probability (mean cell probability).' } },
  params: classifyCellsParams,
  check(params) {
    const problems = params.model === undefined ? [] : modelProblems(params.model, 'params.model');
    if (params.maxSize !== null && params.maxSize < params.minSize) problems.push(`params.maxSize: ${params.maxSize} is below minSize ${params.minSize}`);
    return problems;
  },
  produces: 'points',
  overlap: (params, inputs) => featureRadius(chosenModel(params, inputs, 'pixel-classifier.classify-cells').features) + params.maxCellExtent,
  kernel: { module: new URL('./kernel.js', import.meta.url).href, export: 'classifyCells' },
});

export const classifyPixelsNode = defineChunkNode({
  kind: 'chunk',
  type: 'pixel-classifier.classify-pixels',
  version: '1',
  description: 'The cell probability of every voxel from a pixel-classifier.train model, as a float32 stack (to inspect a classifier or feed other nodes).',
  inputs: {
    input: { type: 'volume', description: 'Stack to classify.' },
    model: { type: 'json', optional: true, description: "The model: wire a pixel-classifier.train node's model output here (or give params.model)." },
  },
  outputs: { probabilities: { type: 'volume', description: 'float32 cell probability, same shape as the input.' } },
  params: classifyPixelsParams,
  check: (params) => (params.model === undefined ? [] : modelProblems(params.model, 'params.model')),
  produces: 'volume',
  overlap: (params, inputs) => featureRadius(chosenModel(params, inputs, 'pixel-classifier.classify-pixels').features),
  outputDtype: () => 'float32',
  kernel: { module: new URL('./kernel.js', import.meta.url).href, export: 'classifyPixels' },
});

export default nodeTypesModule([trainNode, classifyCellsNode, classifyPixelsNode]);
