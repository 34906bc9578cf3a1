// read-transform: an existing elastix / transformix result directory (TransformParameters.0.txt ...
// chain, e.g. from an earlier run or from ClearMap) as a `transform` artefact. The files are copied
// into the cache entry with each InitialTransformParametersFileName pointing at its sibling copy by
// file name — result folders copied between machines name it by the other machine's absolute path —
// so transform-points / transform-image use the copy, and a change to the files reruns the node.
import { basename, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { defineWholeNode } from '../../../engine/core/node-type.js';
import { fileIdentities } from '../../../engine/cache/keys.js';
import { prepareTransform, transformParameterFiles } from '../lib/elastix.js';


/** Check every file's initial transform resolves to a sibling of the chain (by name). */
function checkChain(dir: string): string[] {
  const files = transformParameterFiles(dir);
  if (files.length === 0) throw new Error(`read-transform: ${dir} holds no TransformParameters.N.txt (is it an elastix result directory?)`);
  const names = new Set(files.map((f) => basename(f)));
  for (const f of files) {
    const m = /\(InitialTransformParametersFileName\s+"([^"]*)"\)/.exec(readFileSync(f, 'utf8'));
    const init = m ? m[1] : 'NoInitialTransform';
    if (init !== 'NoInitialTransform' && !names.has(basename(init))) {
      throw new Error(`read-transform: ${f} starts from "${init}", and ${dir} has no ${basename(init)} (found ${[...names].join(', ')})`);
    }
  }
  return files;
}

export const readTransformNode = defineWholeNode({
  type: 'read-transform',
  version: '1',
  kind: 'whole',
  description: 'An existing elastix result directory (TransformParameters.N.txt chain, e.g. from ClearMap or an earlier run) as a transform for transform-points / transform-image',
  inputs: {},
  outputs: { transform: { type: 'transform', description: 'The transform chain (copied into the cache, initial transforms resolved by file name)' } },
  params: {
    type: 'object',
    properties: { path: { type: 'string', format: 'path', minLength: 1, description: 'Result directory holding TransformParameters.0.txt (.1.txt, ...), relative to the workflow file' } },
    required: ['path'],
    additionalProperties: false,
  },
  async run(_inputs, params, ctx) {
    const dir = params.path; // resolved against the workflow folder by the engine
    const files = checkChain(dir);
    const dest = join(ctx.workDir, 'transform');
    prepareTransform(dir, dest);
    ctx.log(`${dir}: ${files.length} transform file(s) ${files.map((f) => basename(f)).join(', ')}`);
    return { transform: { kind: 'transform', dir: dest } };
  },
  async externalIdentity(params) {
    // the engine fingerprints the folder itself; the transform files in it are what the result depends on
    return fileIdentities(transformParameterFiles(params.path));
  },
});
