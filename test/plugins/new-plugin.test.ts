// The plugin scaffolder: scaffold into a temp folder (with node_modules/clearmap-ts linked to this
// repo, as `npm install` would), build it with the repo's tsc, run its own test, load it through a
// workflow here and check its output, and check its imports.
import test from 'ava';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { writeMhdHeader } from '../../engine/data/raw-volume.js';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { runApi, tempDir, writeWorkflow, ROOT } from '../engine/helpers.js';
import { checkPluginImports } from '../../tools/plugins/check-imports.js';
import { pointsOf } from './helpers.js';

const SCAFFOLD = join(ROOT, 'dist', 'tools', 'new-plugin', 'index.js');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

test('a scaffolded plugin builds, passes its own test, and runs through a workflow', async (t) => {
  const parent = tempDir('cm-new-plugin-');
  try {
    const made = spawnSync(process.execPath, [SCAFFOLD, 'spot-finder', '--dir', parent], { encoding: 'utf8' });
    t.is(made.status, 0, made.stderr);
    const dir = join(parent, 'spot-finder');
    for (const f of ['package.json', 'tsconfig.json', 'README.md', 'src/index.ts', 'src/params.ts', 'src/kernel.ts', 'test/plugin.test.ts']) {
      t.true(existsSync(join(dir, f)), f);
    }
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    t.is(pkg.name, 'clearmap-plugin-spot-finder');
    t.deepEqual(pkg.peerDependencies, { 'clearmap-ts': '*' });
    t.is(pkg.devDependencies['clearmap-ts'], `file:${ROOT}`, 'depends on this package by path');
    t.notRegex(readFileSync(join(dir, 'test', 'plugin.test.ts'), 'utf8'), /nodes\/|\.v8|manifest/, 'the test uses runNode outputs, not cache internals');
    t.regex(readFileSync(join(dir, 'src', 'index.ts'), 'utf8'), /type: 'spot-finder\.bright-spots'/);
    t.deepEqual(checkPluginImports(dir), [], 'imports only the public API');

    // what `npm install` would provide: clearmap-ts (this repo) and @types/node
    mkdirSync(join(parent, 'node_modules', '@types'), { recursive: true });
    symlinkSync(ROOT, join(parent, 'node_modules', 'clearmap-ts'), 'dir');
    symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(parent, 'node_modules', '@types', 'node'), 'dir');
    const built = spawnSync(process.execPath, [TSC, '-p', dir], { encoding: 'utf8' });
    t.is(built.status, 0, built.stdout + built.stderr);
    t.true(existsSync(join(dir, 'dist', 'src', 'index.js')) && existsSync(join(dir, 'dist', 'src', 'index.d.ts')));

    const own = spawnSync(process.execPath, ['--test', join('dist', 'test', 'plugin.test.js')], { cwd: dir, encoding: 'utf8' });
    t.is(own.status, 0, own.stdout + own.stderr);
    t.regex(own.stdout, /# pass 2\n# fail 0/);

    // loaded through a workflow in this process, as any plugin
    const wdir = tempDir();
    const shape: [number, number, number] = [10, 9, 11];
    const data = new Uint16Array(shape[0] * shape[1] * shape[2]);
    for (const [x, y, z, v] of [[1, 2, 3, 400], [8, 8, 5, 700], [3, 3, 6, 800], [3, 3, 7, 799], [5, 5, 10, 200], [0, 0, 0, 90]]) data[x + shape[0] * (y + shape[1] * z)] = v;
    writeFileSync(join(wdir, 'stack.raw'), data);
    writeMhdHeader(join(wdir, 'stack.mhd'), 'stack.raw', shape, 'uint16', [1, 1, 1]);
    const r = await runApi(writeWorkflow(wdir, {
      version: 1, plugins: [dir], settings: { chunkSizeMax: 3 },
      nodes: [
        { id: 'stack', type: 'read-volume', params: { path: 'stack.mhd' } },
        { id: 'spots', type: 'spot-finder.bright-spots', inputs: { input: 'stack.volume' }, params: { threshold: 100 } },
      ],
    }), { cache: join(wdir, 'cache') });
    t.true(r.summary.ok, JSON.stringify(r.summary.nodes));
    t.true(r.summary.nodes.find((n) => n.id === 'spots')!.chunks!.total > 2);
    const p = pointsOf(join(wdir, 'cache'), 'spot-finder.bright-spots', 'points');
    // (3,3,7) is not a maximum (its neighbour (3,3,6) is brighter); (0,0,0) is below threshold
    t.deepEqual([...p.coords], [1, 2, 3, 8, 8, 5, 3, 3, 6, 5, 5, 10]);
    t.deepEqual([...p.properties.value], [400, 700, 800, 200]);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('a scaffolded plugin installs (npm, clearmap-ts by path, typescript as devDependency) and passes its own test outside this repository', (t) => {
  const parent = tempDir('cm-new-plugin-outside-');
  try {
    t.false(parent.startsWith(ROOT), 'outside the repository');
    const made = spawnSync(process.execPath, [SCAFFOLD, 'outside-finder', '--dir', parent], { encoding: 'utf8' });
    t.is(made.status, 0, made.stderr);
    const dir = join(parent, 'outside-finder');
    const npm = (args: string[]) => spawnSync('npm', args, { cwd: dir, encoding: 'utf8', timeout: 300_000, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });
    const install = npm(['install', '--prefer-offline', '--no-audit', '--no-fund']);
    t.is(install.status, 0, install.stdout + install.stderr);
    t.true(existsSync(join(dir, 'node_modules', 'typescript', 'package.json')), 'its own typescript');
    const own = npm(['test']);
    t.is(own.status, 0, own.stdout + own.stderr);
    t.regex(own.stdout, /# pass 2\n# fail 0/);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('the scaffolder rejects a bad name and an existing folder with exit code 2', (t) => {
  const parent = tempDir('cm-new-plugin-');
  try {
    const bad = spawnSync(process.execPath, [SCAFFOLD, 'My_Plugin', '--dir', parent], { encoding: 'utf8' });
    t.is(bad.status, 2);
    t.regex(bad.stderr, /plugin name 'My_Plugin' is invalid: use lower-case letters, digits and single dashes/);
    mkdirSync(join(parent, 'taken'));
    const taken = spawnSync(process.execPath, [SCAFFOLD, 'taken', '--dir', parent], { encoding: 'utf8' });
    t.is(taken.status, 2);
    t.regex(taken.stderr, /taken already exists/);
    const usage = spawnSync(process.execPath, [SCAFFOLD], { encoding: 'utf8' });
    t.is(usage.status, 2);
    t.regex(usage.stderr, /usage: node dist\/tools\/new-plugin\/index\.js <name> \[--dir plugins\]/);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});
