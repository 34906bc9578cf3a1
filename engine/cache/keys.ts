// Cache keys of a workflow's nodes: what makes two runs of a node interchangeable. A key is the hash of
// its parts (KeyParts), and the parts are kept so `clearmap run --explain` can say which one changed.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hashJson, sha256 } from '../core/hash.js';
import { NodeError, messageOf } from '../core/errors.js';
import type { NodeType } from '../core/node-type.js';
import type { ValidWorkflow } from '../workflow/validate.js';
import { FILE_RESOLVER, pathParamFiles } from '../workflow/paths.js';

/** Identity of a file a node reads: size and modification time (as Make and Nextflow's default). */
export type FileIdentity = { path: string; size: number; mtimeMs: number } | { path: string; dir: true; mtimeMs: number } | { path: string; missing: true };

/**
 * The one fingerprint rule for input files. A missing file is recorded as missing (the node that
 * reads it reports the error, naming its param); a folder by its own mtime (entries added or removed).
 */
export function fileIdentity(path: string): FileIdentity {
  try {
    const s = statSync(path);
    return s.isDirectory() ? { path, dir: true, mtimeMs: s.mtimeMs } : { path, size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return { path, missing: true };
  }
}

export function fileIdentities(paths: string[]): FileIdentity[] {
  return paths.map(fileIdentity);
}

/** Everything a node's key is made of. */
export interface KeyParts {
  type: string;
  version: string;
  /** Hash of the node's code: its kernel module (chunk nodes) or run() (whole nodes), plus `implementation` modules. */
  implementation: string;
  params: Record<string, unknown>;
  /** input port -> key of the producing node + its port */
  inputs: Record<string, string>;
  /** path param -> identities of the files it names */
  files: Record<string, FileIdentity[]>;
  /** the node's own externalIdentity(), if any */
  external: unknown;
  /** result writers: the destination folder is part of what they produce */
  out?: string;
  /** service name -> id of the implementation bound (for the services the node declares) */
  services?: Record<string, string>;
}

const moduleHashes = new Map<string, { stamp: string; hash: string }>();

/** Content hash of a module (URL or path), re-read only when its size or mtime changed. */
function moduleHash(spec: string): string {
  let path: string;
  try {
    path = spec.startsWith('file:') ? fileURLToPath(spec) : spec;
    const s = statSync(path);
    const stamp = `${s.size}:${s.mtimeMs}`;
    const known = moduleHashes.get(path);
    if (known?.stamp === stamp) return known.hash;
    const hash = sha256(readFileSync(path));
    moduleHashes.set(path, { stamp, hash });
    return hash;
  } catch {
    return sha256(spec); // not a readable file (e.g. a bare specifier): its name stands in
  }
}

/** Hash of a node type's implementation (Nextflow hashes a task's script the same way). */
export function implementationHash(t: NodeType): string {
  const code: string[] = [];
  if (t.kind === 'chunk') {
    code.push(`kernel ${t.kernel.export} ${moduleHash(t.kernel.module)}`);
    if (t.join) code.push(`join ${t.join.toString()}`);
  } else {
    code.push(`run ${t.run.toString()}`);
  }
  for (const m of t.implementation ?? []) code.push(`module ${moduleHash(m)}`);
  return sha256(code.join('\n'));
}

/** Key parts and keys of every node, in workflow order. Computed before anything runs. */
export async function computeKeyParts(wf: ValidWorkflow, baseDir: string, outDir: string): Promise<Map<string, { key: string; parts: KeyParts }>> {
  const result = new Map<string, { key: string; parts: KeyParts }>();
  for (const n of wf.order) {
    const t = n.type;
    const inputs = Object.fromEntries(Object.entries(n.inputs).map(([port, s]) => [port, `${result.get(s.node)!.key}.${s.port}`]));
    let external: unknown = null;
    if (t.externalIdentity) {
      try {
        external = await t.externalIdentity(n.params, baseDir, wf.services);
      } catch (e) {
        throw new NodeError(n.id, t.type, messageOf(e));
      }
    }
    const files = Object.fromEntries(Object.entries(pathParamFiles(t.params, n.params, baseDir, wf.services.find(FILE_RESOLVER))).map(([name, paths]) => [name, fileIdentities(paths)]));
    const parts: KeyParts = {
      type: t.type, version: t.version, implementation: implementationHash(t), params: n.params, inputs, files, external,
      out: t.kind === 'whole' && t.producesFiles ? outDir : undefined,
      services: t.services?.length ? Object.fromEntries(t.services.map((s) => [s.name, wf.services.find(s)?.id ?? 'built-in'])) : undefined,
    };
    result.set(n.id, { key: hashJson(parts), parts });
  }
  return result;
}

/** Content keys: hash of each node's KeyParts. */
export async function computeKeys(wf: ValidWorkflow, baseDir: string, outDir: string): Promise<Map<string, string>> {
  return new Map([...(await computeKeyParts(wf, baseDir, outDir))].map(([id, v]) => [id, v.key]));
}
