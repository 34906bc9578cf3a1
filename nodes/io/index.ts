// Image and point IO: formats, the worker-side region reader, and the IO node types.
import type { NodeType } from '../../engine/core/node-type.js';
import { readVolumeNode } from './read-volume/node.js';
import { writeVolumeNode } from './write-volume/node.js';
import { readPointsNode } from './read-points/node.js';
import { writePointsNode } from './write-points/node.js';
import { writeTableNode } from './write-table/node.js';
import { writeImsPointsNode } from './write-ims-points/node.js';

export { readVolumeRegion, clearVolumeCache } from './lib/read-region.js';
export { openVolume, createVolumeWriter, detectFormat, volumeFiles, READER_MODULE, VOLUME_FORMATS } from './lib/formats.js';
export type { OpenedVolume, VolumeWriter, WriterSpec, VolumeFormat } from './lib/formats.js';
export { readPointsFile, writePointsFile, intensitiesFileName } from './lib/points/points-files.js';
export { convertVolume } from './lib/convert.js';

export const ioNodeTypes: NodeType[] = [readVolumeNode, writeVolumeNode, readPointsNode, writePointsNode, writeTableNode, writeImsPointsNode];
