// Node types are registered in an inversify container under NODE_TYPE. Built-in node groups and
// plugins both arrive as ContainerModules, so the engine treats third-party detectors exactly like
// its own nodes.
import 'reflect-metadata';
import { Container, ContainerModule } from 'inversify';
import type { NodeType } from './node-type.js';

export const NODE_TYPE = Symbol.for('clearmap.NodeType');

/** Wrap a list of node types as a ContainerModule (what a plugin's entry point exports). */
export function nodeTypesModule(types: NodeType[]): ContainerModule {
  return new ContainerModule((options) => {
    for (const t of types) options.bind<NodeType>(NODE_TYPE).toConstantValue(t);
  });
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
