import { tracePath, TraceRequestError, type TraceRequest, type TraceResult } from '@routescope/trace';
import { lookupRoute, type Fact } from '@routescope/snapshot';
import type { FactStore } from '../history/fact-store.service';
import { addressesOf, macKey, type NodeAddressDirectory, type NodeRef } from './node-address-directory';
import { TraceError, TraceErrorCode } from './trace.errors';

/** Rounds of "trace, then load the node the walk could not find": a path crosses at most this many unknown next hops. */
export const MAX_LOAD_ROUNDS = 4;

/**
 * Holders of one address a trace reads at most. A path's next hop or destination is held by one
 * node (two while an address moves); an address many nodes hold is node-local by design —
 * NodeLocal DNSCache's 169.254.20.10 on every node's dummy device, every ClusterIP on kube-ipvs0
 * in IPVS mode — and is delivered on the node that sends to it, which is loaded already. Reading
 * every holder made one trace to such an address read the state of every node of the cluster
 * (the prefetch did, even when the walk never asked); beyond this many the walk is not given
 * them and cannot place the address on another node.
 */
export const MAX_HOLDERS_READ = 4;

export interface LoadedNode {
  id: number;
  name: string;
  facts: Fact[];
}

/** What a trace asks, with `to` canonical and the source node known. */
export interface TraceAsk {
  source: LoadedNode;
  pod?: string;
  to: string;
  size: number;
  dontFragment: boolean;
}

/**
 * The nodes a trace at one instant needs, read through the fact store: the source node first,
 * then the holders of the destination and of the source's next hop for it, then, as long as the
 * walk cannot place an address or a VTEP MAC (libs/trace's `unresolved`), their holders. Holders
 * come from NodeAddressDirectory (who holds it now) and are kept only when their state at `at`
 * holds it too. Whole-cluster state (clusterStateAt)
 * is never read: at 1,000 nodes it is seconds, where a trace needs two or three nodes.
 */
export class TraceStateAt {
  readonly nodes = new Map<string, LoadedNode>();
  /** addresses already looked for, found or not */
  private readonly looked = new Set<string>();
  /** holder look-ups started (prefetch), by address */
  private readonly lookups = new Map<string, Promise<NodeRef[]>>();
  /** state reads started, by node id */
  private readonly states = new Map<number, Promise<Fact[]>>();

  constructor(
    private readonly store: FactStore,
    private readonly directory: NodeAddressDirectory,
    readonly at: Date,
  ) {}

  add(node: LoadedNode): void {
    this.nodes.set(node.name, node);
  }

  /**
   * Starts looking up the holders of `addresses` and reading their states at `at`, before the walk
   * asks for them (loadHoldersOf then uses what was started): the destination's holders are read
   * while the source node is, so a cold trace waits for one state read instead of two in a row.
   * What loadHoldersOf loads is unchanged; a prefetched node it does not ask for is dropped.
   */
  prefetch(addresses: Iterable<string>): void {
    const keys = [...new Set(addresses)].filter((a) => !this.lookups.has(a));
    if (keys.length === 0) return;
    const found = this.directory.holders(keys);
    for (const key of keys) {
      const holders = found.then((map) => map.get(key) ?? []);
      this.lookups.set(key, holders);
      // read the holders' states now; a failure surfaces when loadHoldersOf awaits it (or never)
      holders.then(
        (nodes) => {
          if (nodes.length <= MAX_HOLDERS_READ) for (const node of nodes) this.readState(node);
        },
        () => undefined,
      );
      holders.catch(() => undefined);
    }
  }

  /** Loads the nodes holding any of `addresses` at `at` (each address looked for once per trace); true when a node was added. */
  async loadHoldersOf(addresses: Iterable<string>): Promise<boolean> {
    const wanted = [...new Set(addresses)].filter((a) => !this.looked.has(a) && ![...this.nodes.values()].some((n) => addressesOf(n.facts).has(a)));
    for (const address of wanted) this.looked.add(address);
    this.prefetch(wanted);
    const candidates = new Map<string, NodeRef>();
    for (const holders of await Promise.all(wanted.map((a) => this.lookups.get(a) as Promise<NodeRef[]>))) {
      if (holders.length > MAX_HOLDERS_READ) continue;
      for (const holder of holders) if (!this.nodes.has(holder.name)) candidates.set(holder.name, holder);
    }
    if (candidates.size === 0) return false;
    const loaded = await Promise.all([...candidates.values()].map(async (node) => ({ id: node.id, name: node.name, facts: await this.readState(node) })));
    let added = false;
    for (const node of loaded) {
      const held = addressesOf(node.facts);
      if (wanted.some((a) => held.has(a))) {
        this.add(node);
        added = true;
      }
    }
    return added;
  }

