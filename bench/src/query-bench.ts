import { performance } from 'node:perf_hooks';
import { SeededRandom } from '@routescope/synth';
import type { RunningApi } from './api-under-test';
import { profile, type ProfileLine } from './cpu-profile';
import { log, summarise, type Sample } from './measure';
import { pickTraceCases } from './trace-cases';

export interface QueryBenchOptions {
  seed: number;
  nodes: number;
  start: number;
  end: number;
  samples: number;
  /** --queries=a,b: measure only the reads whose name starts with one of these (a plan studied at scale without the whole phase) */
  select?: readonly string[];
}

/** The read queries the bench times; `--queries=` selects them by prefix. */
export const QUERY_NAMES = [
  'state(at)',
  'state(at), asked before',
  'diff over 1 h',
  'clusterChanges over 1 h',
  'findings open at T',
  'block consistency matrix (now)',
  'block consistency matrix at T',
  'block consistency matrix at T, a minute after one asked',
  'trace at T',
  'traceChanges over 1 h',
] as const;
export type QueryName = (typeof QUERY_NAMES)[number];

export interface QueryResult {
  name: QueryName;
  sample?: Sample;
  /** why it was not measured */
  skipped?: string;
  /** mean size of what came back (facts, changes, …) */
  meanRows?: number;
  /** the first request (before any sample: cold caches) in ms */
  coldMs?: number;
  /** where the time goes (this process: API + client), when the p95 misses its target */
  profile?: { lines: ProfileLine[]; idlePct: number };
}

const HOUR = 3_600_000;

/** The p95 targets at 90 days × 1,000 nodes (issue #6; the reads of issue #16: state, clusterChanges, findings, the matrix at T). */
export const QUERY_TARGETS_MS: Partial<Record<QueryName, number>> = {
  'state(at)': 15,
  'state(at), asked before': 15,
  'diff over 1 h': 30,
  'clusterChanges over 1 h': 25,
  'findings open at T': 30,
  'block consistency matrix (now)': 1000,
  'block consistency matrix at T': 500,
  'block consistency matrix at T, a minute after one asked': 500,
  'trace at T': 50,
  'traceChanges over 1 h': 500,
};

async function graphql<T>(api: RunningApi, query: string, variables: Record<string, unknown>): Promise<{ data?: T; errors?: Array<{ message: string }> }> {
  const response = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${api.readToken}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
}

