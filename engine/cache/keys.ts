// Cache keys of a workflow's nodes: what makes two runs of a node interchangeable.
import { hashJson } from '../core/hash.js';
import { NodeError, messageOf } from '../core/errors.js';
import type { ValidWorkflow } from '../workflow/validate.js';

/** Content keys: hash(type, version, params, input keys, external identity). Computed before anything runs. */
export async function computeKeys(wf: ValidWorkflow, baseDir: string, outDir: string): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  for (const n of wf.order) {
    const inputs = Object.fromEntries(Object.entries(n.inputs).map(([port, s]) => [port, `${keys.get(s.node)}.${s.port}`]));
    let external: unknown = null;
    const t = n.type;
    if (t.externalIdentity) {
      try {
        external = await t.externalIdentity(n.params, baseDir);
      } catch (e) {
        throw new NodeError(n.id, t.type, messageOf(e));
      }
    }
    // result writers: the destination folder is part of what they produce
    const out = t.kind === 'whole' && t.producesFiles ? outDir : undefined;
    keys.set(n.id, hashJson({ type: t.type, version: t.version, params: n.params, inputs, external, out }));
  }
  return keys;
}
