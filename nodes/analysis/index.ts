// The analysis node types (issue 6): heat maps, atlas region counts, group statistics.
import type { NodeType } from '../../engine/core/node-type.js';
import { voxelizeNode } from './voxelize/node.js';
import { countRegionsNode } from './count-regions/node.js';
import { ttestVoxelsNode } from './ttest-voxels/node.js';
import { groupMapsNode } from './group-maps/node.js';
import { ttestRegionsNode } from './ttest-regions/node.js';
import { colorPValuesNode } from './color-pvalues/node.js';
import { isolateRegionNode } from './isolate-region/node.js';
import { atlasNode } from './atlas/node.js';

export const analysisNodeTypes: NodeType[] = [voxelizeNode, countRegionsNode, ttestVoxelsNode, ttestRegionsNode, groupMapsNode, colorPValuesNode, isolateRegionNode, atlasNode];

export { voxelize, kernelOffsets, type VoxelizeMethod, type VoxelizeOptions } from './lib/voxelize.js';
export * from './lib/statistics.js';
export { LabelTree, type LabelRecord, type StructuresValue, type LabelFormat } from './lib/atlas/label-tree.js';
export { regionStatistics, voxelsPerLabel, type RegionStatsOptions } from './lib/atlas/region-stats.js';
export { decodeLabelVolume, sharedLabelVolume } from './lib/atlas/label-volume.js';
export * from './lib/atlas/orientation-code.js';
export * from './lib/atlas/atlas-store.js';
export * from './lib/atlas/regions.js';
export { parseCsvTable, tTestRegionTables } from './lib/atlas/region-table.js';
