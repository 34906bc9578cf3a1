// A small random forest for two classes (0 = background, 1 = cell): CART trees grown on bootstrap
// samples with the Gini criterion and a random subset of features at each split (as ilastik's
// vigra random forest). A seeded RNG makes training deterministic: same samples + params -> same trees.
import { seededRandom } from 'clearmap-ts';

/** A tree as flat arrays; feature[i] = -1 marks a leaf whose value[i] is the fraction of cell samples. */
export interface Tree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

export interface ForestOptions {
  trees: number;
  maxDepth: number;
  minSamplesLeaf: number;
  /** Features tried per split; null = round(sqrt(number of features)). */
  featuresPerSplit: number | null;
  seed: number;
}

/** The engine's seeded generator (mulberry32): deterministic bootstrap draws for a seed. */
export const rng = seededRandom;

/**
 * Train on n samples of F features (row-major `x`, float32) with labels `y` (0/1).
 * Returns the trees and the out-of-bag error (fraction of samples misclassified by the trees that did
 * not see them; NaN if every sample was in every bootstrap).
 */
export function trainForest(x: Float32Array, y: Uint8Array, F: number, o: ForestOptions): { trees: Tree[]; oobError: number } {
  const n = y.length;
  const random = rng(o.seed);
  const mtry = Math.max(1, Math.min(F, o.featuresPerSplit ?? Math.round(Math.sqrt(F))));
  const trees: Tree[] = [];
  const oobSum = new Float64Array(n), oobCount = new Int32Array(n);
  for (let t = 0; t < o.trees; t++) {
    const boot = new Int32Array(n);
    const inBag = new Uint8Array(n);
    for (let i = 0; i < n; i++) { const j = Math.floor(random() * n); boot[i] = j; inBag[j] = 1; }
    const tree: Tree = { feature: [], threshold: [], left: [], right: [], value: [] };
    grow(tree, boot, 0);
    trees.push(tree);
    for (let i = 0; i < n; i++) if (!inBag[i]) { oobSum[i] += predictTree(tree, (f) => x[i * F + f]); oobCount[i]++; }
  }
  let wrong = 0, counted = 0;
  for (let i = 0; i < n; i++) if (oobCount[i]) { counted++; if ((oobSum[i] / oobCount[i] > 0.5 ? 1 : 0) !== y[i]) wrong++; }
  return { trees, oobError: counted ? wrong / counted : NaN };

  function grow(tree: Tree, idx: Int32Array, depth: number): number {
    const node = tree.feature.length;
    let cells = 0;
    for (let k = 0; k < idx.length; k++) cells += y[idx[k]];
    tree.feature.push(-1); tree.threshold.push(0); tree.left.push(-1); tree.right.push(-1); tree.value.push(cells / idx.length);
    const m = idx.length;
    if (depth >= o.maxDepth || m < 2 * o.minSamplesLeaf || cells === 0 || cells === m) return node;
    // features to try: a partial Fisher-Yates draw without replacement
    const pool = Array.from({ length: F }, (_, f) => f);
    for (let k = 0; k < mtry; k++) { const j = k + Math.floor(random() * (F - k)); [pool[k], pool[j]] = [pool[j], pool[k]]; }
    const parentImpurity = m * gini(cells, m);
    let best = parentImpurity, bestF = -1, bestThr = 0;
    const vals = new Float64Array(m);
    const order = new Int32Array(m);
    for (let k = 0; k < mtry; k++) {
      const f = pool[k];
      for (let s = 0; s < m; s++) { vals[s] = x[idx[s] * F + f]; order[s] = s; }
      order.sort((a, b) => vals[a] - vals[b] || a - b);
      let nl = 0, cl = 0;
      for (let s = 0; s < m - 1; s++) {
        nl++; cl += y[idx[order[s]]];
        const v = vals[order[s]], next = vals[order[s + 1]];
        if (v === next || nl < o.minSamplesLeaf || m - nl < o.minSamplesLeaf) continue;
        const score = nl * gini(cl, nl) + (m - nl) * gini(cells - cl, m - nl);
        if (score < best) { best = score; bestF = f; bestThr = (v + next) / 2; }
      }
    }
    if (bestF < 0) return node;
    const leftIdx: number[] = [], rightIdx: number[] = [];
    for (let k = 0; k < m; k++) (x[idx[k] * F + bestF] <= bestThr ? leftIdx : rightIdx).push(idx[k]);
    tree.feature[node] = bestF;
    tree.threshold[node] = bestThr;
    const l = grow(tree, Int32Array.from(leftIdx), depth + 1);
    tree.left[node] = l;
    const r = grow(tree, Int32Array.from(rightIdx), depth + 1);
    tree.right[node] = r;
    return node;
  }
}

function gini(cells: number, n: number): number {
  const p = cells / n;
  return 1 - p * p - (1 - p) * (1 - p);
}

export function predictTree(tree: Tree, feature: (f: number) => number): number {
  let i = 0;
  while (tree.feature[i] >= 0) i = feature(tree.feature[i]) <= tree.threshold[i] ? tree.left[i] : tree.right[i];
  return tree.value[i];
}

/** Cell probability: the mean of the trees' leaf values (summed in tree order, so deterministic). */
export function predictForest(trees: Tree[], feature: (f: number) => number): number {
  let s = 0;
  for (const t of trees) s += predictTree(t, feature);
  return s / trees.length;
}
