// Plugin scaffolder: writes a ClearMap.ts plugin package (package.json, tsconfig.json, src/index.ts
// with a working chunk node, src/params.ts (typed params), src/kernel.ts, a node:test test that runs
// the node with the kit's runNode, README) from tools/new-plugin/template/. The package depends on
// clearmap-ts by path (or --clearmap <spec>), so it installs and tests outside this repository too.
// Usage: node dist/tools/new-plugin/index.js <name> [--dir plugins] [--clearmap <spec>]
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** tools/new-plugin/template, found by walking up from this file (works from the sources and from dist/). */
export function templateDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const t = join(dir, 'tools', 'new-plugin', 'template');
    if (existsSync(t)) return t;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find tools/new-plugin/template above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

function listTemplates(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    if (statSync(join(dir, r)).isDirectory()) out.push(...listTemplates(dir, r));
    else if (name.endsWith('.tmpl')) out.push(r);
  }
  return out;
}

/** Write the plugin `name` into `<parent>/<name>`; returns the files written (relative to the plugin folder). */
/** This package's folder (what a scaffolded plugin depends on by path unless told otherwise). */
export function packageRoot(): string {
  return dirname(dirname(dirname(templateDir())));
}

/**
 * Write the plugin `name` into `<parent>/<name>`; returns the files written (relative to the plugin
 * folder). `clearmap` is the version spec its devDependency on clearmap-ts gets (default: this
 * package by path, `file:<folder>`; a published version or a packed tarball also work).
 */
export function scaffoldPlugin(name: string, parent: string, clearmap = `file:${packageRoot()}`): { dir: string; files: string[] } {
  if (!NAME_PATTERN.test(name)) {
    throw new Error(`plugin name '${name}' is invalid: use lower-case letters, digits and single dashes, starting with a letter (e.g. my-detector)`);
  }
  const dir = resolve(parent, name);
  if (existsSync(dir)) throw new Error(`${dir} already exists; choose another name or --dir`);
  const vars: Record<string, string> = { name, package: `clearmap-plugin-${name}`, nodeType: `${name}.bright-spots`, clearmap };
  const tdir = templateDir();
  const files: string[] = [];
  for (const t of listTemplates(tdir)) {
    const text = readFileSync(join(tdir, t), 'utf8').replace(/\{\{(\w+)\}\}/g, (m, k: string) => {
      if (!(k in vars)) throw new Error(`template ${t}: unknown placeholder ${m}`);
      return vars[k];
    });
    const target = t.slice(0, -'.tmpl'.length);
    mkdirSync(dirname(join(dir, target)), { recursive: true });
    writeFileSync(join(dir, target), text);
    files.push(target);
  }
  return { dir, files };
}

function main(argv: string[]): number {
  const args = [...argv];
  let parent = 'plugins';
  let clearmap: string | undefined;
  for (const flag of ['--dir', '--clearmap']) {
    const i = args.indexOf(flag);
    if (i < 0) continue;
    if (!args[i + 1]) { console.error(`${flag} needs a value`); return 2; }
    if (flag === '--dir') parent = args[i + 1]; else clearmap = args[i + 1];
    args.splice(i, 2);
  }
  if (args.length !== 1 || args[0].startsWith('-')) {
    console.error('usage: node dist/tools/new-plugin/index.js <name> [--dir plugins] [--clearmap <version, tarball or file:path>]');
    return 2;
  }
  try {
    const { dir, files } = scaffoldPlugin(args[0], parent, clearmap);
    const rel = relative(process.cwd(), dir) || '.';
    console.log(`created ${rel}:`);
    for (const f of files) console.log(`  ${f}`);
    console.log(`next: cd ${rel} && npm install && npm test   (inside the ClearMap.ts repo's plugins/: npm run build builds it)`);
    return 0;
  } catch (e) {
    console.error(`new-plugin: ${(e as Error).message}`);
    return 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(main(process.argv.slice(2)));
