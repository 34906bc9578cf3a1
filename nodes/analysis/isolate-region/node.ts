// Node 'isolate-region': keep a volume only inside an atlas region and all its descendants (zero
// elsewhere), e.g. to restrict a heat map or p-value map to one brain area. Streamed in z-slabs.
import type { VolumeRef } from '../../../engine/core/artefacts.js';
import { defineWholeNode } from '../../../engine/core/node-type.js';
import { planesPerSlab, RawOutput, regionTree } from '../lib/node-helpers.js';

export const isolateRegionNode = defineWholeNode({
  kind: 'whole',
  type: 'isolate-region',
  version: '1',
  description: 'Zero a volume outside an atlas region and its descendants (region given by acronym or id).',
  inputs: {
    input: { type: 'volume', description: 'Volume on the annotation grid (heat map, p-values, ...).' },
    annotation: { type: 'volume', description: 'Annotation (label) volume of the same shape.' },
    structures: { type: 'json', optional: true, description: "Region hierarchy from an 'atlas' node (instead of param 'labels')." },
  },
  outputs: {
    output: { type: 'volume', description: 'The input inside the region, 0 elsewhere (same dtype).' },
  },
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['region'],
    properties: {
      labels: { type: 'string', format: 'path', description: "Label file when input 'structures' is not wired (.csv ClearMap table, .json Allen graph or BrainGlobe structures), relative to the workflow." },
      region: { type: ['string', 'integer'], description: "Region acronym (e.g. 'CTX') or id." },
    },
  },
  async run(inputs, params, ctx) {
    const v = inputs.input as VolumeRef, ann = inputs.annotation as VolumeRef;
    if (v?.kind !== 'volume' || ann?.kind !== 'volume') throw new Error(`node '${ctx.nodeId}': inputs 'input' and 'annotation' must be volumes`);
    if (v.shape.some((s, i) => s !== ann.shape[i])) throw new Error(`node '${ctx.nodeId}': input [${v.shape}] and annotation [${ann.shape}] differ in shape`);
    const tree = await regionTree(inputs.structures, params.labels, ctx);
    let keep: Set<number>;
    try { keep = tree.descendants(tree.resolve(params.region)); } catch (e) { throw new Error(`node '${ctx.nodeId}': param 'region': ${(e as Error).message}`); }
    const out = new RawOutput(ctx.workDir, 'isolated', v.shape, v.dtype, v.voxelSize);
    const step = planesPerSlab(v.shape, [v, ann]);
    for (let z0 = 0; z0 < v.shape[2]; z0 += step) {
      ctx.signal.throwIfAborted();
      const z1 = Math.min(v.shape[2], z0 + step);
      const [d, a] = await Promise.all([ctx.readVolume(v, { z: [z0, z1] }), ctx.readVolume(ann, { z: [z0, z1] })]);
      const data = d.data, labels = a.data;
      for (let i = 0; i < data.length; i++) if (!keep.has(labels[i])) data[i] = 0;
      out.append(data);
      ctx.progress(z1, v.shape[2]);
    }
    ctx.log(`kept region ${params.region} and ${keep.size - 1} descendant(s)`);
    return { output: out.finish() };
  },
});
