// Node 'count-regions': points + annotation (+ hemispheres) + structures → region table as labs
// publish it: ClearMap's countPointsInRegions counts (allIds, level, collapse, intensity sums) plus
// left/right, counts rolled up to every ancestor, region volumes in mm³ and densities.
import type { VolumeRef } from '../../../engine/core/artefacts.js';
import { defineWholeNode } from '../../../engine/core/node-type.js';
import { sharedLabelVolume } from '../lib/atlas/label-volume.js';
import { regionStatistics } from '../lib/atlas/region-stats.js';
import { regionTree, triple } from '../lib/node-helpers.js';

export const countRegionsNode = defineWholeNode({
  kind: 'whole',
  type: 'count-regions',
  version: '2',
  description: "Count points per atlas region (ClearMap's countPointsInRegions, brainmapper's summary): per region id, acronym, name, parent, level and structure path; counts exclusive of children (optionally mapped to a level or collapsed, as ClearMap) and rolled up to every ancestor (total_*); left/right with a hemispheres volume; region volume in mm³ and density (points per mm³); optional summed point property. Labels missing from the structures are kept as rows and reported.",
  inputs: {
    points: { type: 'points', description: 'Points in voxel coordinates of the annotation volume.' },
    annotation: { type: 'volume', description: 'Annotation (label) volume, e.g. the atlas node\'s annotation. Read once per run and shared, as integers.' },
    hemispheres: { type: 'volume', optional: true, description: 'Hemisphere labels on the annotation grid (atlas node: 1 = left, 2 = right) for the _left/_right columns.' },
    structures: { type: 'json', optional: true, description: "Region hierarchy from an 'atlas' node (instead of param 'labels')." },
  },
  outputs: {
    table: { type: 'table', description: 'id, acronym, name, parent, level, <countColumn>[, _left, _right], volume_mm3, density, total_count, total_volume_mm3, total_density (each with _left/_right when hemispheres are wired), [<weights>_sum, total_<weights>_sum], structure_id_path; sorted by id.' },
    unknown: { type: 'json', description: '{ unknownIds, pointsWithUnknownLabel, pointsOutsideOrBackground }' },
  },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      labels: { type: 'string', format: 'path', description: "Label file when input 'structures' is not wired: ClearMap annotation table (.csv, with collapse column), Allen structure graph (.json) or BrainGlobe structures (.json); relative to the workflow." },
      level: { type: 'integer', minimum: 0, description: "Map exclusive counts to this depth of the hierarchy (root = 0 with every label file), ClearMap's level." },
      collapse: { type: 'boolean', default: false, description: "Collapse exclusive counts to the nearest region marked in the collapse column (ClearMap's collapse; needs ClearMap's ARA2 CSV)." },
      weights: { type: 'string', description: "Also sum this point property column per region (ClearMap's intensities)." },
      allIds: { type: 'boolean', default: true, description: 'List regions without points (count 0).' },
      countColumn: { type: 'string', default: 'count', description: 'Name of the exclusive count column (e.g. the sample name).' },
      leftValue: { type: 'integer', default: 1, description: 'Value of the left hemisphere in the hemispheres volume (atlas node: 1).' },
      rightValue: { type: 'integer', default: 2, description: 'Value of the right hemisphere in the hemispheres volume (atlas node: 2).' },
      voxelSize: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 3, maxItems: 3, description: "µm per annotation voxel for volumes and densities (default: the annotation's voxel size)." },
    },
  },
  check(params) {
    return params.level !== undefined && params.collapse === true ? ["params 'level' and 'collapse' exclude each other"] : [];
  },
  async run(inputs, params, ctx) {
    const id = ctx.nodeId;
    const pts = inputs.points, ann = inputs.annotation, hem = inputs.hemispheres;
    if (!pts || pts.kind !== 'points') throw new Error(`node '${id}': input 'points' must be points`);
    if (!ann || ann.kind !== 'volume') throw new Error(`node '${id}': input 'annotation' must be a volume`);
    if (hem && hem.kind !== 'volume') throw new Error(`node '${id}': input 'hemispheres' must be a volume`);
    const tree = await regionTree(inputs.structures, params.labels, ctx);
    if (params.collapse === true && !tree.ids.some((r) => r !== 0 && tree.get(r)!.collapse)) {
      throw new Error(`node '${id}': param 'collapse' needs a label file with ClearMap's collapse column (e.g. ARA2_annotation_info_collapse.csv); ${tree.source} marks no region`);
    }
    const read = (ref: VolumeRef, region: { z: [number, number] }) => ctx.readVolume(ref, region);
    const annotation = await sharedLabelVolume(ann, read);
    const hemispheres = hem ? await sharedLabelVolume(hem as VolumeRef, read) : undefined;
    const voxelSize = triple(params, 'voxelSize', id) ?? ann.voxelSize;
    if (voxelSize.every((v) => v === 1) && params.voxelSize === undefined) ctx.log('the annotation has voxel size 1 x 1 x 1 µm (not recorded?): volumes and densities assume it; set param voxelSize');
    let weights: Float64Array | undefined;
    if (params.weights !== undefined) {
      weights = pts.points.properties[params.weights];
      if (!weights) throw new Error(`node '${id}': param 'weights' names column '${params.weights}', but the points have [${Object.keys(pts.points.properties).join(', ')}]`);
    }
    let res;
    try {
      res = regionStatistics(pts.points.coords, { ...annotation, voxelSize }, tree, {
        level: params.level, collapse: params.collapse === true, allIds: params.allIds !== false,
        hemispheres, leftValue: params.leftValue, rightValue: params.rightValue,
        sums: weights && params.weights !== undefined ? { [params.weights]: weights } : undefined,
        countColumn: params.countColumn ?? 'count',
      });
    } catch (e) { throw new Error(`node '${id}': ${(e as Error).message}`); }
    const unknownPoints = res.unknownIds.reduce((s, u) => s + (res.pointsPerLabel.get(u) ?? 0), 0);
    const background = res.pointsPerLabel.get(0) ?? 0;
    if (res.unknownIds.length) ctx.log(`${unknownPoints} points carry labels not in ${tree.source}: ${res.unknownIds.join(', ')} (kept as rows)`);
    return {
      table: { kind: 'table', table: res.table },
      unknown: { kind: 'json', value: { unknownIds: res.unknownIds, pointsWithUnknownLabel: unknownPoints, pointsOutsideOrBackground: background } },
    };
  },
});
