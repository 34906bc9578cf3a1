#!/usr/bin/env node
// The `clearmap` command. The engine is TypeScript compiled to dist/ (npm run build).
import { existsSync } from 'node:fs';
const main = new URL('../dist/app/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('clearmap: dist/ is missing; run `npm run build` in the clearmap-ts folder first');
  process.exit(2);
}
await import(main.href);
