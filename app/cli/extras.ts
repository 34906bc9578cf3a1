// Small CLI pieces: `--version`, the input-file check of `validate`, and `nodes <type>` lookup.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError, WorkflowError, messageOf } from '../../engine/core/errors.js';
import type { ValidWorkflow } from '../../engine/workflow/validate.js';
import { pathParamFiles } from '../../engine/workflow/paths.js';
import { fileIdentity } from '../../engine/cache/keys.js';

/** `clearmap --version` / `-V`: the package version (and Node's). */
export function registerVersion(program: Command): void {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  program.version(`clearmap-ts ${pkg.version} (node ${process.versions.node})`, '-V, --version', 'print the version');
}

/**
 * Every input file a node reads must exist now: files named by path params (the engine's
 * fingerprints) and those a node's own externalIdentity lists (e.g. the planes of a pattern, which
 * throws when nothing matches). Throws a WorkflowError listing each missing one with its node.
 */
export async function checkInputFiles(wf: ValidWorkflow): Promise<void> {
  const baseDir = dirname(resolve(wf.file));
  const problems: string[] = [];
  const missing = (value: unknown, found: Set<string>): void => {
    if (Array.isArray(value)) { for (const v of value) missing(v, found); return; }
    if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      if (o.missing === true && typeof o.path === 'string') found.add(o.path);
      else for (const v of Object.values(o)) missing(v, found);
    }
  };
  for (const n of wf.order) {
    const where = `node '${n.id}' (${n.type.type})`;
    const found = new Set<string>();
    // patterns (regex, glob) are not files themselves: the node's externalIdentity lists what they match
    const isPattern = (p: string) => /[*?[\]]|\\d/.test(p.split('/').pop() ?? '');
    for (const paths of Object.values(pathParamFiles(n.type.params, n.params, baseDir))) {
      for (const p of paths) if (!isPattern(p)) missing(fileIdentity(p), found);
    }
    if (n.type.externalIdentity) {
      try {
        missing(await n.type.externalIdentity(n.params, baseDir, wf.services), found);
      } catch (e) {
        problems.push(`${where}: ${messageOf(e)}`);
        continue;
      }
    }
    for (const p of found) problems.push(`${where}: ${p}: no such file`);
  }
  if (problems.length) throw new WorkflowError(wf.file, problems);
}

/** The node types to show for `nodes [type]`; an unknown name is a usage error with suggestions. */
export function pickTypes<T extends { type: string }>(types: T[], name: string | undefined): T[] {
  if (name === undefined) return types;
  const hit = types.filter((t) => t.type === name);
  if (hit.length) return hit;
  const close = types.filter((t) => t.type.includes(name) || name.includes(t.type)).map((t) => t.type);
  throw new UsageError(`no node type '${name}'${close.length ? ` (did you mean ${close.map((c) => `'${c}'`).join(', ')}?)` : ''}; \`clearmap nodes\` lists them all`);
}
