import type { Capabilities, Capability, ServiceContext, ServiceModule } from '../kit/module';

/** A module list that cannot start: a need nobody provides, two providers, or a cycle. */
export class ModuleGraphError extends Error {
  override name = 'ModuleGraphError';
}

interface Declares {
  name: string;
  provides?: readonly string[];
  needs?: readonly string[];
}

/**
 * The order to start modules in: every module after the providers of what it needs; otherwise as
 * listed. Hand-written rather than taken from a toposort package: it is a depth-first walk of a
 * handful of nodes, and the errors must name the modules and the capability (or the whole cycle).
 */
export function startOrder<M extends Declares>(modules: readonly M[]): M[] {
  const provider = new Map<string, M>();
  for (const m of modules)
    for (const c of m.provides ?? []) {
      const other = provider.get(c);
      if (other)
        throw new ModuleGraphError(`modules "${other.name}" and "${m.name}" both provide "${c}"; one may`);
      provider.set(c, m);
    }
  for (const m of modules)
    for (const c of m.needs ?? [])
      if (!provider.has(c))
        throw new ModuleGraphError(
          `module "${m.name}" needs "${c}", which none of the modules provides (${modules
            .map((x) => x.name)
            .join(', ')})`,
        );

  const order: M[] = [];
  const done = new Set<M>();
  const path: M[] = [];
  const visit = (m: M): void => {
    if (done.has(m)) return;
    const at = path.indexOf(m);
    if (at >= 0)
      throw new ModuleGraphError(
        `modules need each other in a cycle: ${[...path.slice(at), m].map((x) => x.name).join(' → ')}`,
      );
    path.push(m);
    for (const c of m.needs ?? []) visit(provider.get(c)!);
    path.pop();
    done.add(m);
    order.push(m);
  };
  for (const m of modules) visit(m);
  return order;
}

export type BaseContext = Omit<ServiceContext, 'need' | 'provide'>;

/** What modules have provided so far: one per service. */
export class Provisions {
  private readonly values = new Map<Capability, unknown>();

  get<K extends Capability>(name: K, who: string): Capabilities[K] {
    if (!this.values.has(name))
      throw new ModuleGraphError(`"${name}" asked for by ${who} has not been provided (yet)`);
    return this.values.get(name) as Capabilities[K];
  }

  set<K extends Capability>(name: K, value: Capabilities[K]): void {
    this.values.set(name, value);
  }

  has(name: Capability): boolean {
    return this.values.has(name);
  }
}

/** The composition root's own view: it may read whatever any module provided. */
export function rootContext(base: BaseContext, provisions: Provisions): ServiceContext {
  return {
    ...base,
    need: (name) => provisions.get(name, 'the service'),
    provide() {
      throw new ModuleGraphError('only a module provides capabilities');
    },
  };
}

/** A module's view: it may need only what it lists in `needs`, provide only what it lists in `provides`. */
export function moduleContext(base: BaseContext, provisions: Provisions, m: ServiceModule): ServiceContext {
  return {
    ...base,
    need(name) {
      if (!m.needs?.includes(name))
        throw new ModuleGraphError(`module "${m.name}" needs "${name}" but does not list it in needs`);
      return provisions.get(name, `module "${m.name}"`);
    },
    provide(name, value) {
      if (!m.provides?.includes(name))
        throw new ModuleGraphError(`module "${m.name}" provides "${name}" but does not list it in provides`);
      provisions.set(name, value);
    },
  };
}

/** Throws when a started module left one of its declared capabilities unprovided. */
export function checkProvided(m: ServiceModule, provisions: Provisions): void {
  for (const c of m.provides ?? [])
    if (!provisions.has(c))
      throw new ModuleGraphError(
        `module "${m.name}" lists "${c}" in provides but its start() did not provide it`,
      );
}
