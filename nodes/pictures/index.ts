// Picture node types: what a scientist looks at to judge a detection or a group comparison.
import type { NodeType } from '../../engine/core/node-type.js';
import { cellsCheckNode } from './cells-check/node.js';
import { overlayLabelsNode } from './overlay-labels/node.js';
import { overlayPointsNode } from './overlay-points/node.js';
import { sectionNode } from './section/node.js';
import { tilesNode } from './tiles/node.js';

export const pictureNodeTypes: NodeType[] = [tilesNode, overlayPointsNode, overlayLabelsNode, sectionNode, cellsCheckNode];

export { tilesNode, overlayPointsNode, overlayLabelsNode, sectionNode, cellsCheckNode };
