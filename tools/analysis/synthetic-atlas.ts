// A seeded synthetic atlas for tests and demos (no Allen data is bundled): a small label tree in the
// Allen structure-graph JSON format (real Allen ids and acronyms), the same tree as a ClearMap
// annotation table (CSV with collapse marks), and an annotation volume with nested regions.
//   node dist/tools/analysis/synthetic-atlas.js <outDir> [seed] [X Y Z]
// writes structure_graph.json, annotation_info.csv, annotation.mhd + annotation.raw (uint16).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Shape3, Volume } from '../../engine/data/volume.js';
import { makeVolume } from '../../engine/data/volume.js';
import { writeMhdHeader } from '../../engine/data/raw-volume.js';
import { seededRandom } from '../../engine/data/random.js';

export interface AllenNode { id: number; name: string; acronym: string; color_hex_triplet: string; parent_structure_id: number | null; collapse?: boolean; children: AllenNode[] }

type Spec = [id: number, acronym: string, name: string, collapse: boolean, children?: Spec[]];

// The tree (levels: root 0, grey/fiber tracts 1, CTX/CNU/BS 2, ...). Collapse marks as ClearMap's table puts them.
const TREE: Spec = [997, 'root', 'root', true, [
  [8, 'grey', 'Basic cell groups and regions', true, [
    [688, 'CTX', 'Cerebral cortex', true, [
      [500, 'MO', 'Somatomotor areas', true, [[107, 'MO1', 'Somatomotor areas, Layer 1', false], [219, 'MO2/3', 'Somatomotor areas, Layer 2/3', false], [299, 'MO5', 'Somatomotor areas, Layer 5', false]]],
      [453, 'SS', 'Somatosensory areas', true, [[12993, 'SS1', 'Somatosensory areas, layer 1', false], [12994, 'SS2/3', 'Somatosensory areas, layer 2/3', false], [12995, 'SS4', 'Somatosensory areas, layer 4', false]]],
    ]],
    [623, 'CNU', 'Cerebral nuclei', true, [
      [477, 'STR', 'Striatum', true, [[672, 'CP', 'Caudoputamen', false], [56, 'ACB', 'Nucleus accumbens', false]]],
      [803, 'PAL', 'Pallidum', true],
    ]],
    [343, 'BS', 'Brain stem', true, [[549, 'TH', 'Thalamus', true], [1097, 'HY', 'Hypothalamus', true]]],
  ]],
  [1009, 'fiber tracts', 'fiber tracts', true],
]];

export { seededRandom };

export interface SyntheticAtlas {
  graph: AllenNode;
  csv: string;
  annotation: Volume<Uint16Array>;
}

export function makeSyntheticAtlas(seed = 1, shape: Shape3 = [64, 80, 48]): SyntheticAtlas {
  const rnd = seededRandom(seed);
  const jitter = (v: number, amount: number) => v + (rnd() * 2 - 1) * amount;
  const color = () => Array.from({ length: 3 }, () => Math.floor(64 + rnd() * 192).toString(16).padStart(2, '0')).join('').toUpperCase();

  const build = (s: Spec, parent: number | null): AllenNode => ({
    id: s[0], acronym: s[1], name: s[2], color_hex_triplet: color(), parent_structure_id: parent, collapse: s[3],
    children: (s[4] ?? []).map((c) => build(c, s[0])),
  });
  const graph = build(TREE, null);

  const rows: string[] = ['id,name,acronym,red,green,blue,structure_order,parent_id,parent_acronym,collapse', '0,background,background,0,0,0,0,,,x'];
  let order = 1;
  const q = (s: string) => (/[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const emit = (n: AllenNode, parent?: AllenNode) => {
    const c = n.color_hex_triplet;
    rows.push([n.id, q(n.name), q(n.acronym), parseInt(c.slice(0, 2), 16), parseInt(c.slice(2, 4), 16), parseInt(c.slice(4, 6), 16),
      100 * order++, parent?.id ?? '', parent ? q(parent.acronym) : '', n.collapse ? 'x' : ''].join(','));
    n.children.forEach((ch) => emit(ch, n));
  };
  emit(graph);

  // geometry: an ellipsoidal brain split along x into cortex / cerebral nuclei / brain stem, then along y
  // and z into their children; an outer shell labelled with the parent 'grey' itself and a fibre sheet.
  const [X, Y, Z] = shape;
  const c = [X / 2, Y / 2, Z / 2], r = [jitter(0.44, 0.03) * X, jitter(0.44, 0.03) * Y, jitter(0.42, 0.03) * Z];
  const b1 = jitter(0.42, 0.05), b2 = jitter(0.7, 0.05), ySplit = jitter(0.5, 0.08), zLayers = [jitter(0.35, 0.05), jitter(0.65, 0.05)];
  const data = new Uint16Array(X * Y * Z);
  for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) {
    const d = ((x + 0.5 - c[0]) / r[0]) ** 2 + ((y + 0.5 - c[1]) / r[1]) ** 2 + ((z + 0.5 - c[2]) / r[2]) ** 2;
    if (d >= 1) continue;
    const u = (x + 0.5 - (c[0] - r[0])) / (2 * r[0]); // 0..1 across the brain in x
    const v = (y + 0.5 - (c[1] - r[1])) / (2 * r[1]);
    const w = (z + 0.5 - (c[2] - r[2])) / (2 * r[2]);
    let id: number;
    if (d > 0.85) id = 8;                                     // shell: annotated at the parent level
    else if (Math.abs(z + 0.5 - c[2]) < 1 && u > b1) id = 1009; // fibre sheet
    else if (u < b1) {
      const layer = w < zLayers[0] ? 0 : w < zLayers[1] ? 1 : 2;
      id = v < ySplit ? [107, 219, 299][layer] : [12993, 12994, 12995][layer];
    } else if (u < b2) id = v < ySplit ? (w < 0.5 ? 672 : 56) : 803;
    else id = v < ySplit ? 549 : 1097;
    data[x + X * (y + Y * z)] = id;
  }
  return { graph, csv: rows.join('\n') + '\n', annotation: makeVolume(data, shape, { voxelSize: [25, 25, 25] }) };
}

export function writeSyntheticAtlas(dir: string, seed = 1, shape?: Shape3): { graph: string; csv: string; mhd: string } {
  mkdirSync(dir, { recursive: true });
  const a = makeSyntheticAtlas(seed, shape);
  const files = { graph: join(dir, 'structure_graph.json'), csv: join(dir, 'annotation_info.csv'), mhd: join(dir, 'annotation.mhd') };
  writeFileSync(files.graph, JSON.stringify({ msg: [a.graph] }, null, 1));
  writeFileSync(files.csv, a.csv);
  writeFileSync(join(dir, 'annotation.raw'), new Uint8Array(a.annotation.data.buffer));
  writeMhdHeader(files.mhd, 'annotation.raw', a.annotation.shape, 'uint16', a.annotation.voxelSize);
  return files;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const [dir, seed, ...s] = process.argv.slice(2);
  if (!dir) { console.error('usage: synthetic-atlas <outDir> [seed] [X Y Z]'); process.exit(2); }
  const shape = s.length === 3 ? (s.map(Number) as Shape3) : undefined;
  console.log(writeSyntheticAtlas(dir, seed ? Number(seed) : 1, shape));
}
