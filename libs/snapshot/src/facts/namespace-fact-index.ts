import type { Fact } from './fact-normaliser';

/**
 * One network namespace's facts by kind: links, neighbours and sysctls by key, addresses and
 * routes in the given order, the `netns` fact apart. The one index every reader of a node's facts
 * builds (libs/checks' rules, libs/trace's walk); each extends it with its own questions.
 */
export class NamespaceFactIndex {
  netns?: Fact;
  readonly links = new Map<string, Fact>();
  readonly addresses: Fact[] = [];
  readonly routes: Fact[] = [];
  readonly neighbors = new Map<string, Fact>();
  readonly sysctls = new Map<string, Fact>();

  constructor(readonly ns: string) {}

  /** Files `fact` under its kind (a later fact of the same key replaces the earlier one in the keyed kinds). */
  add(fact: Fact): void {
    switch (fact.kind) {
      case 'netns':
        this.netns = fact;
        break;
      case 'link':
        this.links.set(fact.key, fact);
        break;
      case 'address':
        this.addresses.push(fact);
        break;
      case 'route':
        this.routes.push(fact);
        break;
      case 'neighbor':
        this.neighbors.set(fact.key, fact);
        break;
      case 'sysctl':
        this.sysctls.set(fact.key, fact);
        break;
    }
  }
}

/**
 * `facts` filed by namespace into `into`, a namespace's index made by `create(ns)` when it first
 * appears (in the order namespaces first appear).
 */
export function indexByNamespace<N extends NamespaceFactIndex>(facts: Iterable<Fact>, create: (ns: string) => N, into = new Map<string, N>()): Map<string, N> {
  for (const fact of facts) {
    let ns = into.get(fact.ns);
    if (!ns) into.set(fact.ns, (ns = create(fact.ns)));
    ns.add(fact);
  }
  return into;
}
