// Architecture rules on the real import graph (ts-morph): layers only point down (engine/ imports
// nothing from app/, nodes/ or plugins/; nodes/ nothing from app/ or plugins/) and there are no import
// circles anywhere. A planted violation shows the checks can fail.
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importCycles, importGraph, upwardImports } from '../../tools/arch/import-graph.js';
import { ROOT, tempDir } from '../engine/helpers.js';

test('the repository: layers only point down and there are no import circles', (t) => {
  const graph = importGraph(ROOT);
  t.true(graph.size > 150, `read ${graph.size} files`);
  t.true(graph.get('app/engine.ts')!.has('app/builtin-nodes.ts'), 'edges are resolved to repository files');
  t.deepEqual(upwardImports(graph), []);
  t.deepEqual(importCycles(graph), []);
});

test('an upward import, a dynamic one and a circle are all reported', (t) => {
  const root = tempDir('cm-layers-');
  for (const d of ['engine/core', 'nodes/io', 'app']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'app/api.ts'), "export const api = 1;\n");
  writeFileSync(join(root, 'engine/core/a.ts'), "import { b } from '../../nodes/io/b.js';\nexport const a = b;\n");
  writeFileSync(join(root, 'nodes/io/b.ts'), "export const b = 1;\nexport async function load() { return import('../../app/api.js'); }\n");
  writeFileSync(join(root, 'nodes/io/c.ts'), "import { d } from './d.js';\nexport const c = d;\n");
  writeFileSync(join(root, 'nodes/io/d.ts'), "import type { c } from './c.js';\nexport const d = 2;\nexport type C = typeof c;\n");
  const graph = importGraph(root);
  t.deepEqual(upwardImports(graph), ['engine/core/a.ts -> nodes/io/b.ts', 'nodes/io/b.ts -> app/api.ts']);
  t.deepEqual(importCycles(graph), [['nodes/io/c.ts', 'nodes/io/d.ts']]);
});
