import { heartbeatFor, snapshotStateHash, type Snapshot } from '@routescope/snapshot';
import { SyntheticCluster } from '@routescope/synth';
import { freshDatabase, startApi, type DatabaseKind, type IngestResult, type RunningApi } from './api-under-test';
import { profile, type ProfileLine } from './cpu-profile';
import { loadCurrentState } from './history-generator';
import { postAll } from './http-client';
import { log, round, runPool, type Sample } from './measure';

export interface IngestBenchOptions {
  seed: number;
  /** cluster size: decides the snapshot (routes to every other node's block) */
  clusterNodes: number;
  /** nodes actually posting */
  nodes: number;
  rounds: number;
  concurrency: number;
  /** fact changes per changed snapshot (1% of ~1,400) */
  churnChanges: number;
  profile: boolean;
  /** PostgreSQL: load the current state of the other cluster nodes first (checks see the whole cluster) */
  backgroundNodes: boolean;
  /** scratch folder for the background load */
  workDir: string;
}

export interface PathSamples {
  sequential: Sample;
  concurrent: Sample;
}

export interface IngestBenchResult {
  kind: DatabaseKind;
  first: Sample;
  service: { unchanged: PathSamples; changed: PathSamples };
  http: { unchanged: PathSamples; changed: PathSamples };
  /** contract v1.1: unchanged snapshots posted as heartbeats (the collector hashed them; the API does not parse a snapshot) */
  heartbeat?: { service: PathSamples; http: PathSamples };
  /** the service with the checks' stateChanged listener removed: the storage path alone */
  serviceWithoutChecks?: { changed: PathSamples };
  meanChangesPerChangedSnapshot: number;
  /** nodes whose current state was in the database besides the posting ones */
  backgroundNodes: number;
  statuses: Record<string, number>;
  profiles: Record<string, { lines: ProfileLine[]; idlePct: number }>;
  /** unchanged bodies of the first round (for the ceiling, measured on the same snapshots) */
  sampleBodies?: string[];
}

const INTERVAL = 30_000;

