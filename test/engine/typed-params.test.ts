// Typed params: one schema literal gives validation (with defaults) and the type run() receives.
// The @ts-expect-error lines make the BUILD fail if the inferred types stop being checked.
import test from 'ava';
import { defineWholeNode, type ParamsOf } from '../../engine/core/node-type.js';

const node = defineWholeNode({
  kind: 'whole',
  type: 'typed-example',
  version: '1',
  description: 'typed params example',
  inputs: {},
  outputs: { out: { type: 'json', description: 'params echoed' } },
  params: {
    type: 'object',
    properties: {
      sigma: { type: 'number', default: 1.5 },
      name: { type: 'string' },
      mode: { enum: ['a', 'b'], default: 'a' },
      size: { type: 'array', items: { type: 'integer' }, minItems: 3, maxItems: 3 },
    },
    required: ['name'],
    additionalProperties: false,
  },
  async run(_inputs, params) {
    const sigma: number = params.sigma; // defaulted: not optional
    const triple: [number, number, number] | undefined = params.size; // n items -> a tuple
    const name: string = params.name;
    const mode: 'a' | 'b' = params.mode;
    const size: number[] | undefined = params.size;
    // @ts-expect-error a number is not a string
    const wrong: string = params.sigma;
    // @ts-expect-error unknown params are not there
    void params.nope;
    return { out: { kind: 'json', value: { sigma, name, mode, size, wrong, triple } } };
  },
});

type P = ParamsOf<typeof node.params>;
const sample: P = { sigma: 2, name: 'x', mode: 'b' };

test('defineWholeNode keeps the schema as the params declaration', (t) => {
  t.deepEqual(node.params.required, ['name']);
  t.is(node.params.properties.sigma.default, 1.5);
  t.is(sample.mode, 'b');
});
