// Node 'atlas': one source node for a reference atlas — annotation, hemispheres, reference (when the
// atlas has one) and its structures — so workflows wire one node instead of four paths.
// The atlas is a BrainGlobe atlas folder found by name (atlas directory, then the in-box atlases/
// folder) or by path, or ClearMap's files (ABA annotation TIFF + ARA2 CSV / Allen JSON labels).
// Label volumes are decoded once here into integer MHD/RAW files in the node's cached work
// directory (annotation int32, hemispheres uint8 with 1 = left, 2 = right as BrainGlobe), so every
// downstream node reads them with one pread and no float64 copy.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Artefact, VolumeRef } from '../../../engine/core/artefacts.js';
import { type NodeContext, defineWholeNode, paramsSchema, type ParamsOf } from '../../../engine/core/node-type.js';
import type { DType, Shape3, Volume } from '../../../engine/data/volume.js';
import { openVolume } from '../../io/lib/formats.js';
import { orientVolume, parseOrientation } from '../../alignment/lib/orientation.js';
import { ATLAS_REGISTRY, findAtlas, localAtlasRegistry, looksLikePath, readAtlasFolder, type AtlasRegistry } from '../lib/atlas/atlas-store.js';
import { LabelTree } from '../lib/atlas/label-tree.js';
import { decodeLabelVolume } from '../lib/atlas/label-volume.js';
import { CLEARMAP_ABA_ORIENTATION, describeOrientation, orientationTuple, parseOrientationCode, xyzLetters } from '../lib/atlas/orientation-code.js';
import { RawOutput, resolvePath, triple } from '../lib/node-helpers.js';
import { fileIdentities } from '../../../engine/cache/keys.js';

/** What the node resolved its params to: files, layout, voxel size. */
export interface ResolvedAtlas {
  name: string;
  version: string;
  /** 'folder', 'clearmap-files', or where the atlas registry found it ('atlas-dir', 'in-box', a plugin's word) */
  source: string;
  dir?: string;
  annotation: string;
  structures: string;
  hemispheres?: string;
  reference?: string;
  /** BrainGlobe code of the stored arrays. */
  orientation: string;
  /** µm per voxel in [x, y, z] of the stored arrays (undefined: from the files). */
  voxelSize?: [number, number, number];
  /** Values of the hemispheres file meaning left / right. */
  leftValue: number;
  rightValue: number;
}