/** Routescope ingest on one database: unchanged and 1%-churn snapshots, through the service and HTTP. */
export async function benchIngest(kind: DatabaseKind, o: IngestBenchOptions): Promise<IngestBenchResult> {
  const database = await freshDatabase(kind);
  let api: RunningApi | undefined;
  try {
    const cluster = new SyntheticCluster({ seed: o.seed, nodes: o.clusterNodes });
    let backgroundNodes = 0;
    if (o.backgroundNodes && database.databaseUrl) {
      const rows = loadCurrentState(database.databaseUrl, cluster, { from: o.nodes, to: o.clusterNodes, at: cluster.now - INTERVAL, workDir: o.workDir });
      backgroundNodes = o.clusterNodes - o.nodes;
      log(`${kind}: current state of ${backgroundNodes} other nodes loaded (${rows} facts)`);
    }
    api = await startApi(database);
    const statuses: Record<string, number> = {};
    const count = (result: IngestResult) => (statuses[`service ${result.status}`] = (statuses[`service ${result.status}`] ?? 0) + 1);
    let t = cluster.now;

    const nextRound = (changed: boolean, as: (s: Snapshot) => unknown = (s) => s) => {
      t += INTERVAL;
      const bodies: string[] = [];
      for (let i = 0; i < o.nodes; i++) {
        if (changed) cluster.churnNode(i, o.churnChanges);
        bodies.push(JSON.stringify(as(cluster.snapshot(i, t + i))));
      }
      return bodies;
    };
    const rounds = (changed: boolean) => Array.from({ length: o.rounds }, () => nextRound(changed)).flat();
    // What a v1.1 collector posts for an unchanged snapshot; hashed here, on the client's side, untimed.
    const heartbeatRounds = () => Array.from({ length: o.rounds }, () => nextRound(false, (s) => heartbeatFor(s, snapshotStateHash(s)))).flat();

    const firstBodies = Array.from({ length: o.nodes }, (_, i) => JSON.stringify(cluster.snapshot(i, t + i)));
    const first = await runPool(firstBodies, 1, async (body) => count(await api!.ingest(JSON.parse(body))));
    log(`${kind}: first snapshots p50 ${first.p50} ms`);

    let changesTotal = 0;
    let changedCount = 0;
    const viaService = async (bodies: string[], concurrency: number, expected: string) =>
      runPool(bodies, concurrency, async (body) => {
        const result = await api!.ingest(JSON.parse(body));
        count(result);
        if (result.status !== expected) throw new Error(`expected ${expected}, got ${result.status}`);
        if (result.status === 'changed') {
          changesTotal += result.changes;
          changedCount++;
        }
      }, (i) => i % o.nodes);
    const viaHttp = async (bodies: string[], concurrency: number, route: 'snapshots' | 'heartbeats' = 'snapshots') => {
      const { sample, statuses: s } = await postAll(api!.url, api!.token, bodies, concurrency, o.nodes, route);
      const prefix = route === 'snapshots' ? 'http' : 'http heartbeats';
      for (const [k, v] of Object.entries(s)) statuses[`${prefix} ${k}`] = (statuses[`${prefix} ${k}`] ?? 0) + v;
      return sample;
    };
    const heartbeatsViaService = async (bodies: string[], concurrency: number) =>
      runPool(bodies, concurrency, async (body) => {
        const result = await api!.heartbeat(JSON.parse(body));
        statuses[`heartbeat ${result.status}`] = (statuses[`heartbeat ${result.status}`] ?? 0) + 1;
        if (result.status !== 'unchanged') throw new Error(`expected unchanged, got ${result.status}`);
      }, (i) => i % o.nodes);

    const profiles: IngestBenchResult['profiles'] = {};
    const measure = async (changed: boolean) => {
      const expected = changed ? 'changed' : 'unchanged';
      const sampleBodies = changed ? undefined : nextRound(false);
      if (sampleBodies) await viaService(sampleBodies, 1, expected); // warm-up round
      const service = { sequential: await viaService(rounds(changed), 1, expected), concurrent: await viaService(rounds(changed), o.concurrency, expected) };
      if (o.profile) {
        // bodies built before the profile starts: it shows the API's work, not the client's
        const bodies = rounds(changed);
        const p = await profile(() => viaService(bodies, o.concurrency, expected));
        profiles[`service ${expected}`] = { lines: p.lines, idlePct: p.idlePct };
      }
      const http = { sequential: await viaHttp(rounds(changed), 1), concurrent: await viaHttp(rounds(changed), o.concurrency) };
      log(`${kind} ${expected}: service p50 ${service.sequential.p50} ms, ${service.concurrent.perSecond}/s; http p50 ${http.sequential.p50} ms, ${http.concurrent.perSecond}/s`);
      return { service, http, sampleBodies };
    };
    const unchanged = await measure(false);
    await heartbeatsViaService(heartbeatRounds(), 1); // warm-up round
    const heartbeat = {
      service: { sequential: await heartbeatsViaService(heartbeatRounds(), 1), concurrent: await heartbeatsViaService(heartbeatRounds(), o.concurrency) },
      http: { sequential: await viaHttp(heartbeatRounds(), 1, 'heartbeats'), concurrent: await viaHttp(heartbeatRounds(), o.concurrency, 'heartbeats') },
    };
    log(`${kind} heartbeat: service p50 ${heartbeat.service.sequential.p50} ms, ${heartbeat.service.concurrent.perSecond}/s; http p50 ${heartbeat.http.sequential.p50} ms, ${heartbeat.http.concurrent.perSecond}/s`);
    const changed = await measure(true);
    // What the checks evaluation (a listener of HistoryEvents.stateChanged, run before ingest
    // answers) costs: the same changed snapshots with the listeners removed.
    let serviceWithoutChecks: IngestBenchResult['serviceWithoutChecks'];
    if (api.removeStateListeners()) {
      serviceWithoutChecks = { changed: { sequential: await viaService(rounds(true), 1, 'changed'), concurrent: await viaService(rounds(true), o.concurrency, 'changed') } };
      if (o.profile) {
        const bodies = rounds(true);
        const p = await profile(() => viaService(bodies, o.concurrency, 'changed'));
        profiles['service changed, checks off'] = { lines: p.lines, idlePct: p.idlePct };
      }
      log(`${kind} changed without checks: service p50 ${serviceWithoutChecks.changed.sequential.p50} ms, ${serviceWithoutChecks.changed.concurrent.perSecond}/s`);
    }
    return {
      kind,
      first,
      service: { unchanged: unchanged.service, changed: changed.service },
      http: { unchanged: unchanged.http, changed: changed.http },
      heartbeat,
      serviceWithoutChecks,
      backgroundNodes,
      meanChangesPerChangedSnapshot: round(changesTotal / Math.max(1, changedCount), 1),
      statuses,
      profiles,
      sampleBodies: unchanged.sampleBodies,
    };
  } finally {
    await api?.close();
    await database.dispose();
  }
}
