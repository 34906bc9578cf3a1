// Checks that plugins use only the public API: every import in a plugin's sources must be relative
// (inside the plugin), a Node built-in, 'clearmap-ts', or a package the plugin declares in its
// package.json. Reaching into the engine (../../engine/..., clearmap-ts/dist/...) is an error.
// Usage: node dist/tools/plugins/check-imports.js [pluginDir ...]   (default: every folder in plugins/)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';
import { Project } from 'ts-morph';

/** The package's public entry points (its package.json "exports"). */
const PUBLIC_ENTRY_POINTS = ['clearmap-ts', 'clearmap-ts/kernels'];

export interface ImportProblem {
  file: string;
  line: number;
  specifier: string;
  reason: string;
}

export function checkPluginImports(pluginDir: string): ImportProblem[] {
  const dir = resolve(pluginDir);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const declared = new Set(['clearmap-ts', ...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
  const project = new Project({ skipAddingFilesFromTsConfig: true, compilerOptions: { allowJs: true } });
  const files = listSources(dir);
  project.addSourceFilesAtPaths(files);
  const problems: ImportProblem[] = [];
  for (const sf of project.getSourceFiles()) {
    const specs = [
      ...sf.getImportDeclarations().map((d) => ({ s: d.getModuleSpecifierValue(), line: d.getStartLineNumber() })),
      ...sf.getExportDeclarations().filter((d) => d.getModuleSpecifierValue()).map((d) => ({ s: d.getModuleSpecifierValue()!, line: d.getStartLineNumber() })),
    ];
    for (const { s, line } of specs) {
      const file = relative(process.cwd(), sf.getFilePath());
      if (s.startsWith('.')) {
        const target = resolve(sf.getDirectory().getPath(), s);
        if (!(target + sep).startsWith(dir + sep) && target !== dir) problems.push({ file, line, specifier: s, reason: 'relative import leaves the plugin folder (use the public API: clearmap-ts)' });
        continue;
      }
      if (s.startsWith('node:') || builtinModules.includes(s)) continue;
      const name = s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0];
      if (name === 'clearmap-ts' && !PUBLIC_ENTRY_POINTS.includes(s)) { problems.push({ file, line, specifier: s, reason: `deep import into clearmap-ts; import from ${PUBLIC_ENTRY_POINTS.map((e) => `'${e}'`).join(' or ')} only` }); continue; }
      if (!declared.has(name)) problems.push({ file, line, specifier: s, reason: `package '${name}' is not declared in ${relative(process.cwd(), join(dir, 'package.json'))}` });
    }
  }
  return problems;
}

function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listSources(p));
    else if (/\.(ts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dirs = process.argv.slice(2).length ? process.argv.slice(2)
    : readdirSync('plugins').map((d) => join('plugins', d)).filter((d) => existsSync(join(d, 'package.json')));
  let bad = 0;
  for (const d of dirs) {
    const problems = checkPluginImports(d);
    for (const p of problems) console.error(`${p.file}:${p.line}: '${p.specifier}': ${p.reason}`);
    bad += problems.length;
    if (!problems.length) console.log(`${d}: imports only the public API`);
  }
  process.exit(bad ? 1 : 0);
}
