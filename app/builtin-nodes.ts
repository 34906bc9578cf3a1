// The built-in node types, grouped by concern; the engine loads them as one ContainerModule.
import type { NodeType } from '../engine/core/node-type.js';
import { imageStatisticsNodeTypes } from '../nodes/image-statistics/index.js';
import { ioNodeTypes } from '../nodes/io/index.js';
import { detectionNodeTypes } from '../nodes/detection/index.js';
import { alignmentNodeTypes } from '../nodes/alignment/index.js';
import { analysisNodeTypes } from '../nodes/analysis/index.js';
import { pictureNodeTypes } from '../nodes/pictures/index.js';
import type { ServiceBinding } from '../engine/core/services.js';
import { REGISTRATION_BACKEND } from '../nodes/alignment/lib/registration.js';
import { elastixRegistration } from '../nodes/alignment/lib/elastix-registration.js';

export const builtinNodeTypes: NodeType[] = [
  ...ioNodeTypes,
  ...imageStatisticsNodeTypes,
  ...detectionNodeTypes,
  ...alignmentNodeTypes,
  ...analysisNodeTypes,
  ...pictureNodeTypes,
];

/** The built-in implementations of engine services (plugins may bind replacements). */
export const builtinServices: ServiceBinding[] = [
  [REGISTRATION_BACKEND, elastixRegistration],
];