export function resolveAtlasParams(params: AtlasParams, baseDir: string, nodeId: string, registry: AtlasRegistry = localAtlasRegistry): ResolvedAtlas {
  const where = `node '${nodeId}'`;
  const spec = params.atlas;
  const files = (['annotation', 'labels', 'hemispheres', 'reference'] as const).filter((k) => params[k] !== undefined);
  if (spec !== undefined) {
    if (files.length) throw new Error(`${where}: param 'atlas' names a BrainGlobe atlas; do not also give ${files.map((f) => `'${f}'`).join(', ')}`);
    let found;
    try { found = looksLikePath(spec) ? findAtlas(spec, baseDir) : registry.find(spec); } catch (e) { throw new Error(`${where}: param 'atlas': ${(e as Error).message}`); }
    const f = readAtlasFolder(found.dir);
    const r = f.metadata.resolution;
    return {
      name: found.name, version: found.version || f.metadata.version, source: /[\\/]/.test(spec) || spec.startsWith('.') ? 'folder' : found.where, dir: f.dir,
      annotation: f.annotation, structures: f.structures, hemispheres: f.hemispheres, reference: f.reference,
      orientation: f.metadata.orientation, voxelSize: [r[2], r[1], r[0]], leftValue: 1, rightValue: 2,
    };
  }
  if (params.annotation === undefined || params.labels === undefined) {
    throw new Error(`${where}: set param 'atlas' (an atlas name such as 'allen_mouse_50um', or a BrainGlobe atlas folder) or params 'annotation' and 'labels' (ClearMap's files)`);
  }
  const res = params.resolution === undefined ? undefined : triple(params, 'resolution', nodeId);
  return {
    name: String(params.annotation).split(/[\\/]/).pop()!.replace(/\.tiff?$/i, ''), version: '', source: 'clearmap-files',
    annotation: resolvePath(baseDir, String(params.annotation)), structures: resolvePath(baseDir, String(params.labels)),
    hemispheres: params.hemispheres === undefined ? undefined : resolvePath(baseDir, String(params.hemispheres)),
    reference: params.reference === undefined ? undefined : resolvePath(baseDir, String(params.reference)),
    orientation: parseOrientationCode(params.sourceOrientation ?? CLEARMAP_ABA_ORIENTATION, `${where}: param 'sourceOrientation'`),
    voxelSize: res, leftValue: params.leftValue ?? 0, rightValue: params.rightValue ?? 255,
  };
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** BrainGlobe's hemispheres of a symmetric atlas: split the left-right axis at round(n/2) (Python rounding). */
export function splitHemispheres(shape: Shape3, orientation: string): Uint8Array {
  const letters = xyzLetters(orientation);
  const axis = letters.findIndex((l) => l === 'l' || l === 'r');
  const n = shape[axis];
  const half = n / 2, fl = Math.floor(half);
  const cut = half - fl === 0.5 ? (fl % 2 === 0 ? fl : fl + 1) : Math.round(half); // round-half-even
  const first = letters[axis] === 'r' ? 2 : 1, second = first === 2 ? 1 : 2;
  const [X, Y, Z] = shape;
  const out = new Uint8Array(X * Y * Z);
  for (let z = 0, i = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++, i++) {
    const c = axis === 0 ? x : axis === 1 ? y : z;
    out[i] = c < cut ? first : second;
  }
  return out;
}

function writeVolume(ctx: NodeContext, name: string, v: Volume): VolumeRef {
  const out = new RawOutput(ctx.workDir, name, v.shape, v.dtype, v.voxelSize);
  out.append(v.data);
  return out.finish();
}

async function openWithVoxelSize(path: string, voxelSize: [number, number, number] | undefined, what: string, nodeId: string): Promise<VolumeRef> {
  try { return (await openVolume(path, voxelSize ? { voxelSize } : {})).ref; } catch (e) { throw new Error(`node '${nodeId}': ${what}: ${(e as Error).message}`); }
}

const atlasParams = paramsSchema({
  type: 'object',
  additionalProperties: false,
  properties: {
    atlas: { type: 'string', description: "Atlas name (e.g. 'allen_mouse_50um', 'allen_mouse_25um') or a BrainGlobe atlas folder (relative to the workflow)." },
    annotation: { type: 'string', description: "ClearMap's files instead of 'atlas': annotation volume (e.g. ABA_25um_2017_annotation.tif), relative to the workflow." },
    labels: { type: 'string', description: 'With annotation: label file (ClearMap ARA2 .csv with collapse column, Allen structure graph .json, or BrainGlobe structures.json).' },
    hemispheres: { type: 'string', description: 'With annotation: hemispheres volume (values leftValue / rightValue); absent = split the left-right axis in half.' },
    reference: { type: 'string', description: 'With annotation: reference (template / autofluorescence) volume.' },
    resolution: { type: ['number', 'array'], items: { type: 'number', exclusiveMinimum: 0 }, minItems: 3, maxItems: 3, description: 'With annotation: µm per voxel [x, y, z] (default: from the file).' },
    sourceOrientation: { type: 'string', default: CLEARMAP_ABA_ORIENTATION, description: "With annotation: BrainGlobe code of the files' layout (ClearMap's ABA files: 'ras' = x dorsal->ventral, y anterior->posterior, z right->left)." },
    leftValue: { type: 'integer', default: 0, description: 'With annotation: value of the left hemisphere in the hemispheres file (ClearMap: 0).' },
    rightValue: { type: 'integer', default: 255, description: 'With annotation: value of the right hemisphere in the hemispheres file (ClearMap: 255).' },
    orientation: { type: 'string', description: "Lay the outputs out in this BrainGlobe code (letters in numpy/TIFF order pages, rows, columns = ClearMap z, y, x), e.g. 'ras' for ClearMap's ABA layout; default: as stored ('asr' for BrainGlobe atlases)." },
  },
});
type AtlasParams = ParamsOf<typeof atlasParams>;

export const atlasNode = defineWholeNode({
  kind: 'whole',
  type: 'atlas',
  version: '1',
  description: "A reference atlas as one source: annotation (int32 region ids), hemispheres (uint8, 1 = left, 2 = right), reference image (when the atlas has one), structures (the region hierarchy) and info. Give a BrainGlobe atlas by name (looked up in $CLEARMAP_ATLAS_DIR, default ~/.clearmap/atlases, then the in-box atlases/ folder, e.g. 'allen_mouse_50um') or folder, or ClearMap's files (annotation + labels).",
  inputs: {},
  outputs: {
    annotation: { type: 'volume', description: 'Region ids (int32; float64 only if an id exceeds 2^31), voxel size from the atlas.' },
    hemispheres: { type: 'volume', description: 'uint8: 1 = left, 2 = right (BrainGlobe values), same grid as the annotation.' },
    reference: { type: 'volume', optional: true, description: 'The average template image; not produced when the atlas has none (the in-box atlas has none; `clearmap atlas get` fetches one).' },
    structures: { type: 'json', description: 'The region hierarchy (id, acronym, name, parent, colour, collapse) for count-regions, isolate-region and friends.' },
    info: { type: 'json', description: '{ name, version, source, dir, orientation (BrainGlobe code of the outputs), axes, resolution [x, y, z] µm, shape [x, y, z], hasReference, annotationSha256, regions }' },
  },
  params: atlasParams,
  check(params) {
    const problems: string[] = [];
    for (const k of ['orientation', 'sourceOrientation'] as const) {
      if (params[k] !== undefined) { try { parseOrientationCode(params[k], k); } catch (e) { problems.push((e as Error).message); } }
    }
    if (params.atlas === undefined && (params.annotation === undefined || params.labels === undefined)) problems.push("set 'atlas' (a name or BrainGlobe folder) or both 'annotation' and 'labels'");
    return problems;
  },
  services: [ATLAS_REGISTRY],
  async externalIdentity(params, baseDir, services) {
    // a name resolves to files at key time: a newly downloaded atlas or a changed file reruns the node
    try {
      const r = resolveAtlasParams(params, baseDir, 'atlas', services?.find(ATLAS_REGISTRY));
      return { dir: r.dir, files: fileIdentities([r.annotation, r.structures, r.hemispheres, r.reference].filter((f): f is string => f !== undefined)) };
    } catch (e) {
      return { unresolved: (e as Error).message };
    }
  },
  async run(_inputs, params, ctx) {
    const id = ctx.nodeId;
    const a = resolveAtlasParams(params, ctx.baseDir, id, ctx.services?.find(ATLAS_REGISTRY));
    const outCode = params.orientation === undefined ? a.orientation : parseOrientationCode(params.orientation, `node '${id}': param 'orientation'`);
    const orient = parseOrientation(orientationTuple(a.orientation, outCode));
    const reorient = outCode !== a.orientation;
    let tree: LabelTree;
    try { tree = LabelTree.load(a.structures); } catch (e) { throw new Error(`node '${id}': structures: ${(e as Error).message}`); }

    const annRef = await openWithVoxelSize(a.annotation, a.voxelSize, 'annotation', id);
    const voxelSize = annRef.voxelSize;
    const read = (ref: VolumeRef, region: { z: [number, number] }) => ctx.readVolume(ref, region);
    const annotation = await decodeLabelVolume(annRef, read);
    annotation.voxelSize = voxelSize;
    if (annotation.dtype === 'float64') ctx.log('annotation ids exceed int32: kept as float64');
    const labelsSeen = new Set<number>();
    { let last = NaN; const d = annotation.data; for (let i = 0; i < d.length; i++) if (d[i] !== last) { last = d[i]; labelsSeen.add(last); } }
    const missing = [...labelsSeen].filter((l) => !tree.has(l));
    if (missing.length) ctx.log(`${missing.length} annotation id(s) are not in ${a.structures}: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''} (counted as unknown regions)`);

    // hemispheres: 1 = left, 2 = right on the annotation grid
    let hemi: Uint8Array;
    if (a.hemispheres) {
      const hRef = await openWithVoxelSize(a.hemispheres, voxelSize, 'hemispheres', id);
      if (hRef.shape.some((s, i) => s !== annRef.shape[i])) throw new Error(`node '${id}': hemispheres ${a.hemispheres} has shape [${hRef.shape}] but the annotation has [${annRef.shape}]`);
      const h = (await decodeLabelVolume(hRef, read)).data;
      hemi = new Uint8Array(h.length);
      let other = 0;
      for (let i = 0; i < h.length; i++) { const v = h[i]; hemi[i] = v === a.leftValue ? 1 : v === a.rightValue ? 2 : (other++, 0); }
      if (other) ctx.log(`hemispheres: ${other} voxels are neither ${a.leftValue} (left) nor ${a.rightValue} (right); marked 0`);
    } else {
      hemi = splitHemispheres(annRef.shape, a.orientation);
    }
    const hemispheres: Volume = { data: hemi, shape: annRef.shape, dtype: 'uint8', voxelSize, origin: [0, 0, 0] };

    const outputs: Record<string, Artefact> = {
      annotation: writeVolume(ctx, 'annotation', reorient ? orientVolume(annotation, orient) : annotation),
      hemispheres: writeVolume(ctx, 'hemispheres', reorient ? orientVolume(hemispheres, orient) : hemispheres),
    };
    if (a.reference) {
      const refRef = await openWithVoxelSize(a.reference, voxelSize, 'reference', id);
      if (refRef.shape.some((s, i) => s !== annRef.shape[i])) throw new Error(`node '${id}': reference ${a.reference} has shape [${refRef.shape}] but the annotation has [${annRef.shape}]`);
      outputs.reference = reorient ? writeVolume(ctx, 'reference', orientVolume(await ctx.readVolume(refRef), orient)) : refRef;
    } else ctx.log(`atlas '${a.name}' has no reference image (output 'reference' not produced)`);
    const outRef = outputs.annotation as VolumeRef;
    outputs.structures = { kind: 'json', value: { ...tree.toStructures(), source: a.source === 'clearmap-files' ? a.structures : `${a.name}${a.version ? ` v${a.version}` : ''}` } };
    outputs.info = {
      kind: 'json',
      value: {
        name: a.name, version: a.version, source: a.source, dir: a.dir ?? null,
        orientation: outCode, axes: describeOrientation(outCode),
        resolution: outRef.voxelSize, shape: outRef.shape, dtype: outRef.dtype as DType,
        hasReference: a.reference !== undefined, annotationSha256: await sha256File(a.annotation), regions: tree.ids.length,
        hemisphereValues: { left: 1, right: 2 },
      },
    };
    ctx.log(`atlas ${a.name}${a.version ? ` v${a.version}` : ''} (${a.source}): [${outRef.shape}] voxels of ${outRef.voxelSize.join(' x ')} µm, ${describeOrientation(outCode)}, ${tree.ids.length} regions`);
    return outputs;
  },
});
