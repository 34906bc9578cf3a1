// The trained model as a JSON value (the train node's `model` output, the classify node's `model` param).
import { featureNames, type FeatureSpec } from './features.js';
import type { Tree } from './forest.js';

export const MODEL_FORMAT = 'clearmap-ts/pixel-classifier';

export interface PixelModel {
  format: typeof MODEL_FORMAT;
  version: 1;
  features: FeatureSpec & { names: string[] };
  classes: ['background', 'cell'];
  trees: Tree[];
  training: { samples: number; background: number; cells: number; oobError: number | null; seed: number };
}

/** Problems with a value given as a model, each naming `where` (e.g. 'params.model'). */
export function modelProblems(m: unknown, where: string): string[] {
  const bad = (msg: string) => [`${where}: ${msg} (use the 'model' output of a pixel-classifier.train node)`];
  if (!m || typeof m !== 'object') return bad('must be an object');
  const o = m as Partial<PixelModel>;
  if (o.format !== MODEL_FORMAT) return bad(`format must be '${MODEL_FORMAT}', got ${JSON.stringify(o.format)}`);
  if (o.version !== 1) return bad(`unsupported model version ${JSON.stringify(o.version)}`);
  const f = o.features;
  if (!f || !Array.isArray(f.sigmas) || !f.sigmas.length || f.sigmas.some((s) => !(typeof s === 'number' && s > 0)) || !(typeof f.truncate === 'number' && f.truncate > 0)) {
    return bad('features.sigmas must be positive numbers and features.truncate a positive number');
  }
  const F = featureNames(f).length;
  if (!Array.isArray(o.trees) || !o.trees.length) return bad('has no trees');
  for (const [t, tree] of o.trees.entries()) {
    const keys = ['feature', 'threshold', 'left', 'right', 'value'] as const;
    if (!keys.every((k) => Array.isArray(tree?.[k]) && tree[k].length === tree.feature.length)) return bad(`trees[${t}] must have equally long arrays ${keys.join(', ')}`);
    const n = tree.feature.length;
    for (let i = 0; i < n; i++) {
      const fi = tree.feature[i];
      if (fi === -1) continue;
      if (!(Number.isInteger(fi) && fi >= 0 && fi < F)) return bad(`trees[${t}].feature[${i}] = ${fi} is not a feature index below ${F}`);
      if (!(tree.left[i] > i && tree.left[i] < n && tree.right[i] > i && tree.right[i] < n)) return bad(`trees[${t}] node ${i} has invalid children`);
    }
  }
  return [];
}
