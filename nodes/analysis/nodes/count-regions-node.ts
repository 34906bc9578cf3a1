// Node 'count-regions': points + annotation volume + label file → region table (ClearMap's
// Label.countPointsInRegions with allIds, level, collapse and intensity sums).
import { type WholeNodeType, defineWholeNode } from '../../../engine/core/node-type.js';
import { LabelTree } from '../atlas/label-tree.js';
import { countPointsInRegions, regionTable } from '../atlas/regions.js';

export const countRegionsNode = defineWholeNode({
  kind: 'whole',
  type: 'count-regions',
  version: '1',
  description: "Count points per atlas region (ClearMap's countPointsInRegions): the annotation label under each point, optionally mapped to a level or collapsed, optionally summing a property column. Regions without points are listed with 0 (allIds); labels missing from the label file are kept as rows and reported.",
  inputs: {
    points: { type: 'points', description: 'Points in voxel coordinates of the annotation volume.' },
    annotation: { type: 'volume', description: 'Annotation (label) volume, e.g. the Allen CCF annotation.' },
  },
  outputs: {
    table: { type: 'table', description: 'id, acronym, name, parent, level, <countColumn> (and <weights>_sum), sorted by id.' },
    unknown: { type: 'json', description: '{ unknownIds, pointsWithUnknownLabel, pointsOutsideOrBackground }' },
  },
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['labels'],
    properties: {
      labels: { type: 'string', format: 'path', description: "Label file: ClearMap annotation table (.csv, with collapse column) or Allen structure graph (.json); relative to the workflow." },
      level: { type: 'integer', minimum: 0, description: "Count at this level of the hierarchy (root = 0), ClearMap's level." },
      collapse: { type: 'boolean', default: false, description: "Collapse to the nearest region marked in the collapse column (ClearMap's collapse)." },
      weights: { type: 'string', description: "Also sum this point property column per region (ClearMap's intensities)." },
      allIds: { type: 'boolean', default: true, description: 'List regions without points (count 0).' },
      countColumn: { type: 'string', default: 'count', description: 'Name of the count column (e.g. the sample name).' },
    },
  },
  check(params) {
    return params.level !== undefined && params.collapse === true ? ["params 'level' and 'collapse' exclude each other"] : [];
  },
  async run(inputs, params, ctx) {
    const id = ctx.nodeId;
    const pts = inputs.points, ann = inputs.annotation;
    if (!pts || pts.kind !== 'points') throw new Error(`node '${id}': input 'points' must be points`);
    if (!ann || ann.kind !== 'volume') throw new Error(`node '${id}': input 'annotation' must be a volume`);
    const tree = LabelTree.load(params.labels);
    const annotation = await ctx.readVolume(ann);
    let weights: Float64Array | undefined;
    if (params.weights !== undefined) {
      weights = pts.points.properties[params.weights as string];
      if (!weights) throw new Error(`node '${id}': param 'weights' names column '${params.weights}', but the points have [${Object.keys(pts.points.properties).join(', ')}]`);
    }
    const c = countPointsInRegions(pts.points.coords, annotation, tree, {
      level: params.level as number | undefined, collapse: params.collapse === true, weights, allIds: params.allIds !== false,
    });
    const countColumn = (params.countColumn as string | undefined) ?? 'count';
    const table = regionTable(tree, c, countColumn, `${params.weights}_sum`);
    const unknownPoints = c.unknownIds.reduce((s, u) => s + c.counts[c.ids.indexOf(u)], 0);
    const background = c.ids.includes(0) ? c.counts[c.ids.indexOf(0)] : 0;
    if (c.unknownIds.length) ctx.log(`${unknownPoints} points carry labels not in ${params.labels}: ${c.unknownIds.join(', ')} (kept as rows)`);
    return {
      table: { kind: 'table', table },
      unknown: { kind: 'json', value: { unknownIds: c.unknownIds, pointsWithUnknownLabel: unknownPoints, pointsOutsideOrBackground: background } },
    };
  },
});
