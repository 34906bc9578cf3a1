// The built-in node types, grouped by concern; the engine loads them as one ContainerModule.
import type { NodeType } from '../engine/core/node-type.js';
import { statisticsNode } from '../nodes/statistics/index.js';
import { ioNodeTypes } from '../nodes/io/index.js';
import { detectionNodeTypes } from '../nodes/detection/index.js';
import { alignmentNodeTypes } from '../nodes/alignment/index.js';
import { analysisNodeTypes } from '../nodes/analysis/index.js';
import { pictureNodeTypes } from '../nodes/pictures/index.js';

export const builtinNodeTypes: NodeType[] = [
  ...ioNodeTypes,
  statisticsNode,
  ...detectionNodeTypes,
  ...alignmentNodeTypes,
  ...analysisNodeTypes,
  ...pictureNodeTypes,
];
