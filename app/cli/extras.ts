// Small CLI pieces: `--version`, the input-file check of `validate`, and `nodes <type>` lookup.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError, WorkflowError, messageOf } from '../../engine/core/errors.js';
import type { ValidWorkflow } from '../../engine/workflow/validate.js';

/** `clearmap --version` / `-V`: the package version (and Node's). */
export function registerVersion(program: Command): void {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  program.version(`clearmap-ts ${pkg.version} (node ${process.versions.node})`, '-V, --version', 'print the version');
}

/**
 * Every input file a node reads (its external identity: volumes, points, tables, transforms) must
 * exist and be readable now; throws a WorkflowError listing each missing one with its node.
 */
export async function checkInputFiles(wf: ValidWorkflow): Promise<void> {
  const baseDir = dirname(resolve(wf.file));
  const problems: string[] = [];
  for (const n of wf.order) {
    if (!n.type.externalIdentity) continue;
    try {
      await n.type.externalIdentity(n.params, baseDir);
    } catch (e) {
      problems.push(`node '${n.id}' (${n.type.type}): ${messageOf(e)}`);
    }
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
