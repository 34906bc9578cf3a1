// Node 'color-pvalues': ClearMap's colorPValues over whole p-value / sign volumes, streamed in z-slabs,
// written as a multi-channel MHD (ElementNumberOfChannels = number of colour channels, interleaved).
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { VolumeRef } from '../../../engine/core/artefacts.js';
import { defineWholeNode } from '../../../engine/core/node-type.js';
import { colorPValues } from '../lib/statistics/ttest.js';
import { optionalNumber, planesPerSlab } from '../lib/node-helpers.js';

const colour = (description: string) => ({ type: 'array', items: { type: 'number' }, minItems: 1, description }) as const;

export const colorPValuesNode = defineWholeNode({
  kind: 'whole',
  type: 'color-pvalues',
  version: '1',
  description: "Colour p-values by the sign of the difference (ClearMap's colorPValues): intensity pmax - p times the colour for positive or negative differences; with pcutoff, non-significant voxels get the trend colours. Output: float32 multi-channel MHD (channels interleaved).",
  inputs: {
    pvalues: { type: 'volume', description: 'p-values, e.g. from ttest-voxels.' },
    sign: { type: 'volume', description: 'Sign of the difference, e.g. from ttest-voxels.' },
  },
  outputs: {
    colored: { type: 'file', description: 'colored.mhd (+ .raw): float32, one channel per colour component.' },
  },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      positive: colour('Colour of positive differences (A > B); ClearMap default [1, 0].'),
      negative: colour('Colour of negative differences; ClearMap default [0, 1].'),
      pcutoff: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'Split significant (p < pcutoff) from trend voxels; then all four colours need the same length.' },
      positiveTrend: colour('Colour of non-significant positive differences; ClearMap default [0, 0, 1, 0].'),
      negativeTrend: colour('Colour of non-significant negative differences; ClearMap default [0, 0, 0, 1].'),
      pmax: { type: 'number', description: 'Intensity is pmax - p; default: the largest p-value.' },
    },
  },
  async run(inputs, params, ctx) {
    const p = inputs.pvalues as VolumeRef, s = inputs.sign as VolumeRef;
    if (p?.kind !== 'volume' || s?.kind !== 'volume') throw new Error(`node '${ctx.nodeId}': inputs 'pvalues' and 'sign' must be volumes`);
    if (p.shape.some((v, i) => v !== s.shape[i])) throw new Error(`node '${ctx.nodeId}': pvalues [${p.shape}] and sign [${s.shape}] differ in shape`);
    const shape = p.shape;
    const step = planesPerSlab(shape, [p, s]);
    let pmax = optionalNumber(params, 'pmax', ctx.nodeId);
    if (pmax === undefined) { // ClearMap: pvals.max()
      pmax = -Infinity;
      for (let z0 = 0; z0 < shape[2]; z0 += step) {
        const d = (await ctx.readVolume(p, { z: [z0, Math.min(shape[2], z0 + step)] })).data;
        for (let i = 0; i < d.length; i++) if (d[i] > pmax) pmax = d[i];
      }
    }
    const opts = {
      positive: params.positive, negative: params.negative,
      positiveTrend: params.positiveTrend, negativeTrend: params.negativeTrend,
      pcutoff: optionalNumber(params, 'pcutoff', ctx.nodeId), pmax,
    };
    const raw = join(ctx.workDir, 'colored.raw');
    const fd = openSync(raw, 'w');
    let channels = 0;
    try {
      for (let z0 = 0; z0 < shape[2]; z0 += step) {
        ctx.signal.throwIfAborted();
        const z1 = Math.min(shape[2], z0 + step);
        const [pv, sv] = await Promise.all([ctx.readVolume(p, { z: [z0, z1] }), ctx.readVolume(s, { z: [z0, z1] })]);
        let c: ReturnType<typeof colorPValues>;
        try { c = colorPValues(pv.data, sv.data, opts); } catch (e) { throw new Error(`node '${ctx.nodeId}': ${(e as Error).message}`); }
        channels = c.channels;
        const bytes = new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.byteLength);
        for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
        ctx.progress(z1, shape[2]);
      }
    } finally {
      closeSync(fd);
    }
    const mhd = join(ctx.workDir, 'colored.mhd');
    writeFileSync(mhd, ['ObjectType = Image', 'NDims = 3', 'BinaryData = True', 'BinaryDataByteOrderMSB = False', 'CompressedData = False',
      `ElementSpacing = ${p.voxelSize.join(' ')}`, `DimSize = ${shape.join(' ')}`, `ElementNumberOfChannels = ${channels}`,
      'ElementType = MET_FLOAT', 'ElementDataFile = colored.raw', ''].join('\n'));
    return { colored: { kind: 'file', path: mhd } };
  },
});
