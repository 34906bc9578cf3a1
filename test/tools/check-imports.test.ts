import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkPluginImports } from '../../tools/plugins/check-imports.js';
import { ROOT, tempDir } from '../engine/helpers.js';

test('shipped plugins import only the public API', (t) => {
  for (const name of ['intensity-histogram', 'ilastik-bridge', 'pixel-classifier']) t.deepEqual(checkPluginImports(join(ROOT, 'plugins', name)), [], name);
});

test('a plugin reaching into engine internals or undeclared packages is reported', (t) => {
  const dir = join(tempDir(), 'bad-plugin');
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bad', type: 'module', peerDependencies: { 'clearmap-ts': '*' } }));
  writeFileSync(join(dir, 'src', 'index.ts'), [
    "import { nodeTypesModule } from 'clearmap-ts';",
    "import { readFileSync } from 'node:fs';",
    "import { CacheStore } from '../../../engine/cache/store.js';",
    "import { runWorkflow } from 'clearmap-ts/dist/engine/engine.js';",
    "import lodash from 'lodash';",
    "import { helper } from './helper.js';",
  ].join('\n'));
  writeFileSync(join(dir, 'src', 'helper.ts'), 'export const helper = 1;');
  const problems = checkPluginImports(dir);
  t.deepEqual(problems.map((p) => [p.line, p.specifier]), [[3, '../../../engine/cache/store.js'], [4, 'clearmap-ts/dist/engine/engine.js'], [5, 'lodash']]);
});