/** Latency of the read API over HTTP (GraphQL, as the dashboard calls it) at random instants of the history. */
export async function benchQueries(api: RunningApi, o: QueryBenchOptions): Promise<QueryResult[]> {
  const random = new SeededRandom(`${o.seed}/queries`);
  const node = () => `node-${String(random.int(o.nodes)).padStart(5, '0')}`;
  const instant = () => o.start + HOUR + random.int(o.end - o.start - HOUR);
  const selected = (name: string) => !o.select || o.select.some((prefix) => name.startsWith(prefix));
  const run = async (name: QueryName, query: string, vars: () => Record<string, unknown>, rows: (data: unknown) => number, samples = o.samples): Promise<QueryResult> => {
    if (!selected(name)) return { name, skipped: 'not selected (--queries)' };
    const probeStarted = performance.now();
    const probe = await graphql(api, query, vars());
    const coldMs = Math.round(performance.now() - probeStarted);
    if (probe.errors?.length) {
      const message = probe.errors[0].message;
      if (/Cannot query field|Unknown argument|Unknown type/.test(message)) return { name, skipped: `not in the API yet (${message})` };
      throw new Error(`${name}: ${message}`);
    }
    const latencies: number[] = [];
    let total = 0;
    const started = performance.now();
    for (let i = 0; i < samples; i++) {
      const t = performance.now();
      const answer = await graphql(api, query, vars());
      latencies.push(performance.now() - t);
      if (answer.errors?.length) throw new Error(`${name}: ${answer.errors[0].message}`);
      total += rows(answer.data);
    }
    const result: QueryResult = { name, sample: summarise(latencies, performance.now() - started, 1), meanRows: Math.round(total / samples), coldMs };
    const limit = QUERY_TARGETS_MS[name];
    if (limit !== undefined && result.sample!.p95 >= limit * 0.8) {
      const p = await profile(async () => {
        for (let i = 0; i < Math.min(50, samples); i++) await graphql(api, query, vars());
      });
      result.profile = { lines: p.lines, idlePct: p.idlePct };
    }
    // as each read finishes: the whole phase takes many minutes at 1,000 nodes × 90 days
    log(`queries: ${name}: p50 ${result.sample!.p50} p95 ${result.sample!.p95} ms, first request ${coldMs} ms (${result.meanRows} rows)`);
    return result;
  };
  const results: QueryResult[] = [];
  const stateQuery = 'query($n: String!, $at: DateTime!) { node(name: $n) { state(at: $at) { covered facts { kind key } } } }';
  const stateFacts = (d: unknown) => (d as { node: { state: { facts: unknown[] } } }).node.state.facts.length;
  const asked: Array<{ n: string; at: string }> = [];
  results.push(
    await run(
      'state(at)',
      stateQuery,
      () => {
        const vars = { n: node(), at: new Date(instant()).toISOString() };
        asked.push(vars);
        return vars;
      },
      stateFacts,
    ),
  );
  // A past state asked again (the node page reloaded, the incident review read twice): the API
  // keeps recent past states by (node, state version); one of the last 20 asked, 1 s later.
  results.push(
    await run(
      'state(at), asked before',
      stateQuery,
      () => {
        const recent = asked.slice(-20);
        const pick = recent[random.int(recent.length)];
        return { n: pick.n, at: new Date(Date.parse(pick.at) + 1000).toISOString() };
      },
      stateFacts,
    ),
  );
  results.push(
    await run(
      'diff over 1 h',
      'query($n: String!, $from: DateTime!, $to: DateTime!) { diff(node: $n, from: $from, to: $to) { changeCount } }',
      () => {
        const to = instant();
        return { n: node(), from: new Date(to - HOUR).toISOString(), to: new Date(to).toISOString() };
      },
      (d) => (d as { diff: { changeCount: number } }).diff.changeCount,
    ),
  );
  results.push(
    await run(
      'clusterChanges over 1 h',
      'query($from: DateTime!, $to: DateTime!) { clusterChanges(from: $from, to: $to) { edges { node { node key change } } pageInfo { hasNextPage } } }',
      () => {
        const to = instant();
        return { from: new Date(to - HOUR).toISOString(), to: new Date(to).toISOString() };
      },
      (d) => (d as { clusterChanges: { edges: unknown[] } }).clusterChanges.edges.length,
    ),
  );
  results.push(
    await run(
      'findings open at T',
      'query($at: DateTime!) { findings(filter: { openAt: $at }) { edges { node { rule subject } } } }',
      () => ({ at: new Date(instant()).toISOString() }),
      (d) => (d as { findings: { edges: unknown[] } }).findings.edges.length,
    ),
  );
  // The block × node matrix (apps/api/src/checks): 1,000 blocks × 1,000 nodes, asked as the
  // dashboard's /cluster/blocks asks it (first page of 50 blocks, counts of the whole matrix,
  // cells that are not OK). "now" is cached by the API until a view changes: the first request
  // (the cold rebuild) is reported as `coldMs`; each `at` sample is a new instant, so uncached.
  const matrixQuery = `query($at: DateTime) { blocks(at: $at, first: 50) {
    at nodeCount blockCount problemBlockCount totalCount counts { owner ok missing wrongNode split stale problems }
    blocks { cidr owner counts { ok problems } problems { node status detail } } pageInfo { hasNextPage endCursor } } }`;
  const blockRows = (d: unknown) => (d as { blocks: { blocks: unknown[] } }).blocks.blocks.length;
  const matrixSamples = Math.max(2, Math.min(10, o.samples));
  results.push(await run('block consistency matrix (now)', matrixQuery, () => ({ at: null }), blockRows, matrixSamples));
  const matrixAsked: number[] = [];
  const matrixAt = () => {
    const at = instant();
    matrixAsked.push(at);
    return { at: new Date(at).toISOString() };
  };
  results.push(await run('block consistency matrix at T', matrixQuery, matrixAt, blockRows, Math.min(3, matrixSamples)));
  // The time slider / the next minute of an incident: the API keeps past cluster views by (node,
  // state version), so only the nodes that changed in that minute are read and viewed again.
  // Each request is a minute after the previous one, from the last instant asked (at 1,000 nodes
  // the API holds the views of only the last few cold instants).
  let slider: number | undefined;
  const minuteAfter = () => {
    slider = (slider ?? matrixAsked[matrixAsked.length - 1]) + 60_000;
    return { at: new Date(slider).toISOString() };
  };
  results.push(await run('block consistency matrix at T, a minute after one asked', matrixQuery, minuteAfter, blockRows, Math.min(3, matrixSamples)));
  // Path traces (apps/api/src/trace): a pod to another node's pod at an instant (reads the nodes
  // involved through FactStore), and the verdict's flips over the hour before it (replays their changes).
  const cases = !selected('trace') ? [] : await pickTraceCases((q, v) => graphql(api, q, v), random, { nodes: o.nodes, instant, count: Math.min(20, o.samples), podAlreadyFor: HOUR });
  let next = 0;
  const traceCase = () => cases[next++ % cases.length];
  const verdicts = new Map<string, number>();
  results.push(
    await run(
      'trace at T',
      // input objects written inline: the bench's esbuild bundle renames classes (TraceFrom → TraceFrom2), so input type names cannot be used in variables
      'query($node: String!, $pod: String, $to: String!, $at: DateTime) { trace(from: { node: $node, pod: $pod }, to: $to, at: $at) { verdict nodes forward { hops { step evidence { key } } } reply { delivered } } }',
      () => {
        const c = traceCase();
        return { node: c.node, pod: c.pod, to: c.to, at: new Date(c.at).toISOString() };
      },
      (d) => {
        const trace = (d as { trace: { verdict: string; forward: { hops: unknown[] } } }).trace;
        verdicts.set(trace.verdict, (verdicts.get(trace.verdict) ?? 0) + 1);
        return trace.forward.hops.length;
      },
    ),
  );
  if (selected('trace')) log(`queries: trace verdicts over the samples: ${[...verdicts].map(([v, n]) => `${v} ${n}`).join(', ')}`);
  results.push(
    await run(
      'traceChanges over 1 h',
      'query($node: String!, $pod: String, $to: String!, $since: DateTime!, $until: DateTime!) { traceChanges(from: { node: $node, pod: $pod }, to: $to, window: { from: $since, to: $until }) { initial instantsTraced complete flips { at after } } }',
      () => {
        const c = traceCase();
        return { node: c.node, pod: c.pod, to: c.to, since: new Date(c.at - HOUR).toISOString(), until: new Date(c.at).toISOString() };
      },
      (d) => (d as { traceChanges: { instantsTraced: number } }).traceChanges.instantsTraced,
    ),
  );
  return results;
}
