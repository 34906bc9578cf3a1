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

test('chunks read about the same number of planes (end cores take the missing overlap) and a stack is not split when the overlap makes that useless', (t) => {
  const c = planChunks(256, { sizeMin: 1, sizeMax: 100, workers: 2, overlap: 18 });
  t.is(c.length, 4);
  const reads = c.map((g) => g.read[1] - g.read[0]);
  t.true(Math.max(...reads) - Math.min(...reads) <= 1, `reads ${reads}`);
  t.true(c[0].core[1] - c[0].core[0] > c[1].core[1] - c[1].core[0], 'end core larger than an interior one');
  // two chunks of a 10-plane stack with 18 planes of overlap would both read the whole stack
  t.is(planChunks(10, { sizeMin: 1, sizeMax: 100, workers: 2, overlap: 18 }).length, 1);
  // but a 64-plane stack finishes sooner in two chunks of 50 read planes each
  t.deepEqual(planChunks(64, { sizeMin: 1, sizeMax: 100, workers: 2, overlap: 18 }).map((g) => g.read), [[0, 50], [14, 64]]);
});
