// Points into an Imaris file, as ClearMap's IO.Imaris.writePoints: a group /Scene/Content/Points<k>
// with CoordsXYZR (n x 4 float32: the points in the file's physical coordinates, x * voxel + ExtMin,
// and a radius) and Time (n x 1 int64 zeros). The input file is never modified: a copy with the
// points added is written next to the destination and renamed into place (atomic).
import { copyFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { PointsArtefact } from '../../../engine/core/artefacts.js';
import { defineWholeNode } from '../../../engine/core/node-type.js';
import { ownerTag } from '../../../engine/cache/owner.js';
import { resolveOutPath } from '../../../engine/core/out-path.js';
import { closeImsFiles } from '../lib/ims/ims.js';

/** Imaris stores numbers in attributes as arrays of single characters. */
function attrText(g: { attrs: Record<string, { value: unknown }> }, name: string): string | undefined {
  const v = g.attrs[name]?.value;
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.map((c) => (c instanceof Uint8Array ? Buffer.from(c).toString('latin1') : String(c))).join('');
  if (v instanceof Uint8Array) return Buffer.from(v).toString('latin1');
  return undefined;
}

export async function addImsPoints(src: string, dest: string, points: PointsArtefact, name: string, radius: number): Promise<{ group: string; count: number }> {
  const h5 = (await import('h5wasm/node')).default;
  await h5.ready;
  mkdirSync(dirname(dest), { recursive: true });
  // owner-tagged like every temp in --out, so a killed run's leftover is swept by the next run
  const tmp = `${dest}.tmp-${ownerTag()}`;
  closeImsFiles();
  copyFileSync(src, tmp);
  let group = '';
  const n = points.points.coords.length / 3;
  try {
    const f = new h5.File(tmp, 'a');
    try {
      const info = f.get('DataSetInfo/Image') as unknown as { attrs: Record<string, { value: unknown }> } | null;
      if (!info) throw new Error(`${src}: not an Imaris file (no DataSetInfo/Image)`);
      const num = (...names: string[]) => {
        for (const k of names) { const t = attrText(info, k)?.replace(/\0/g, '').trim(); const v = t === undefined || t === '' ? NaN : Number(t); if (Number.isFinite(v)) return v; }
        throw new Error(`${src}: DataSetInfo/Image has no numeric ${names.join(' or ')}`);
      };
      // Imaris writes X/Y/Z; some writers ImageSizeX/Y/Z
      const size = ['X', 'Y', 'Z'].map((a) => num(a, `ImageSize${a}`));
      const lo = [0, 1, 2].map((i) => num(`ExtMin${i}`)), hi = [0, 1, 2].map((i) => num(`ExtMax${i}`));
      const scale = [0, 1, 2].map((i) => (hi[i] - lo[i]) / size[i]);
      let scene = f.get('Scene') as unknown as { keys(): string[]; get(k: string): unknown; create_group(k: string): unknown } | null;
      if (!scene) scene = f.create_group('Scene') as unknown as typeof scene;
      let content = scene!.get('Content') as unknown as { keys(): string[]; create_group(k: string): unknown } | null;
      if (!content) content = scene!.create_group('Content') as unknown as typeof content;
      const k = content!.keys().filter((s) => /^Points\d+$/.test(s)).length;
      group = `Scene/Content/Points${k}`;
      const g = content!.create_group(`Points${k}`) as unknown as {
        create_attribute(name: string, data: unknown): void;
        create_dataset(args: { name: string; data: unknown; shape: number[]; dtype?: string }): void;
      };
      g.create_attribute('Name', name);
      g.create_attribute('Unit', 'um');
      const xyzr = new Float32Array(4 * n);
      const c = points.points.coords;
      for (let i = 0; i < n; i++) {
        for (let a = 0; a < 3; a++) xyzr[4 * i + a] = c[3 * i + a] * scale[a] + lo[a];
        xyzr[4 * i + 3] = radius;
      }
      g.create_dataset({ name: 'CoordsXYZR', data: xyzr, shape: [n, 4], dtype: '<f' });
      g.create_dataset({ name: 'Time', data: new BigInt64Array(n), shape: [n, 1], dtype: '<q' });
    } finally {
      f.close();
    }
    renameSync(tmp, dest);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return { group, count: n };
}

export const writeImsPointsNode = defineWholeNode({
  type: 'write-ims-points',
  version: '1',
  kind: 'whole',
  description: "Add points to a copy of an Imaris .ims file as a Spots group (ClearMap's writePoints to Imaris): /Scene/Content/Points<k>/CoordsXYZR in the file's µm coordinates",
  inputs: { points: { type: 'points', description: 'points [x, y, z] in voxels of the .ims image (level 0)' } },
  outputs: { file: { type: 'file', description: 'the .ims copy with the points' } },
  params: {
    type: 'object',
    properties: {
      ims: { type: 'string', format: 'path', minLength: 1, description: 'existing .ims file, relative to the workflow file (not modified)' },
      path: { type: 'string', minLength: 1, description: 'destination .ims, relative to the results directory' },
      name: { type: 'string', default: 'cells', description: 'name of the Spots object' },
      radius: { type: 'number', exclusiveMinimum: 0, default: 0.5, description: 'spot radius (µm), as ClearMap' },
    },
    required: ['ims', 'path'],
    additionalProperties: false,
  },
  producesFiles: true,
  async run(inputs, params, ctx) {
    const a = inputs.points as PointsArtefact | undefined;
    if (!a || a.kind !== 'points') throw new Error(`${ctx.nodeId}: input 'points' is missing or not points`);
    const src = params.ims; // resolved against the workflow folder (and fingerprinted) by the engine
    const dest = resolveOutPath(ctx.outDir, params.path, `node '${ctx.nodeId}': params.path`);
    if (resolve(src) === resolve(dest)) throw new Error(`${ctx.nodeId}: 'path' must differ from 'ims' (the input file is never modified)`);
    const r = await addImsPoints(src, dest, a, params.name ?? 'cells', params.radius ?? 0.5);
    ctx.log(`wrote ${r.count} points to ${dest} (${r.group})`);
    return { file: { kind: 'file', path: dest } };
  },
});
