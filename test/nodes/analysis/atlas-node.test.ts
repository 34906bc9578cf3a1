// The in-box Allen atlas, the 'atlas' node and the BrainGlobe <-> ClearMap orientation mapping, on the
// real annotation in ../shared/data/atlas.
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeContext, WholeNodeType } from '../../../engine/core/node-type.js';
import type { VolumeRef } from '../../../engine/core/artefacts.js';
import { readRegion } from '../../../engine/data/read.js';
import type { Shape3 } from '../../../engine/data/volume.js';
import { analysisNodeTypes } from '../../../nodes/analysis/index.js';
import { LabelTree, type StructuresValue } from '../../../nodes/analysis/lib/atlas/label-tree.js';
import { allOrientationCodes, applyOrientationTuple, orientationTuple, xyzLetters, CLEARMAP_ABA_ORIENTATION } from '../../../nodes/analysis/lib/atlas/orientation-code.js';
import { orientVolume, parseOrientation } from '../../../nodes/alignment/lib/orientation.js';
import { inBoxAtlasDirectory, readAtlasFolder } from '../../../nodes/analysis/lib/atlas/atlas-store.js';
import { SHARED_DATA } from '../../shared-data.js';

const ATLAS = join(SHARED_DATA, 'atlas');
const node = (name: string) => analysisNodeTypes.find((n) => n.type === name) as WholeNodeType;
const root = mkdtempSync(join(tmpdir(), 'cm-atlas-node-'));
process.env.CLEARMAP_ATLAS_DIR = join(root, 'atlas-dir'); // empty: names resolve to the in-box atlas
let dirs = 0;
/** The in-box atlas through the atlas node, run once per file (tests share its outputs). */
let inBoxRun: ReturnType<WholeNodeType['run']> | undefined;
const inBox = () => (inBoxRun ??= node('atlas').run({}, { atlas: 'allen_mouse_50um' }, context('atlas')));
test.after.always(() => rmSync(root, { recursive: true, force: true }));

function context(nodeId: string): NodeContext {
  const workDir = join(root, `work-${dirs++}`);
  mkdirSync(workDir);
  return {
    nodeId, workDir, baseDir: root, outDir: join(root, 'out'), workers: 1, log: () => {}, progress: () => {},
    readVolume: (ref, region) => readRegion(ref, region), parallel: async () => [] as never, signal: new AbortController().signal,
  };
}

test('orientation codes <-> ClearMap tuples: both ways, and the tuple moves real voxels where the codes say', (t) => {
  const codes = allOrientationCodes();
  t.is(new Set(codes).size, 48);
  // a volume whose voxel value encodes its anatomical position (AP, DV, LR measured from a, s, l)
  const size = { a: 2, s: 3, l: 4 } as Record<string, number>;
  const axisOf: Record<string, string> = { a: 'a', p: 'a', s: 's', i: 's', l: 'l', r: 'l' };
  const build = (code: string) => {
    const letters = xyzLetters(code);
    const shape = letters.map((l) => size[axisOf[l]]) as Shape3;
    const data = new Int32Array(24);
    for (let z = 0, k = 0; z < shape[2]; z++) for (let y = 0; y < shape[1]; y++) for (let x = 0; x < shape[0]; x++, k++) {
      const pos: Record<string, number> = {};
      [x, y, z].forEach((c, i) => { const l = letters[i]; const ax = axisOf[l]; pos[ax] = l === ax ? c : size[ax] - 1 - c; });
      data[k] = pos.a * 100 + pos.s * 10 + pos.l;
    }
    return { data, shape, dtype: 'int32' as const, voxelSize: [1, 1, 1] as [number, number, number], origin: [0, 0, 0] as [number, number, number] };
  };
  for (const from of codes) for (const to of codes) {
    const tuple = orientationTuple(from, to);
    if (applyOrientationTuple(from, tuple) !== to) { t.fail(`${from} -> ${to}: tuple ${tuple} gives ${applyOrientationTuple(from, tuple)}`); return; }
    const moved = orientVolume(build(from), parseOrientation(tuple));
    const want = build(to);
    if (moved.shape.join() !== want.shape.join() || moved.data.join() !== want.data.join()) { t.fail(`${from} -> ${to}: tuple ${tuple} misplaces voxels`); return; }
  }
  // ClearMap's ABA layout (x = DV, y = AP, z = ML) to BrainGlobe's asr: x <- z, y <- x, z <- y
  t.deepEqual(orientationTuple(CLEARMAP_ABA_ORIENTATION, 'asr'), [3, 1, 2]);
  t.deepEqual(orientationTuple('asr', 'asl'), [-1, 2, 3]);
  t.is(applyOrientationTuple('asr', [-1, 2, 3]), 'asl');
  t.throws(() => orientationTuple('asa', 'asr'), { message: /names an anatomical axis twice/ });
});

