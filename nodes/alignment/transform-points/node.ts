// transform-points: ClearMap's transformPoints (Alignment/Elastix.py).
import type { Artefact, PointsArtefact } from '../../../engine/core/artefacts.js';
import { defineWholeNode } from '../../../engine/core/node-type.js';
import { transformixPoints, transformParameterFiles } from '../lib/elastix.js';
import { loadTransformChain, transformPointsWithChain } from '../lib/wasm/transform-parameters.js';
import { BACKENDS, chooseBackend, pointsInput, readTransformMeta, transformInput, withScratch } from '../lib/node-helpers.js';

export const transformPointsNode = defineWholeNode({
  kind: 'whole',
  type: 'transform-points',
  version: '1',
  description: "Map points through an elastix transform with transformix (ClearMap's transformPoints): fixed-image voxels -> moving-image voxels (sample -> atlas in ClearMap's setup).",
  inputs: {
    points: { type: 'points', description: 'Points [x, y, z] in voxels of the fixed image' },
    transform: { type: 'transform', description: "Result of an 'elastix' node" },
  },
  outputs: { output: { type: 'points', description: 'Points in voxels of the moving image' } },
  params: {
    type: 'object',
    properties: {
      indices: { type: 'boolean', default: false, description: "true: hand points to transformix as 'index' as ClearMap 0.9.2 does, so each is rounded to a whole voxel first; false: as 'point', keeping sub-voxel positions" },
      backend: { enum: [...BACKENDS], default: 'auto', description: "'native' transformix, 'wasm' (the built-in TypeScript evaluation of the elastix transforms, equal to transformix within 1e-6 voxels; no install), or 'auto': native when installed" },
    },
    additionalProperties: false,
  },
  async externalIdentity(params) {
    return { backend: chooseBackend(params.backend, 'transform-points').backend };
  },
  async run(inputs, params, ctx) {
    const p = inputsPoints(inputs);
    const t = transformInput('transform-points', inputs);
    const choice = chooseBackend(params.backend, `node '${ctx.nodeId}'`);
    const asIndices = params.indices === true;
    let coords: Float64Array;
    if (choice.backend === 'wasm') {
      const files = transformParameterFiles(t.dir);
      if (!files.length) throw new Error(`transform directory ${t.dir} holds no TransformParameters files`);
      // transformix 'index' input rounds each point to the nearest voxel first
      const input = asIndices ? p.points.coords.map((c) => Math.round(c)) : p.points.coords;
      coords = transformPointsWithChain(loadTransformChain(files[files.length - 1]), input);
    } else {
      coords = await withScratch('clearmap-transformix-', (dir) => transformixPoints(p.points.coords, t.dir, dir, { threads: ctx.workers, signal: ctx.signal, asIndices, binaries: choice.binaries }), ctx);
    }
    const meta = readTransformMeta(t, 'transform-points');
    return { output: { kind: 'points', points: { coords, properties: p.points.properties }, ...(meta ? { voxelSize: meta.moving.voxelSize } : {}) } };
  },
});

function inputsPoints(inputs: Record<string, Artefact | undefined>): PointsArtefact {
  return pointsInput('transform-points', inputs);
}
