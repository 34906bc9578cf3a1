// The alignment node group: resampling/orientation (ClearMap Alignment/Resampling.py) and elastix
// registration (ClearMap Alignment/Elastix.py).
import type { NodeType } from '../../engine/core/node-type.js';
import { resampleNode } from './resample/node.js';
import { resamplePointsNode } from './resample-points/node.js';
import { resamplePointsInverseNode } from './resample-points-inverse/node.js';
import { elastixNode } from './elastix/node.js';
import { transformPointsNode } from './transform-points/node.js';
import { transformImageNode } from './transform-image/node.js';
import { registrationCheckNode } from './registration-check/node.js';
import { registrationPreviewNode } from './registration-preview/node.js';
import { readTransformNode } from './read-transform/node.js';

export const alignmentNodeTypes: NodeType[] = [
  resampleNode, resamplePointsNode, resamplePointsInverseNode, elastixNode, transformPointsNode, transformImageNode, readTransformNode,
  registrationPreviewNode, registrationCheckNode,
];

export * from './lib/orientation.js';
export * from './lib/resample.js';
export * from './lib/resample-points.js';
export { resampleChunk, joinResampled, writeVolumeToWorkDir, type ResamplePartial } from './resample/kernel.js';
export { findElastix, runElastix, transformixPoints, transformixImage, resolveParameterFile, shippedParamsDir } from './lib/elastix.js';
export { readMhdVolume, writeMhdForElastix } from './lib/elastix.js';
export { TRANSFORM_META, type TransformMeta } from './lib/node-helpers.js';
export { checkExtents, normalisedCrossCorrelation, type ExtentCheck } from './lib/registration-check.js';
