// `clearmap init`: write a complete, commented workflow for the user's stacks (app/init/init.ts).
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';

const numbers = (n: number, what: string) => (s: string) => {
  const v = s.split(',').map(Number);
  if (v.length !== n || v.some((x) => !Number.isFinite(x))) throw new InvalidArgumentError(`expected ${n} comma-separated numbers (${what}), got '${s}'`);
  return v;
};

export function registerInit(program: Command): void {
  program.command('init')
    .description('write a complete, commented workflow (the ClearMap tutorial steps) for your stacks: detection in µm, checks, points, and with an atlas the heat map and region counts')
    .requiredOption('--signal <path>', 'signal (c-Fos) channel: a TIFF/OME-TIFF stack, a folder of numbered planes, a glob (Z*.tif) or a pattern (Z\\d{4}.tif)')
    .option('--autofluorescence <path>', 'autofluorescence channel (same forms), for registration')
    .option('--voxel-size <x,y,z>', 'voxel size in µm (default: what the files record)', numbers(3, 'µm'))
    .option('--orientation <a,b,c>', "ClearMap orientation of the sample relative to the atlas, e.g. 1,2,3 or -1,2,3", numbers(3, 'signed axes'))
    .option('--atlas <name>', "atlas by name, e.g. allen_mouse_50um (needs the 'atlas' node)")
    .option('--annotation <file>', 'atlas annotation (label) volume')
    .option('--labels <file>', 'atlas label table: ClearMap annotation CSV or Allen structure JSON')
    .option('--reference <file>', 'atlas reference (template) image; with --autofluorescence the workflow registers with elastix')
    .option('--atlas-resolution <µm>', 'µm per atlas voxel (default: from the file or its name, else 25)', Number)
    .option('--cell-diameter <µm>', 'typical cell diameter in µm (default 12)', Number)
    .option('--name <name>', 'workflow name')
    .option('-o, --output <file>', 'workflow file to write', 'workflow.json')
    .option('--force', 'overwrite an existing file')
    .action(async (o: { signal: string; autofluorescence?: string; voxelSize?: number[]; orientation?: number[]; atlas?: string; annotation?: string; labels?: string; reference?: string; atlasResolution?: number; cellDiameter?: number; name?: string; output: string; force?: boolean }) => {
      const { initWorkflow } = await import('../init/init.js');
      const { createRegistry } = await import('../engine.js');
      const output = resolve(o.output);
      if (existsSync(output) && !o.force) throw new Error(`${output} exists; use --force to overwrite or -o another file`);
      const registry = await createRegistry();
      const { workflow, notes } = await initWorkflow({
        signal: o.signal, autofluorescence: o.autofluorescence, voxelSize: o.voxelSize as [number, number, number] | undefined,
        orientation: o.orientation as [number, number, number] | undefined, atlas: o.atlas, annotation: o.annotation, labels: o.labels,
        reference: o.reference, atlasResolution: o.atlasResolution, cellDiameter: o.cellDiameter, name: o.name, output,
        nodeTypes: registry.all().map((t) => t.type),
      });
      const tmp = `${output}.tmp-${process.pid}`;
      writeFileSync(tmp, JSON.stringify(workflow, null, 2) + '\n');
      renameSync(tmp, output);
      for (const n of notes) process.stderr.write(`note: ${n}\n`);
      process.stderr.write(`wrote ${output} (${workflow.nodes.length} nodes: ${workflow.nodes.map((n) => n.id).join(', ')})\nnext: clearmap validate ${o.output} && clearmap run ${o.output} --report\n`);
    });
}
