import type { SeededRandom } from '@routescope/synth';

/** One trace the bench asks: a pod on one node to a pod address on another, at an instant of the history. */
export interface TraceCase {
  node: string;
  pod: string;
  to: string;
  at: number;
}

type Graphql = (query: string, variables: Record<string, unknown>) => Promise<{ data?: unknown; errors?: Array<{ message: string }> }>;

const PODS_AT = 'query($n: String!, $at: DateTime!) { node(name: $n) { state(at: $at) { pods { name addresses { local } } } } }';

/**
 * Cases picked before any sample (not timed): a random node's pod at a random instant (one that also
 * ran `podAlreadyFor` earlier), to the
 * address of a random pod of another node at that instant, so each trace crosses the VXLAN overlay
 * and reads at least two nodes, as a cross-node incident question does.
 */
export async function pickTraceCases(graphql: Graphql, random: SeededRandom, o: { nodes: number; instant: () => number; count: number; podAlreadyFor: number }): Promise<TraceCase[]> {
  const node = () => `node-${String(random.int(o.nodes)).padStart(5, '0')}`;
  const podsOf = async (name: string, at: number) => {
    const answer = await graphql(PODS_AT, { n: name, at: new Date(at).toISOString() });
    if (answer.errors?.length) throw new Error(`trace cases: ${answer.errors[0].message}`);
    return (answer.data as { node: { state: { pods: Array<{ name: string; addresses: Array<{ local: string }> }> } } }).node.state.pods;
  };
  const cases: TraceCase[] = [];
  for (let attempt = 0; cases.length < o.count && attempt < o.count * 5; attempt++) {
    const at = o.instant();
    const source = node();
    let target = node();
    if (target === source) target = node();
    const [from, earlier, to] = await Promise.all([podsOf(source, at), podsOf(source, at - o.podAlreadyFor), podsOf(target, at)]);
    // the pods' own IPv4 addresses (not their loopback 127.0.0.1, which every pod holds)
    const address = to.flatMap((p) => p.addresses.map((a) => a.local)).filter((a) => !a.includes(':') && !a.startsWith('127.'));
    // a pod that already ran `podAlreadyFor` before (traceChanges starts from the window's start)
    const pod = from.find((p) => earlier.some((e) => e.name === p.name));
    if (!pod || address.length === 0) continue;
    cases.push({ node: source, pod: pod.name, to: address[random.int(address.length)], at });
  }
  if (cases.length === 0) throw new Error('trace cases: no node with pods found at the instants tried');
  return cases;
}
