// The repository's import graph (static, re-exports and dynamic imports of relative modules), read
// with ts-morph, and the two architecture rules checked on it: layers only point down, and no
// import circles.
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Node, Project, SyntaxKind } from 'ts-morph';

/** file (relative to the root) -> the repository files it imports */
export type ImportGraph = Map<string, Set<string>>;

export const SOURCE_GLOBS = ['app/**/*.ts', 'engine/**/*.ts', 'lib/**/*.ts', 'nodes/**/*.ts', 'plugins/*/src/**/*.ts', 'tools/**/*.ts', 'test/**/*.ts'];

export function importGraph(root: string, globs = SOURCE_GLOBS): ImportGraph {
  const project = new Project({ skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
  project.addSourceFilesAtPaths([...globs.map((g) => join(root, g)), `!${join(root, 'test/fixtures/**')}`, `!${join(root, '**/node_modules/**')}`, `!${join(root, '**/*.d.ts')}`]);
  const graph: ImportGraph = new Map();
  for (const sf of project.getSourceFiles()) {
    const from = sf.getFilePath();
    const specs: string[] = [];
    for (const d of sf.getImportDeclarations()) specs.push(d.getModuleSpecifierValue());
    for (const d of sf.getExportDeclarations()) { const v = d.getModuleSpecifierValue(); if (v) specs.push(v); }
    for (const c of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const arg = c.getArguments()[0];
      if (c.getExpression().getKind() === SyntaxKind.ImportKeyword && arg && Node.isStringLiteral(arg)) specs.push(arg.getLiteralValue());
    }
    const targets = new Set<string>();
    for (const s of specs) {
      if (!s.startsWith('.')) continue;
      const abs = resolve(dirname(from), s).replace(/\.js$/, '.ts');
      const file = existsSync(abs) ? abs : existsSync(join(abs, 'index.ts')) ? join(abs, 'index.ts') : undefined;
      if (file) targets.add(relative(root, file));
    }
    graph.set(relative(root, from), targets);
  }
  return graph;
}

/** Imports that run up the layers: engine/ must not import app/, lib/, nodes/ or plugins/; lib/ (image math) must not import app/, nodes/ or plugins/; nodes/ must not import app/ or plugins/. */
export function upwardImports(graph: ImportGraph): string[] {
  const forbidden: Record<string, string[]> = { engine: ['app', 'lib', 'nodes', 'plugins'], lib: ['app', 'nodes', 'plugins'], nodes: ['app', 'plugins'] };
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const rule = forbidden[from.split('/')[0]];
    if (!rule) continue;
    for (const to of targets) if (rule.includes(to.split('/')[0])) out.push(`${from} -> ${to}`);
  }
  return out.sort();
}

/** Every import circle (strongly connected component of more than one file, or a file importing itself). */
export function importCycles(graph: ImportGraph): string[][] {
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>(), onStack = new Set<string>(), stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || graph.get(v)?.has(v)) cycles.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return cycles;
}
