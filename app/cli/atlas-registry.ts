// The atlas registry the `clearmap atlas list|info|path` commands ask: the built-in one, or the one a
// plugin binds (`--plugin`), so a lab's own atlas store shows the names its workflows will get.
import type { Command } from 'commander';
import { createRegistry } from '../engine.js';
import { loadPlugin } from '../../engine/core/plugins.js';
import { ATLAS_REGISTRY, type AtlasRegistry } from '../api.js';

export const pluginOption = (c: Command): Command =>
  c.option('--plugin <spec>', 'ask the atlas registry of this plugin (folder or package; repeatable, the last one binding a registry wins)', (v: string, acc: string[]) => [...acc, v], [] as string[]);

export async function atlasRegistry(plugins: string[] = []): Promise<AtlasRegistry> {
  const registry = await createRegistry();
  for (const p of plugins) await loadPlugin(registry, p, process.cwd());
  return registry.services.get(ATLAS_REGISTRY);
}
