// Builds every plugin under plugins/ with its own tsconfig (plugins are separate packages that see
// only the public API, exactly as a third party's would).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
for (const name of readdirSync('plugins')) {
  const cfg = join('plugins', name, 'tsconfig.json');
  if (!existsSync(cfg)) continue;
  execFileSync(process.execPath, [tsc, '-p', cfg], { stdio: 'inherit' });
}
