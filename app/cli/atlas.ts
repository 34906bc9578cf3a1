// `clearmap atlas list | get NAME | info NAME | path NAME`: reference atlases in the local atlas
// directory ($CLEARMAP_ATLAS_DIR, default ~/.clearmap/atlases) and the in-box atlases/ folder;
// `get` downloads BrainGlobe atlases from BrainGlobe's atlas server ($CLEARMAP_ATLAS_SERVER / --server).
import type { Command } from 'commander';
import { atlasRegistry, pluginOption } from './atlas-registry.js';

function bar(label: string): { update(done: number, total: number | undefined): void; stop(): void } {
  const tty = process.stderr.isTTY;
  let lastPct = -10, lastLen = 0;
  return {
    update(done, total) {
      const mb = (done / 1e6).toFixed(1);
      if (tty) {
        const pct = total ? Math.floor((100 * done) / total) : undefined;
        const line = `${label}: ${mb}${total ? ` / ${(total / 1e6).toFixed(1)}` : ''} MB${pct !== undefined ? ` (${pct}%)` : ''}`;
        process.stderr.write(`\r${line.padEnd(lastLen)}`);
        lastLen = line.length;
      } else if (total) {
        const pct = Math.floor((100 * done) / total);
        if (pct >= lastPct + 10 || done === total) { lastPct = pct; process.stderr.write(`${label}: ${mb} / ${(total / 1e6).toFixed(1)} MB (${pct}%)\n`); }
      }
    },
    stop() { if (tty && lastLen) process.stderr.write('\n'); },
  };
}