  /** A node's state at `at`, read once per trace (the source's too: it may hold the destination). */
  readState(node: NodeRef): Promise<Fact[]> {
    let facts = this.states.get(node.id);
    if (!facts) {
      facts = this.store.stateAt(node.id, this.at);
      facts.catch(() => undefined);
      this.states.set(node.id, facts);
    }
    return facts;
  }

  request(ask: TraceAsk): TraceRequest {
    return {
      nodes: [...this.nodes.values()].map((n) => ({ node: n.name, facts: n.facts })),
      from: { node: ask.source.name, ...(ask.pod ? { pod: ask.pod } : {}) },
      to: ask.to,
      size: ask.size,
      dontFragment: ask.dontFragment,
    };
  }

  /** The fact a piece of evidence cites, as loaded (undefined when its node was not read). */
  fact(node: string, ns: string, kind: string, key: string): Fact | undefined {
    return this.nodes.get(node)?.facts.find((f) => f.ns === ns && f.kind === kind && f.key === key);
  }
}

/** Traces at `state.at`, loading the nodes the walk needs first and whenever it stops at an unknown next hop. */
export async function traceLoading(state: TraceStateAt, ask: TraceAsk): Promise<TraceResult> {
  await state.loadHoldersOf([ask.to, ...nextHopsFor(ask.source.facts, ask.to)]);
  let result = traceAt(state, ask);
  for (let round = 1; round < MAX_LOAD_ROUNDS; round++) {
    const unplaced = unplacedAddresses(result);
    if (unplaced.length === 0 || !(await state.loadHoldersOf(unplaced))) break;
    result = traceAt(state, ask);
  }
  return result;
}

/** libs/trace over the nodes loaded so far; a request it cannot start becomes the API's error naming the field. */
export function traceAt(state: TraceStateAt, ask: TraceAsk): TraceResult {
  try {
    return tracePath(state.request(ask));
  } catch (error) {
    if (!(error instanceof TraceRequestError)) throw error;
    switch (error.field) {
      case 'from.pod':
        throw new TraceError(TraceErrorCode.UnknownPod, `${error.message} at ${state.at.toISOString()}`);
      case 'from.node':
      case 'nodes':
        throw new TraceError(TraceErrorCode.UnknownNode, `${error.message} at ${state.at.toISOString()}`);
      case 'to':
        throw new TraceError(TraceErrorCode.InvalidAddress, error.message);
      case 'size':
        throw new TraceError(TraceErrorCode.InvalidArgument, error.message);
      default:
        return exhaustive(error.field);
    }
  }
}

function exhaustive(value: never): never {
  throw new Error(`unmapped trace request field ${String(value)}`);
}

/** The gateways of the host route the source node takes for `to` (main table lookup). */
export function nextHopsFor(facts: readonly Fact[], to: string): string[] {
  const routes = facts.filter((f) => f.ns === 'host' && f.kind === 'route').map((f) => ({ ...(f.attrs as { dst: string; family: string; table: string; type: string; metric?: number }), fact: f }));
  const found = lookupRoute(routes, to);
  if (!found.ok) return [];
  const attrs = found.route.fact.attrs;
  const gateways = [attrs.gateway, ...(Array.isArray(attrs.nexthops) ? attrs.nexthops.map((h) => (h && typeof h === 'object' && !Array.isArray(h) ? h.gateway : undefined)) : [])];
  return gateways.filter((g): g is string => typeof g === 'string');
}

/** What the walk could not place (libs/trace's `unresolved`): addresses and VTEP MACs no loaded node held. */
export function unplacedAddresses(result: TraceResult): string[] {
  return result.unresolved ? [...result.unresolved.addresses, ...result.unresolved.macs.map(macKey)] : [];
}
