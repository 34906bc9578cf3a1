// Node types are registered in an inversify container under NODE_TYPE. Built-in node groups and
// plugins both arrive as ContainerModules, so the engine treats third-party detectors exactly like
// its own nodes.
import 'reflect-metadata';
import { Container, ContainerModule } from 'inversify';
import type { NodeType } from './node-type.js';
import { bindServices, type Service, type ServiceBinding, type ServiceToken, type Services } from './services.js';

export const NODE_TYPE = Symbol.for('clearmap.NodeType');

/** Wrap a list of node types (and service implementations) as a ContainerModule (what a plugin's entry point exports). */
export function nodeTypesModule(types: NodeType[], services: readonly ServiceBinding[] = []): ContainerModule {
  return new ContainerModule((options) => {
    for (const t of types) options.bind<NodeType>(NODE_TYPE).toConstantValue(t);
    bindServices(options, services);
  });
}

/** A plugin's entry point: node types it adds and engine services it provides or replaces. */
export function pluginModule(contents: { nodes?: NodeType[]; services?: readonly ServiceBinding[] }): ContainerModule {
  return nodeTypesModule(contents.nodes ?? [], contents.services ?? []);
}

export class NodeRegistry {
  readonly container = new Container();
  private readonly byName = new Map<string, { type: NodeType; origin: string }>();

  async load(module: ContainerModule, origin: string): Promise<void> {
    const before = this.container.isBound(NODE_TYPE) ? this.container.getAll<NodeType>(NODE_TYPE).length : 0;
    await this.container.loadAsync(module);
    const all = this.container.getAll<NodeType>(NODE_TYPE);
    for (const t of all.slice(before)) {
      const clash = this.byName.get(t.type);
      if (clash) throw new Error(`node type '${t.type}' from ${origin} is already defined by ${clash.origin}`);
      this.byName.set(t.type, { type: t, origin });
    }
  }

  /** Engine services: the implementation bound last for each token. */
  readonly services: Services = {
    find: <T extends Service>(token: ServiceToken<T>): T | undefined => {
      const all = this.container.isBound(token.key) ? this.container.getAll<T>(token.key) : [];
      return all[all.length - 1];
    },
    get: <T extends Service>(token: ServiceToken<T>): T => {
      const found = this.services.find(token);
      if (!found) throw new Error(`no implementation of the service '${token.name}' is registered`);
      return found;
    },
  };

  get(name: string): NodeType | undefined {
    return this.byName.get(name)?.type;
  }

  origin(name: string): string | undefined {
    return this.byName.get(name)?.origin;
  }

  all(): NodeType[] {
    return [...this.byName.values()].map((v) => v.type).sort((a, b) => a.type.localeCompare(b.type));
  }
}
