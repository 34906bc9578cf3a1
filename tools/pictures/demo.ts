// Pictures demo and timing: renders every picture node on the seeded phantom (tools/demo/small-phantom.ts)
// plus a run report, so a person can look at them; `--big` also times `tiles` on 2160×2560 planes.
//   npm run build && node dist/tools/pictures/demo.js [outDir] [--big]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Artefact } from '../../engine/core/artefacts.js';
import type { NodeContext, WholeNodeType } from '../../engine/core/node-type.js';
import type { RunSummary } from '../../engine/core/events.js';
import { makePoints } from '../../engine/data/points.js';
import { rawVolumeRef } from '../../engine/data/raw-volume.js';
import { readRegion } from '../../engine/data/read.js';
import { dtypeOf, type Shape3, type TypedArray } from '../../engine/data/volume.js';
import { overlayLabelsNode, overlayPointsNode, sectionNode, tilesNode } from '../../nodes/pictures/index.js';
import { writeRunReport, type ReportNode } from '../../app/report/index.js';
import { ATLAS_SHAPE, makePhantom, REGIONS, SAMPLE_SHAPE } from '../demo/small-phantom.js';

const args = process.argv.slice(2);
const outDir = resolve(args.find((a) => !a.startsWith('--')) ?? 'results/pictures-demo');
const dataDir = join(outDir, 'data');
mkdirSync(dataDir, { recursive: true });

function volume(name: string, data: TypedArray, shape: Shape3) {
  const path = join(dataDir, `${name}.raw`);
  writeFileSync(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return rawVolumeRef(path, shape, dtypeOf(data), [1, 1, 1]);
}

function context(nodeId: string): NodeContext {
  return {
    nodeId, workDir: join(outDir, '.work'), baseDir: outDir, outDir, workers: 1,
    log: (m) => console.log(`  ${nodeId}: ${m}`), progress: () => {},
    readVolume: (ref, region) => readRegion(ref, region),
    parallel: async () => { throw new Error('not used by picture nodes'); },
    signal: new AbortController().signal,
  };
}

const nodes: ReportNode[] = [];
const summary: RunSummary = { workflow: 'pictures demo', ok: true, nodes: [], seconds: 0, peakRssMB: 0 };

async function run(id: string, node: WholeNodeType, inputs: Record<string, Artefact>, inputNames: Record<string, string>, params: Record<string, unknown>) {
  const full: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(node.params.properties)) if ('default' in s) full[k] = structuredClone(s.default);
  Object.assign(full, params);
  const t0 = performance.now();
  await node.run(inputs, full, context(id));
  const seconds = (performance.now() - t0) / 1000;
  summary.nodes.push({ id, type: node.type, status: 'computed', seconds });
  nodes.push({ nodeId: id, type: node.type, params: full, inputs: inputNames });
  console.log(`${id}: ${seconds.toFixed(2)} s`);
}

const ph = makePhantom();
const cfos = volume('cfos', ph.cfos, SAMPLE_SHAPE);
const reference = volume('reference', ph.reference, ATLAS_SHAPE);
const annotation = volume('annotation', ph.annotation, ATLAS_SHAPE);

// heat map: cells per atlas voxel; p-values: a made-up group difference (left half up, right half down)
const heat = new Float32Array(ATLAS_SHAPE[0] * ATLAS_SHAPE[1] * ATLAS_SHAPE[2]);
const [AX, AY] = ATLAS_SHAPE;
for (let i = 0; i < ph.cellsAtlas.length; i += 3) {
  const [x, y, z] = [0, 1, 2].map((k) => Math.round(ph.cellsAtlas[i + k]));
  if (x >= 0 && y >= 0 && z >= 0 && x < AX && y < AY && z < ATLAS_SHAPE[2]) heat[x + AX * (y + AY * z)]++;
}
const p = new Float32Array(heat.length), sign = new Float32Array(heat.length);
for (let i = 0; i < p.length; i++) {
  const x = i % AX, y = Math.floor(i / AX) % AY, z = Math.floor(i / (AX * AY));
  // two blobs of strong differences (up on the left, down on the right) on a background of weak ones
  const d = Math.min(Math.hypot(x - 18, y - 30, z - 26), Math.hypot(x - 42, y - 42, z - 26));
  p[i] = ph.annotation[i] ? Math.min(1, d < 9 ? 0.0005 + d / 400 : 0.06 + ((x * 7 + y * 3) % 50) / 100) : 1;
  sign[i] = x < AX / 2 ? 1 : -1;
}
const heatRef = volume('heat', heat, ATLAS_SHAPE), pRef = volume('p', p, ATLAS_SHAPE), signRef = volume('sign', sign, ATLAS_SHAPE);
const points = makePoints(ph.cellsSample, { region: Float64Array.from(ph.cellRegion) });

await run('tiles', tilesNode, { input: cfos }, { input: 'cfos.volume' }, { path: 'tiles.png', step: 26 });
await run('cells', overlayPointsNode, { input: cfos, points: { kind: 'points', points } }, { input: 'cfos.volume', points: 'detect.points' },
  { path: 'cells.png', z: [96, 112], step: 4, classColumn: 'region', marker: 'circle', markerSize: 3, zRadius: 2 });
await run('atlas', overlayLabelsNode, { input: reference, labels: annotation }, { input: 'reference.volume', labels: 'annotation.volume' },
  { path: 'atlas.png', step: 8, coloring: 'distinct', alpha: 0.45 });
await run('heat', sectionNode, { input: heatRef, atlas: annotation }, { input: 'density.volume', atlas: 'annotation.volume' },
  { path: 'heat-coronal.png', plane: 'coronal', zoom: 4, percentiles: [0, 99] });
await run('pvalues', sectionNode, { input: pRef, sign: signRef, atlas: annotation }, { input: 'stats.pvalues', sign: 'stats.sign', atlas: 'annotation.volume' },
  { path: 'pvalues-horizontal.png', mode: 'pvalues', plane: 'horizontal', zoom: 4, pcutoff: 0.05, positiveTrendColor: '#402020', negativeTrendColor: '#204020' });

if (args.includes('--big')) {
  // a 2160×2560×6 uint16 stack: time reading 3 planes and drawing them
  const [X, Y, Z] = [2160, 2560, 6];
  const big = new Uint16Array(X * Y * Z);
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 20;
  await run('big-tiles', tilesNode, { input: volume('big', big, [X, Y, Z]) }, { input: 'big.volume' }, { path: 'big-tiles.png', step: 2 });
}

const regionsById = new Map(Object.values(REGIONS).map((r) => [r.id, r]));
const table = {
  columns: ['id', 'acronym', 'name', 'count', 'pvalue'],
  rows: Object.entries(ph.counts).map(([id, count], k) => {
    const r = regionsById.get(+id);
    return [+id, r?.acronym ?? '?', r?.name ?? '?', count, [0.003, 0.2, 0.04, 0.7, 0.01, 0.5][k % 6]];
  }),
};
summary.seconds = summary.nodes.reduce((s, n) => s + n.seconds, 0);
summary.peakRssMB = process.memoryUsage().rss / 2 ** 20;
await writeRunReport(summary, {
  nodes,
  pictures: nodes.map((n) => ({ path: join(outDir, String(n.params.path)), nodeId: n.nodeId })),
  tables: [{ title: 'cells per region (phantom; p-values made up)', table, nodeId: 'cells' }],
}, join(outDir, 'report.html'));
console.log(`pictures and report.html in ${outDir}`);
