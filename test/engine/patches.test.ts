// Patches: the undecided parts of a chunk's core that the chunk task recomputes on small windows
// (engine/scheduler/chunk-task.ts) and how detection names them (Undecided.boxesIn).
import test from 'ava';
import { patchCores, patchWindow } from '../../engine/scheduler/chunk-task.js';
import { Undecided, type Box } from '../../nodes/detection/lib/stages.js';

test('patch cores: boxes that meet merge, distant ones stay apart, in z-y-x order', (t) => {
  const size: [number, number, number] = [1000, 1000, 100];
  const a: Box = [[10, 20], [10, 20], [50, 55]], b: Box = [[15, 30], [18, 25], [52, 60]]; // meet
  const far: Box = [[800, 810], [900, 905], [40, 45]];
  t.deepEqual(patchCores([far, a, b], [5, 5, 2], size), [[[800, 810], [900, 905], [40, 45]], [[10, 30], [10, 25], [50, 60]]]);
  // close enough that one window around both costs less than two: merged
  const c: Box = [[40, 42], [10, 12], [50, 52]], d: Box = [[46, 48], [10, 12], [50, 52]];
  t.is(patchCores([c, d], [10, 10, 5], size).length, 1);
  // far apart with a small margin: two windows
  t.is(patchCores([c, [[400, 402], [10, 12], [50, 52]]], [10, 10, 5], size).length, 2);
  t.deepEqual(patchCores([[[5, 5], [0, 10], [0, 10]]], [1, 1, 1], size), [], 'empty boxes are dropped');
});

test('patch windows: the overlap around the box, and on each side where the first window had a cut near the box at least that window\'s next growth', (t) => {
  const sizes: [number, number, number] = [512, 512, 384];
  const first: Box = [[0, 512], [0, 512], [0, 210]]; // whole planes, cut above at z 210
  // z: 18 below (the stack's edge was the first window's limit there), 2 x 23 above the box (it had 23)
  t.deepEqual(patchWindow([[100, 110], [200, 210], [183, 187]], first, true, [57, 57, 18], sizes), [[43, 167], [143, 267], [165, 233]]);
  // growth of at least 8 beyond what the first window had; clipped to the stack
  t.deepEqual(patchWindow([[0, 5], [500, 512], [205, 209]], first, true, [57, 57, 3], sizes), [[0, 62], [443, 512], [202, 218]]);
  // a cut farther than twice the overlap: the overlap only
  t.deepEqual(patchWindow([[100, 110], [200, 210], [183, 187]], [[0, 512], [0, 512], [100, 230]], true, [57, 57, 18], sizes), [[43, 167], [143, 267], [165, 205]]);
  // chains without x/y tiles: whole planes
  t.deepEqual(patchWindow([[100, 110], [200, 210], [183, 187]], first, false, [0, 0, 18], sizes), [[0, 512], [0, 512], [165, 233]]);
});

test('undecided boxes: one per 26-connected group of marked voxels, plus the core outside the exact box', (t) => {
  // a slab of 20 x 10 x 12 planes at z 30 of a 100-plane stack, whole planes
  const u = new Undecided({ shape: [20, 10, 12], z0: 30, depth: 100 });
  u.markBox([[2, 4], [1, 3], [33, 35]]);
  u.markBox([[4, 5], [3, 4], [35, 36]]); // touches the first diagonally: same group
  u.markBox([[15, 16], [8, 9], [38, 39]]);
  const core: Box = [[0, 20], [0, 10], [32, 40]];
  t.deepEqual(u.boxesIn(core), [[[2, 5], [1, 4], [33, 36]], [[15, 16], [8, 9], [38, 39]]]);
  // everything beyond plane 37 undecided (e.g. past the DoG's exact planes): the core above it is one box
  u.outside([0, 37]);
  const boxes = u.boxesIn(core);
  t.deepEqual(boxes[0], [[0, 20], [0, 10], [37, 40]]);
  t.deepEqual(boxes.slice(1), [[[2, 5], [1, 4], [33, 36]]], 'marks beyond the exact box are covered by it');
  t.deepEqual(new Undecided({ shape: [20, 10, 12], z0: 30, depth: 100 }).boxesIn(core), [], 'nothing marked: no boxes');
});
