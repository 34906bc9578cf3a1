// The alignment node group: resampling/orientation (ClearMap Alignment/Resampling.py) and elastix
// registration (ClearMap Alignment/Elastix.py).
import type { NodeType } from '../../engine/core/node-type.js';
import { elastixNode, resampleNode, resamplePointsInverseNode, resamplePointsNode, transformImageNode, transformPointsNode } from './nodes.js';
import { registrationCheckNode, registrationPreviewNode } from './registration-check/node.js';
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
export { TRANSFORM_META, type TransformMeta } from './nodes.js';
export { checkExtents, normalisedCrossCorrelation, type ExtentCheck } from './registration-check/node.js';
