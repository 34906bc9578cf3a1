// Node types of cell detection (ClearMap 0.9.2 SpotDetection and its steps), one folder each.
import type { NodeType } from '../../engine/core/node-type.js';
import { detectNode } from './detect/node.js';
import { illuminationNode } from './illumination/node.js';
import { backgroundNode } from './background/node.js';
import { dogNode } from './dog/node.js';
import { filterNode } from './filter/node.js';
import { maximaNode } from './maxima/node.js';
import { shapeNode } from './shape/node.js';
import { intensityNode } from './intensity/node.js';
import { thresholdPointsNode } from './threshold-points/node.js';

export { detectCells, detectCellsInVolume } from './detect/kernel.js';
export { thresholdPoints } from './lib/threshold-points.js';
export { detectNode, illuminationNode, backgroundNode, dogNode, filterNode, maximaNode, shapeNode, intensityNode, thresholdPointsNode };

export const detectionNodeTypes: NodeType[] = [detectNode, illuminationNode, backgroundNode, dogNode, filterNode, maximaNode, shapeNode, intensityNode, thresholdPointsNode];
