// Dependency injection that a plugin can use: one plugin module replaces an engine service (the
// registration backend) through the same container that holds node types; the built-in 'elastix'
// node then registers with it, and the replacement's id is part of the node's cache key.
import test from 'ava';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeMhdHeader } from '../../engine/data/raw-volume.js';
import { computeKeyParts } from '../../engine/cache/keys.js';
import { createRegistry, loadWorkflow } from '../../app/engine.js';
import { REGISTRATION_BACKEND } from '../../nodes/alignment/lib/registration.js';
import { ROOT, runApi, tempDir, writeWorkflow } from '../engine/helpers.js';

const PLUGIN = `
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pluginModule, REGISTRATION_BACKEND } from 'clearmap-ts';

function centroid(v) {
  const [X, Y] = v.shape; let s = 0; const c = [0, 0, 0];
  for (let i = 0; i < v.data.length; i++) {
    const w = v.data[i]; if (!w) continue;
    s += w; c[0] += w * (i % X); c[1] += w * (Math.floor(i / X) % Y); c[2] += w * Math.floor(i / (X * Y));
  }
  return c.map((x) => x / s);
}

/** A (crude but real) registration: the translation between the intensity centroids. */
export const centroidRegistration = {
  id: 'centroid-translation@1',
  async register(req, ctx) {
    const a = centroid(await ctx.readVolume(req.fixed)), b = centroid(await ctx.readVolume(req.moving));
    const t = b.map((x, i) => x - a[i]);
    ctx.log('centroid translation ' + t.join(' '));
    writeFileSync(join(req.outDir, 'TransformParameters.0.txt'), [
      '(Transform "TranslationTransform")', '(NumberOfParameters 3)', '(TransformParameters ' + t.join(' ') + ')',
      '(InitialTransformParametersFileName "NoInitialTransform")', '(HowToCombineTransforms "Compose")', '',
    ].join('\\n'));
  },
};

export default pluginModule({ services: [[REGISTRATION_BACKEND, centroidRegistration]] });
`;

function blobVolume(file: string, centre: [number, number, number]): void {
  const shape: [number, number, number] = [20, 16, 12];
  const data = new Uint16Array(shape[0] * shape[1] * shape[2]);
  for (let z = 0; z < shape[2]; z++) for (let y = 0; y < shape[1]; y++) for (let x = 0; x < shape[0]; x++) {
    if (Math.abs(x - centre[0]) <= 1 && Math.abs(y - centre[1]) <= 1 && Math.abs(z - centre[2]) <= 1) data[x + shape[0] * (y + shape[1] * z)] = 100;
  }
  writeFileSync(`${file}.raw`, data);
  writeMhdHeader(`${file}.mhd`, `${file.split('/').pop()}.raw`, shape, 'uint16', [1, 1, 1]);
}

test('a plugin replaces the registration backend; the built-in elastix node uses it and its id joins the cache key', async (t) => {
  const dir = tempDir('cm-services-');
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'clearmap-ts'), 'dir');
  mkdirSync(join(dir, 'centroid-plugin'));
  writeFileSync(join(dir, 'centroid-plugin', 'package.json'), JSON.stringify({ name: 'centroid-plugin', type: 'module', main: 'index.js' }));
  writeFileSync(join(dir, 'centroid-plugin', 'index.js'), PLUGIN);
  blobVolume(join(dir, 'fixed'), [6, 5, 4]);
  blobVolume(join(dir, 'moving'), [9, 5, 2]);
  writeFileSync(join(dir, 'cells.csv'), 'x,y,z\n6,5,4\n1,2,3\n');
  const file = writeWorkflow(dir, { version: 1, plugins: ['./centroid-plugin'], nodes: [
    { id: 'fixed', type: 'read-volume', params: { path: 'fixed.mhd' } },
    { id: 'moving', type: 'read-volume', params: { path: 'moving.mhd' } },
    { id: 'register', type: 'elastix', inputs: { fixed: 'fixed.volume', moving: 'moving.volume' } },
    { id: 'cells', type: 'read-points', params: { path: 'cells.csv' } },
    { id: 'mapped', type: 'transform-points', inputs: { points: 'cells.points', transform: 'register.transform' }, params: { backend: 'wasm' } },
  ] });
  const r = await runApi(file, { cache: join(dir, 'cache'), workers: 1 });
  t.true(r.summary.ok, JSON.stringify(r.summary.nodes));
  t.true(r.events.some((e) => e.event === 'log' && e.node === 'register' && /centroid translation 3 0 -2/.test(e.message)));

  const { valid } = await loadWorkflow(file);
  t.is(valid.services.get(REGISTRATION_BACKEND).id, 'centroid-translation@1', 'the plugin binding wins over the built-in');
  const parts = await computeKeyParts(valid, dir, join(dir, 'out'));
  t.deepEqual(parts.get('register')!.parts.services, { 'registration-backend': 'centroid-translation@1' });
  t.is((await createRegistry()).services.get(REGISTRATION_BACKEND).id, 'elastix', 'without the plugin: the built-in');
});
