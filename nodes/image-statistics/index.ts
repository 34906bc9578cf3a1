// Image statistics (ClearMap's ImageStatistics): whole-stack intensity statistics, streamed in chunks.
import type { NodeType } from '../../engine/core/node-type.js';
import { statisticsNode } from './statistics/node.js';

export const imageStatisticsNodeTypes: NodeType[] = [statisticsNode];
export { statisticsNode };
