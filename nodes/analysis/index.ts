// The analysis node types (issue 6): heat maps, atlas region counts, group statistics.
import type { NodeType } from '../../engine/core/node-type.js';
import { voxelizeNode } from './nodes/voxelize-node.js';
import { countRegionsNode } from './nodes/count-regions-node.js';
import { ttestVoxelsNode, groupMapsNode } from './nodes/voxel-statistics-nodes.js';
import { ttestRegionsNode } from './nodes/ttest-regions-node.js';
import { colorPValuesNode } from './nodes/color-pvalues-node.js';
import { isolateRegionNode } from './nodes/isolate-region-node.js';
import { atlasNode } from './nodes/atlas-node.js';

export const analysisNodeTypes: NodeType[] = [voxelizeNode, countRegionsNode, ttestVoxelsNode, ttestRegionsNode, groupMapsNode, colorPValuesNode, isolateRegionNode, atlasNode];

export { voxelize, kernelOffsets, type VoxelizeMethod, type VoxelizeOptions } from './voxelize.js';
export * from './statistics.js';
export { LabelTree, type LabelRecord, type StructuresValue, type LabelFormat } from './atlas/label-tree.js';
export { regionStatistics, voxelsPerLabel, type RegionStatsOptions } from './atlas/region-stats.js';
export { decodeLabelVolume, sharedLabelVolume } from './atlas/label-volume.js';
export * from './atlas/orientation-code.js';
export * from './atlas/atlas-store.js';
export * from './atlas/regions.js';
export { parseCsvTable, tTestRegionTables } from './atlas/region-table.js';
