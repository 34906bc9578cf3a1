import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findNodeDeclarations, generateDocs } from '../../tools/docs/generate.js';
import { createRegistry } from '../../app/engine.js';
import { ROOT } from '../engine/helpers.js';

test('docs/nodes.md and docs/workflow.schema.json are generated from the current code (run npm run docs)', async (t) => {
  const files = await generateDocs(ROOT);
  for (const [rel, text] of Object.entries(files)) t.is(readFileSync(join(ROOT, rel), 'utf8'), text, `${rel} is stale`);
});

test('ts-morph finds the declaration of every built-in node type', async (t) => {
  const declared = findNodeDeclarations(ROOT);
  const missing = (await createRegistry()).all().map((n) => n.type).filter((name) => !declared.has(name));
  t.deepEqual(missing, []);
});
