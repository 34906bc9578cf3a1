// The classify nodes' params, declared once: the schemas validate and document them (ajv fills the
// defaults); the types are what the nodes and kernels receive.
import { paramsSchema, type ParamsOf } from 'clearmap-ts';

export const classifyCellsParams = paramsSchema({
  type: 'object',
  additionalProperties: false,
  properties: {
    model: { type: 'object', description: 'The model, when input model is not wired: the value of a pixel-classifier.train node\'s model output (model.json).' },
    threshold: { type: 'number', minimum: 0, maximum: 1, default: 0.5, description: 'Cell voxels have cell probability > threshold (0.5 = the argmax of the two classes, as ClearMap).' },
    maxCellExtent: { type: 'integer', minimum: 1, default: 10, description: 'Largest cell extent in z (planes); longer components are dropped.' },
    minSize: { type: 'integer', minimum: 1, default: 1, description: 'Smallest component kept (voxels).' },
    maxSize: { type: ['integer', 'null'], minimum: 1, default: null, description: 'Largest component kept (voxels); null = no limit.' },
  },
});

export const classifyPixelsParams = paramsSchema({
  type: 'object',
  additionalProperties: false,
  properties: { model: classifyCellsParams.properties.model },
});

export type ClassifyCellsParams = ParamsOf<typeof classifyCellsParams>;
export type ClassifyPixelsParams = ParamsOf<typeof classifyPixelsParams>;
