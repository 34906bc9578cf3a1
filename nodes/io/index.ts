// Image and point IO: formats, the worker-side region reader, and the IO node types.
import type { NodeType } from '../../engine/core/node-type.js';
import { readVolumeNode } from './nodes/read-volume.js';
import { writeVolumeNode } from './nodes/write-volume.js';
import { readPointsNode, writePointsNode, writeTableNode } from './nodes/points-nodes.js';
import { writeImsPointsNode } from './ims/ims-points.js';

export { readVolumeRegion, clearVolumeCache } from './read-region.js';
export { openVolume, createVolumeWriter, detectFormat, volumeFiles, READER_MODULE, VOLUME_FORMATS } from './formats.js';
export type { OpenedVolume, VolumeWriter, WriterSpec, VolumeFormat } from './formats.js';
export { readPointsFile, writePointsFile, intensitiesFileName } from './points/points-files.js';
export { convertVolume } from './convert.js';

export const ioNodeTypes: NodeType[] = [readVolumeNode, writeVolumeNode, readPointsNode, writePointsNode, writeTableNode, writeImsPointsNode];
