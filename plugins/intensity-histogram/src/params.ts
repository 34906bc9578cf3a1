// The node's params, declared once: the schema validates and documents them (ajv fills the defaults),
// HistogramParams is the type the node and its kernel receive.
import { paramsSchema, type ParamsOf } from 'clearmap-ts';

export const histogramParams = paramsSchema({
  type: 'object',
  additionalProperties: false,
  properties: {
    bins: { type: 'integer', minimum: 1, maximum: 1000000, default: 256, description: 'Number of equal-width bins.' },
    range: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, default: [0, 65536], description: 'Lower and upper edge [lo, hi].' },
  },
});

export type HistogramParams = ParamsOf<typeof histogramParams>;
