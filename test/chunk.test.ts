import test from 'ava';
import { planChunks } from '../engine/data/chunk.js';

test('chunk cores partition the stack and reads add the overlap clipped to the stack', (t) => {
  for (const depth of [1, 7, 30, 100, 257]) {
    for (const [sizeMin, sizeMax, workers, overlap] of [[1, 1, 1, 0], [5, 10, 2, 3], [10, 40, 3, 6], [1, 1000, 2, 2]]) {
      const chunks = planChunks(depth, { sizeMin, sizeMax, workers, overlap });
      t.is(chunks[0].core[0], 0);
      t.is(chunks[chunks.length - 1].core[1], depth);
      for (let i = 0; i < chunks.length; i++) {
        const c = chunks[i];
        if (i > 0) t.is(c.core[0], chunks[i - 1].core[1]);
        t.true(c.core[1] - c.core[0] <= sizeMax, `core ${c.core} <= ${sizeMax}`);
        t.is(c.read[0], Math.max(0, c.core[0] - overlap));
        t.is(c.read[1], Math.min(depth, c.core[1] + overlap));
      }
    }
  }
});

test('chunk count is rounded up to a multiple of the workers when chunks stay above sizeMin', (t) => {
  t.is(planChunks(100, { sizeMin: 10, sizeMax: 40, workers: 2, overlap: 0 }).length, 4);
  t.is(planChunks(100, { sizeMin: 30, sizeMax: 40, workers: 2, overlap: 0 }).length, 3);
});
