// `npm run bench`: every section measures ClearMap.ts and, where there is one, the reference it is
// compared with, in the same run on the same machine, and prints the ratios.
// Usage: npm run bench [-- section ...]   (sections: engine, io, detection, alignment, analysis, scale; wholebrain only when named)
import { cpus, totalmem } from 'node:os';
import type { BenchRow } from './util.js';
import { engineBench } from './engine.bench.js';
import { ioBench } from './io.bench.js';
import { analysisBench } from './analysis.bench.js';
import { alignmentBench } from './alignment.bench.js';
import { detectionBench } from './detection.bench.js';
import { scaleBench } from './scale.bench.js';
import { wholebrainBench } from './wholebrain.bench.js';

const sections: Record<string, () => Promise<BenchRow[]>> = {
  engine: engineBench,
  io: ioBench,
  detection: detectionBench,
  alignment: alignmentBench,
  analysis: analysisBench,
  scale: scaleBench,
  wholebrain: wholebrainBench,
};
// long: only when named
const notByDefault = new Set(['wholebrain']);

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(sections).filter((k) => !notByDefault.has(k));
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);
for (const name of wanted) {
  const fn = sections[name];
  if (!fn) {
    console.error(`unknown benchmark section '${name}' (have: ${Object.keys(sections).join(', ')})`);
    process.exit(2);
  }
  const rows = await fn();
  for (const r of rows) console.log(`${r.section.padEnd(10)} ${r.case.padEnd(70)} ${r.value.toFixed(2).padStart(10)} ${r.unit}${r.note ? `  (${r.note})` : ''}`);
}