export function registerAtlasCommand(program: Command): void {
  const atlas = program.command('atlas').description('reference atlases: list, get (download a BrainGlobe atlas), info, path');

  pluginOption(atlas.command('list'))
    .description('atlases available locally (atlas directory, then in-box); --remote: those on the atlas server')
    .option('--remote', 'list the atlases BrainGlobe publishes (needs internet)')
    .option('--server <url>', 'atlas server base URL (default $CLEARMAP_ATLAS_SERVER or BrainGlobe\'s)')
    .option('--json', 'machine-readable output')
    .action(async (o: { remote?: boolean; server?: string; json?: boolean; plugin: string[] }) => {
      const store = await import('../../nodes/analysis/lib/atlas/atlas-store.js');
      if (o.remote) {
        const { remoteAtlasVersions } = await import('../../nodes/analysis/lib/atlas/atlas-download.js');
        const versions = await remoteAtlasVersions(o.server);
        if (o.json) { process.stdout.write(JSON.stringify(Object.fromEntries(versions)) + '\n'); return; }
        for (const [name, v] of versions) process.stdout.write(`${name}  v${v}\n`);
        return;
      }
      const registry = await atlasRegistry(o.plugin);
      const list = registry.list();
      if (o.json) { process.stdout.write(JSON.stringify({ atlasDir: store.atlasDirectory(), registry: registry.id, atlases: list }) + '\n'); return; }
      process.stdout.write(registry === store.localAtlasRegistry ? `atlas directory: ${store.atlasDirectory()}\n` : `atlas registry: ${registry.id} (from a plugin)\n`);
      for (const a of list) process.stdout.write(`${a.name}${a.version ? `  v${a.version}` : ''}  (${a.where}${a.hasReference ? '' : ', no reference image'})  ${a.dir}\n`);
      if (!list.length) process.stdout.write('no atlases; `clearmap atlas get allen_mouse_25um` downloads one\n');
    });

  atlas.command('get')
    .description('download a BrainGlobe atlas (e.g. allen_mouse_10um/25um/50um/100um) into the atlas directory; resumable, verified')
    .argument('<name>', 'BrainGlobe atlas name')
    .option('--server <url>', 'atlas server base URL (default $CLEARMAP_ATLAS_SERVER or BrainGlobe\'s)')
    .option('--atlas-version <v>', 'version to fetch (default: the latest in the server\'s last_versions.conf)')
    .action(async (name: string, o: { server?: string; atlasVersion?: string }) => {
      const { getAtlas } = await import('../../nodes/analysis/lib/atlas/atlas-download.js');
      const { atlasDirectory } = await import('../../nodes/analysis/lib/atlas/atlas-store.js');
      const b = bar(name);
      try {
        const r = await getAtlas(name, { server: o.server, version: o.atlasVersion, onProgress: b.update, log: (m) => { b.stop(); process.stderr.write(`${m}\n`); } });
        b.stop();
        process.stdout.write(`${r.downloaded ? 'installed' : 'already installed'}: ${r.dir}\n`);
      } catch (e) {
        b.stop();
        throw new Error(`atlas get ${name}: ${(e as Error).message}${(e as Error).message.includes(atlasDirectory()) ? '' : ` (atlas directory ${atlasDirectory()})`}`);
      }
    });

  pluginOption(atlas.command('info'))
    .description('name, version, folder, orientation, resolution, shape, reference, regions of an atlas (name or folder)')
    .argument('<name>', 'atlas name or BrainGlobe atlas folder')
    .option('--json', 'machine-readable output')
    .action(async (name: string, o: { json?: boolean; plugin: string[] }) => {
      const { findAtlas, looksLikePath, readAtlasFolder } = await import('../../nodes/analysis/lib/atlas/atlas-store.js');
      const { LabelTree } = await import('../../nodes/analysis/lib/atlas/label-tree.js');
      const { describeOrientation } = await import('../../nodes/analysis/lib/atlas/orientation-code.js');
      const found = looksLikePath(name) ? findAtlas(name) : (await atlasRegistry(o.plugin)).find(name);
      const f = readAtlasFolder(found.dir);
      const tree = LabelTree.load(f.structures);
      const m = f.metadata;
      const info = {
        name: found.name, version: found.version || m.version, where: found.where, dir: found.dir,
        orientation: m.orientation, axes: describeOrientation(m.orientation),
        resolution: m.resolution, shape: m.shape, shapeXyz: [...m.shape].reverse(), resolutionXyz: [...m.resolution].reverse(),
        reference: f.reference ?? null, hemispheres: f.hemispheres ?? (m.symmetric ? 'symmetric: left-right axis split in half' : null),
        regions: tree.ids.filter((i) => i !== 0).length, citation: m.citation ?? null, species: m.species ?? null,
      };
      if (o.json) { process.stdout.write(JSON.stringify(info) + '\n'); return; }
      process.stdout.write([
        `${info.name}${info.version ? ` v${info.version}` : ''} (${info.where})`, `  folder       ${info.dir}`,
        `  orientation  ${info.orientation} (${info.axes})`,
        `  shape        [x, y, z] = [${info.shapeXyz.join(', ')}] (numpy ${JSON.stringify(m.shape)})`,
        `  voxel size   ${info.resolutionXyz.join(' x ')} µm`,
        `  reference    ${info.reference ?? 'none (the average template is not included; `clearmap atlas get` a BrainGlobe atlas for one)'}`,
        `  hemispheres  ${info.hemispheres ?? 'none'}`, `  regions      ${info.regions}`,
        ...(info.species ? [`  species      ${info.species}`] : []), ...(info.citation ? [`  citation     ${info.citation}`] : []), '',
      ].join('\n'));
    });

  pluginOption(atlas.command('path'))
    .description('the folder of an atlas (for scripts)')
    .argument('<name>', 'atlas name')
    .action(async (name: string, o: { plugin: string[] }) => {
      const { findAtlas, looksLikePath } = await import('../../nodes/analysis/lib/atlas/atlas-store.js');
      process.stdout.write(`${(looksLikePath(name) ? findAtlas(name) : (await atlasRegistry(o.plugin)).find(name)).dir}\n`);
    });
}