test('in-box atlas: BrainGlobe folder, 50 µm asr, equals ClearMap\'s 2017 file re-laid out; hierarchy kept', async (t) => {
  const f = readAtlasFolder(join(inBoxAtlasDirectory(), 'allen_mouse_50um'));
  t.is(f.metadata.orientation, 'asr');
  t.deepEqual(f.metadata.shape, [264, 160, 228]);
  t.deepEqual(f.metadata.resolution, [50, 50, 50]);
  t.is(f.reference, undefined);
  const out = await inBox();
  const ann = out.annotation as VolumeRef;
  t.is(ann.dtype, 'int32');
  t.deepEqual(ann.shape, [228, 160, 264]);
  t.deepEqual(ann.voxelSize, [50, 50, 50]);
  t.false('reference' in out);
  const mine = (await readRegion(ann)).data;
  // ClearMap's file ([x, y, z] = DV, AP, ML) oriented into asr must be the same array
  const { openVolume } = await import('../../../nodes/io/lib/formats.js');
  const cm = await readRegion((await openVolume(join(ATLAS, 'ABA_50um_2017_annotation.tif'))).ref);
  const moved = orientVolume(cm, parseOrientation(orientationTuple(CLEARMAP_ABA_ORIENTATION, 'asr')));
  t.deepEqual(moved.shape, ann.shape);
  let diff = 0;
  for (let i = 0; i < mine.length; i++) if (mine[i] !== moved.data[i]) diff++;
  t.is(diff, 0);
  // hemispheres: BrainGlobe values, x (right -> left) first half = right = 2
  const hem = (await readRegion(out.hemispheres as VolumeRef)).data;
  t.is((out.hemispheres as VolumeRef).dtype, 'uint8');
  const X = ann.shape[0];
  t.is(hem[0], 2); t.is(hem[113], 2); t.is(hem[114], 1); t.is(hem[X - 1], 1);
  // structures: the hierarchy of structure_id_path, root = level 0
  const tree = LabelTree.fromStructures((out.structures as { value: StructuresValue }).value);
  const ctx = tree.get(tree.resolve('CTX'))!;
  t.is(tree.get(ctx.parent)!.acronym, 'CH');
  t.is(tree.get(tree.resolve('root'))!.level, 0);
  t.deepEqual(tree.structurePath(tree.resolve('CTX')).map((i) => tree.get(i)!.acronym), ['root', 'grey', 'CH', 'CTX']);
  const info = (out.info as { value: Record<string, unknown> }).value;
  t.is(info.orientation, 'asr');
  t.is(info.source, 'in-box');
  t.false(info.hasReference);
  // an unknown name says how to get it
  await t.throwsAsync(node('atlas').run({}, { atlas: 'allen_mouse_10um' }, context('missing')), { message: /allen_mouse_10um' is not installed\. Get it with `clearmap atlas get allen_mouse_10um`/ });
});

test('atlas node on ClearMap\'s files (ARA2 CSV / Allen JSON) laid out as asr equals the in-box atlas', async (t) => {
  const inbox = await inBox();
  const files = await node('atlas').run({}, {
    annotation: join(ATLAS, 'ABA_50um_2017_annotation.tif'), labels: join(ATLAS, 'ABA_annotation_last.json'),
    hemispheres: join(ATLAS, 'ABA_50um_hemispheres.tif'), resolution: 50, orientation: 'asr',
  }, context('a2'));
  for (const k of ['annotation', 'hemispheres'] as const) {
    const a = inbox[k] as VolumeRef, b = files[k] as VolumeRef;
    t.deepEqual(b.shape, a.shape); t.is(b.dtype, a.dtype); t.deepEqual(b.voxelSize, a.voxelSize);
    t.is(Buffer.compare(Buffer.from((await readRegion(b)).data.buffer), Buffer.from((await readRegion(a)).data.buffer)), 0, k);
  }
  // `level` means the same depth with the Allen JSON (universe above root) and with BrainGlobe structures
  const json = LabelTree.fromStructures((files.structures as { value: StructuresValue }).value);
  const bg = LabelTree.fromStructures((inbox.structures as { value: StructuresValue }).value);
  for (const acr of ['root', 'CTX', 'MOp', 'CA1']) t.is(json.get(json.resolve(acr))!.level, bg.get(bg.resolve(acr))!.level, acr);
  const csv = LabelTree.load(join(ATLAS, 'ARA2_annotation_info_collapse.csv'));
  for (const acr of ['root', 'CTX', 'MOp', 'CA1']) t.is(csv.get(csv.resolve(acr))!.level, bg.get(bg.resolve(acr))!.level, acr);
  const e = await t.throwsAsync(node('atlas').run({}, { annotation: 'x.tif' }, context('a3')));
  t.regex(e!.message, /set param 'atlas'/);
});

test('an unrecognised label file is an error, never a flat list', (t) => {
  t.throws(() => LabelTree.fromJson([{ foo: 1 }], 'x.json'), { message: /x\.json: not a recognised label file/ });
  t.throws(() => LabelTree.fromJson({ something: 'else' }, 'y.json'), { message: /not a recognised label file/ });
  t.throws(() => LabelTree.fromAnnotationCsv('a,b,c\n1,2,3\n', 'z.csv'), { message: /z\.csv: not a recognised label table: the header has no 'id' column/ });
  t.throws(() => LabelTree.fromBrainGlobeStructures([{ id: 5, acronym: 'X', name: 'x', structure_id_path: [997, 4] }], 's.json'), { message: /does not end with the region's own id/ });
});

test('overlay-labels with the atlas structures draws regions in their Allen colours', async (t) => {
  const { overlayLabelsNode } = await import('../../../nodes/pictures/index.js');
  const { readPngPixels, runNode, volumeOnDisk } = await import('../pictures/_helpers.js');
  const atlas = await inBox();
  const tree = LabelTree.fromStructures((atlas.structures as { value: StructuresValue }).value);
  const ids = ['CTX', 'CP', 'TH'].map((a) => tree.resolve(a));
  const dir = join(root, 'ov');
  mkdirSync(dir);
  const grey = volumeOnDisk(dir, 'g', Uint8Array.from([0, 128, 255]), [3, 1, 1]);
  const labels = volumeOnDisk(dir, 'l', Int32Array.from(ids), [3, 1, 1]);
  await runNode(overlayLabelsNode, { input: grey, labels, structures: atlas.structures }, { alpha: 1, percentiles: [0, 100], gap: 0 }, dir);
  const png = readPngPixels(join(dir, 'labels.png'));
  t.deepEqual([png.rgb(0, 0), png.rgb(1, 0), png.rgb(2, 0)], ids.map((id) => tree.get(id)!.color));
});

test('label volumes are decoded once and kept integer: a uint32 TIFF (read as float64) is narrowed to int32 and shared', async (t) => {
  const { sharedLabelVolume, clearSharedLabelVolumes } = await import('../../../nodes/analysis/lib/atlas/label-volume.js');
  const { openVolume } = await import('../../../nodes/io/lib/formats.js');
  clearSharedLabelVolumes();
  const ref = (await openVolume(join(ATLAS, 'ABA_50um_2017_annotation.tif'))).ref;
  t.is(ref.dtype, 'float64'); // the generic reader widens uint32
  let reads = 0;
  const read = (r: VolumeRef, region: { z: [number, number] }) => { reads++; return readRegion(r, region); };
  const a = await sharedLabelVolume(ref, read);
  const readsFirst = reads;
  const b = await sharedLabelVolume(ref, read);
  t.is(a, b);
  t.is(reads, readsFirst, 'the second node reads nothing');
  t.is(a.dtype, 'int32'); t.true(a.data instanceof Int32Array);
  const wide = (await readRegion(ref)).data;
  let diff = 0;
  for (let i = 0; i < wide.length; i++) if (wide[i] !== a.data[i]) diff++;
  t.is(diff, 0);
});
