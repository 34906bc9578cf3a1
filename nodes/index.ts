// The built-in node types, grouped by concern; the engine loads them as one ContainerModule.
import type { NodeType } from '../engine/core/node-type.js';
import { statisticsNode } from './statistics/index.js';
import { ioNodeTypes } from './io/index.js';
import { detectionNodeTypes } from './detection/index.js';
import { alignmentNodeTypes } from './alignment/index.js';
import { analysisNodeTypes } from './analysis/index.js';
import { pictureNodeTypes } from './pictures/index.js';

export const builtinNodeTypes: NodeType[] = [
  ...ioNodeTypes,
  statisticsNode,
  ...detectionNodeTypes,
  ...alignmentNodeTypes,
  ...analysisNodeTypes,
  ...pictureNodeTypes,
];
