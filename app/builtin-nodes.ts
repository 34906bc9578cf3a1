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
import { ATLAS_REGISTRY, localAtlasRegistry } from '../nodes/analysis/lib/atlas/atlas-store.js';
import { FILE_RESOLVER, workflowFolderResolver } from '../engine/workflow/paths.js';

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
  [ATLAS_REGISTRY, localAtlasRegistry],
  [FILE_RESOLVER, workflowFolderResolver],
];
// Not services, and why: the event sink (EVENT_SINK) has no built-in binding (the run's own event
// stream always gets every event; a plugin's sink gets them too); scratch space is ctx.tempDir(),
// owned by the run's cache so that a crashed run's temps are swept (a replacement could not keep that
// promise); glob/pattern expansion of inputs stays in the io readers (it defines what an input form
// means, and it runs in worker threads, where services are not available).
