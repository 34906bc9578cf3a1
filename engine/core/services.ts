// Engine services that node types receive by injection (ctx.services) and that plugins may replace,
// through the same inversify container that holds node types: a plugin module can bind node types
// AND a service implementation. The implementation bound last wins (built-ins load first, then
// plugins in workflow order), and its `id` joins the cache key of every node that declares the
// service in `services`, so swapping, say, the registration backend never serves stale results.
import type { ContainerModule } from 'inversify';

/** Names a service and carries its TypeScript interface. */
export interface ServiceToken<T extends Service> {
  readonly key: symbol;
  readonly name: string;
  /** type carrier only */
  readonly __service?: T;
}

/** What every service implementation has: an id naming the implementation (and its version) for cache keys. */
export interface Service {
  readonly id: string;
}

export function serviceToken<T extends Service>(name: string): ServiceToken<T> {
  return { key: Symbol.for(`clearmap.service.${name}`), name };
}

export interface Services {
  /** The implementation bound last for `token`; throws naming the service when none is bound. */
  get<T extends Service>(token: ServiceToken<T>): T;
  /** As get(), or undefined when none is bound (a node then uses its built-in implementation). */
  find<T extends Service>(token: ServiceToken<T>): T | undefined;
}

/** Bindings of service implementations, for a ContainerModule (see nodeTypesModule / pluginModule). */
export type ServiceBinding = readonly [ServiceToken<Service>, Service];

export function bindServices(options: Parameters<ConstructorParameters<typeof ContainerModule>[0]>[0], services: readonly ServiceBinding[]): void {
  for (const [token, impl] of services) options.bind<Service>(token.key).toConstantValue(impl);
}
