// Plugin loading. A workflow lists plugins as folders (relative to the workflow file) or package
// names; each resolves to an ES module whose default export (or export `plugin`) is an inversify
// ContainerModule binding node types to NODE_TYPE. Plugins are loaded before validation so their
// params join the workflow schema.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ContainerModule } from 'inversify';
import type { NodeRegistry } from './registry.js';

export function resolvePlugin(spec: string, baseDir: string): string {
  if (spec.startsWith('.') || isAbsolute(spec)) {
    const dir = resolve(baseDir, spec);
    if (!existsSync(dir)) throw new Error(`plugin '${spec}': ${dir} does not exist`);
    if (statSync(dir).isFile()) return dir;
    const pkgPath = join(dir, 'package.json');
    if (!existsSync(pkgPath)) throw new Error(`plugin '${spec}': ${dir} has no package.json`);
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { main?: string; exports?: unknown };
    const exp = typeof pkg.exports === 'string' ? pkg.exports
      : (pkg.exports as Record<string, unknown> | undefined)?.['.'] as string | { import?: string; default?: string } | undefined;
    const entry = typeof exp === 'string' ? exp : exp?.import ?? exp?.default ?? pkg.main ?? 'index.js';
    const file = resolve(dir, entry);
    if (!existsSync(file)) throw new Error(`plugin '${spec}': entry ${file} does not exist (is the plugin built? run npm run build)`);
    return file;
  }
  // a package name: resolve from the workflow's folder, then from the current directory
  for (const from of [join(baseDir, 'noop.js'), join(process.cwd(), 'noop.js')]) {
    try {
      return createRequire(from).resolve(spec);
    } catch { /* try next */ }
  }
  throw new Error(`plugin '${spec}': package not found from ${baseDir} (npm install it, or give a folder path starting with ./)`);
}

export async function loadPlugin(registry: NodeRegistry, spec: string, baseDir: string): Promise<void> {
  const file = resolvePlugin(spec, baseDir);
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(file).href) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`plugin '${spec}': failed to load ${file}: ${(e as Error).message}`);
  }
  const m = (mod.default ?? mod.plugin) as unknown;
  if (!(m instanceof ContainerModule) && !(m && typeof (m as ContainerModule).load === 'function')) {
    throw new Error(`plugin '${spec}': ${file} must export an inversify ContainerModule as default (or as 'plugin')`);
  }
  await registry.load(m as ContainerModule, `plugin '${spec}'`);
}
