// The built-in node types, grouped by concern; the engine loads them as one ContainerModule.
import type { NodeType } from '../engine/core/node-type.js';
import { statisticsNode } from './statistics/index.js';

export const builtinNodeTypes: NodeType[] = [
  statisticsNode,
];
