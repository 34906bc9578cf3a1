import test from 'ava';
import { boundaryMask, drawOutline, overlayLabels } from '../../../nodes/pictures/lib/labels.js';
import { drawMarker } from '../../../nodes/pictures/lib/markers.js';
import { createImage, type Rgb } from '../../../nodes/pictures/lib/rgba.js';

// 4×3 labels:  1 1 2 2 / 1 1 2 2 / 0 0 0 0
const labels = { values: Uint16Array.from([1, 1, 2, 2, 1, 1, 2, 2, 0, 0, 0, 0]), width: 4, height: 3 };

test('region boundaries: one-sided lines for atlas outlines, rims on both sides for label outlines', (t) => {
  t.deepEqual(Array.from(boundaryMask(labels)), [0, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0]);
  t.deepEqual(Array.from(boundaryMask(labels, true)), [0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
  const img = createImage(4, 3, [10, 10, 10]);
  drawOutline(img, labels, [200, 100, 0], 0.5);
  const px = (x: number, y: number) => Array.from(img.data.subarray(4 * (x + 4 * y), 4 * (x + 4 * y) + 3));
  t.deepEqual(px(1, 0), [105, 55, 5]); // 10·0.5 + (200, 100, 0)·0.5
  t.deepEqual(px(0, 0), [10, 10, 10]);
});

test("label outlines colour each region's rim and leave background (0) alone", (t) => {
  const img = createImage(4, 3, [0, 0, 0]);
  const colors: Record<number, Rgb> = { 1: [255, 0, 0], 2: [0, 0, 255] };
  overlayLabels(img, labels, { alpha: 1, style: 'outline', colorOf: (id) => colors[id] });
  const px = (x: number, y: number) => Array.from(img.data.subarray(4 * (x + 4 * y), 4 * (x + 4 * y) + 3));
  t.deepEqual([0, 1, 2, 3].map((x) => px(x, 0)), [[0, 0, 0], [255, 0, 0], [0, 0, 255], [0, 0, 0]]);
  t.deepEqual([0, 1, 2, 3].map((x) => px(x, 1)), [[255, 0, 0], [255, 0, 0], [0, 0, 255], [0, 0, 255]]);
  t.deepEqual([0, 1, 2, 3].map((x) => px(x, 2)), [[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]]);
  t.throws(() => overlayLabels(createImage(3, 3), labels, { alpha: 1, style: 'fill', colorOf: () => [0, 0, 0] }), { message: /does not match/ });
});

test('marker shapes', (t) => {
  const drawn = (shape: 'pixel' | 'cross' | 'square' | 'circle', size: number) => {
    const img = createImage(7, 7);
    drawMarker(img, 3, 3, shape, size, [255, 255, 255]);
    return Array.from({ length: 7 }, (_, y) => Array.from({ length: 7 }, (_, x) => (img.data[4 * (x + 7 * y)] ? '#' : '.')).join('')).join('\n');
  };
  t.is(drawn('pixel', 3), ['.......', '.......', '.......', '...#...', '.......', '.......', '.......'].join('\n'));
  t.is(drawn('cross', 2), ['.......', '...#...', '...#...', '.#####.', '...#...', '...#...', '.......'].join('\n'));
  t.is(drawn('square', 1), ['.......', '.......', '..###..', '..#.#..', '..###..', '.......', '.......'].join('\n'));
  t.is(drawn('circle', 2), ['.......', '..###..', '.#...#.', '.#...#.', '.#...#.', '..###..', '.......'].join('\n'));
  // markers at the border are clipped, not wrapped
  const img = createImage(3, 3);
  drawMarker(img, 0, 0, 'cross', 1, [255, 0, 0]);
  t.deepEqual([img.data[0], img.data[4], img.data[8], img.data[12]], [255, 255, 0, 255]);
});
