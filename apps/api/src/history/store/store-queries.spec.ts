import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Prisma, type Database } from '@routescope/db';
import { AddressHolderRepository } from './address-holder.repository';
import { ChangeCountRepository } from './change-count.repository';
import { ClusterStateRepository } from './cluster-state.repository';
import { CoverageRepository } from './coverage.repository';
import { FactAttrsRepository } from './fact-attrs.repository';
import { FactChangeRepository } from './fact-change.repository';
import { FactPartitionRepository } from './fact-partition.repository';
import { FactStateRepository } from './fact-state.repository';
import { HeartbeatRepository } from './heartbeat.repository';
import { HistoryRetentionRepository } from './history-retention.repository';
import { HistoryWriterRepository, type NodeUpdate } from './history-writer.repository';
import { NodeHeadRepairRepository } from './node-head-repair.repository';
import { NodeRepository, type NodeListQuery } from './node.repository';

/**
 * The SQL of the fact store's repositories, committed under store/queries/ (one file per
 * repository, as Immich commits its generated queries), so that a query change shows in review
 * as SQL. Each repository method runs here against a recorder instead of a database; this suite
 * fails when the recorded SQL differs from the files. After an intended change, regenerate with
 *   ROUTESCOPE_UPDATE_SQL=1 npx jest -c apps/api/jest.config.cjs store-queries
 * and commit the files. Behaviour is tested elsewhere, on real databases.
 */
const QUERIES_DIR = join(__dirname, 'queries');
const UPDATE_COMMAND = 'ROUTESCOPE_UPDATE_SQL=1 npx jest -c apps/api/jest.config.cjs store-queries';

/** A Database whose client records each statement (as PostgreSQL receives it, $n placeholders) and answers one empty row. */
function recordingDatabase(statements: string[]): Database {
  const record = (strings: TemplateStringsArray, ...values: unknown[]) => statements.push(Prisma.sql(strings, ...values).text);
  const client = {
    $queryRaw: (strings: TemplateStringsArray, ...values: unknown[]) => (record(strings, ...values), Promise.resolve([{}])),
    $executeRaw: (strings: TemplateStringsArray, ...values: unknown[]) => (record(strings, ...values), Promise.resolve(0)),
    $transaction: (work: unknown) => (Array.isArray(work) ? Promise.all(work) : (work as (tx: unknown) => Promise<unknown>)(client)),
  };
  return { prisma: client } as unknown as Database;
}

const at = new Date('2026-11-26T03:00:00.000Z');
const later = new Date('2026-11-26T04:00:00.000Z');
const update: NodeUpdate = { takenAt: at, receivedAt: at, snapshotId: '00000000-0000-4000-8000-000000000000', bootId: 'boot', seq: 1n, intervalMs: 30000, collectorVersion: '1' };
const listQuery = (sort: NodeListQuery['sort'], after?: NodeListQuery['after']): NodeListQuery => ({
  filter: { nameContains: 'a', seenSince: at, reporting: true, hasOpenFindings: false },
  sort,
  descending: false,
  asOf: later,
  changesSince: at,
  gapFactor: 3,
  after,
  limit: 50,
});
const position = { at, node: 'node-a', ns: 'host', kind: 'route', key: 'k' };
const interval = { id: 1, startAt: at, endAt: later, snapshots: 2 };
const fact = { ns: 'host', kind: 'route' as const, key: 'k', attrs: { dev: 'eth0' } };

type Calls<R> = Record<string, (repository: R, tx: Prisma.TransactionClient) => unknown>;
interface QueryFile<R> {
  file: string;
  create: (database: Database) => R;
  calls: Calls<R>;
}

const file = <R,>(f: QueryFile<R>) => f as unknown as QueryFile<unknown>;

/** Every method of every store repository, with the variants its SQL has. */
const QUERY_FILES: Array<QueryFile<unknown>> = [
  file<NodeRepository>({
    file: 'node.repository.sql',
    create: (d) => new NodeRepository(d),
    calls: {
      'listNodes (sort: name)': (r) => r.listNodes(listQuery('name')),
      'listNodes (sort: name, after a page)': (r) => r.listNodes(listQuery('name', { sortKey: null, name: 'node-a' })),
      'listNodes (sort: status)': (r) => r.listNodes(listQuery('status')),
      'listNodes (sort: lastSeen, after a page)': (r) => r.listNodes(listQuery('lastSeen', { sortKey: '1', name: 'node-a' })),
      'listNodes (sort: openFindings)': (r) => r.listNodes(listQuery('openFindings')),
      'listNodes (sort: changes)': (r) => r.listNodes(listQuery('changes')),
      countNodes: (r) => r.countNodes(listQuery('name')),
      nodesByName: (r) => r.nodesByName(['node-a']),
      latestHead: (r) => r.latestHead(),
    },
  }),
  file<AddressHolderRepository>({
    file: 'address-holder.repository.sql',
    create: (d) => new AddressHolderRepository(d),
    calls: { holdersOf: (r) => r.holdersOf(['10.0.0.12'], ['66:00:00:00:00:0b']) },
  }),
  file<ChangeCountRepository>({
    file: 'change-count.repository.sql',
    create: (d) => new ChangeCountRepository(d),
    calls: { changeCounts: (r) => r.changeCounts([1], at, later), clusterChangeRate: (r) => r.clusterChangeRate(at, later, 60) },
  }),
  file<CoverageRepository>({
    file: 'coverage.repository.sql',
    create: (d) => new CoverageRepository(d),
    calls: { coverage: (r) => r.coverage([1], at, later, 3), gapCount: (r) => r.gapCount() },
  }),
  file<FactStateRepository>({
    file: 'fact-state.repository.sql',
    create: (d) => new FactStateRepository(d, new FactAttrsRepository(d)),
    calls: {
      factsAt: (r) => r.factsAt([1], at),
      versionedFactsAt: (r) => r.versionedFactsAt([1, 2], at, [{ nodeId: 2, changedAt: at }]),
      windowFacts: (r) => r.windowFacts(1, at, later),
    },
  }),
  file<FactChangeRepository>({
    file: 'fact-change.repository.sql',
    create: (d) => new FactChangeRepository(d),
    calls: { nodeChanges: (r) => r.nodeChanges([1], at, later, position, 101), clusterChanges: (r) => r.clusterChanges(at, later, position, 101) },
  }),
  file<ClusterStateRepository>({
    file: 'cluster-state.repository.sql',
    create: (d) => new ClusterStateRepository(d, new FactAttrsRepository(d)),
    calls: {
      allCurrentFacts: (r) => r.allCurrentFacts(),
      'clusterFactIntervalsSince (every changed node)': (r) => r.clusterFactIntervalsSince(at),
      'clusterFactIntervalsSince (given nodes)': (r) => r.clusterFactIntervalsSince(at, [1]),
      clusterFactsAt: async (r) => {
        for await (const chunk of r.clusterFactsAt(at)) void chunk;
      },
      'clusterVersionedFactsAt (given nodes, one version held)': async (r) => {
        for await (const chunk of r.clusterVersionedFactsAt(at, () => [at], [1])) void chunk;
      },
    },
  }),
  file<FactAttrsRepository>({
    file: 'fact-attrs.repository.sql',
    create: (d) => new FactAttrsRepository(d),
    // the recorder's empty row is no fact_attrs row: the statement is recorded, the call then fails
    calls: { byIds: (r) => r.byIds(['00000000-0000-4000-8000-000000000001']).catch(() => undefined) },
  }),
  file<HistoryWriterRepository>({
    file: 'history-writer.repository.sql',
    create: (d) => new HistoryWriterRepository(d),
    calls: {
      lockNode: (r, tx) => r.lockNode(tx, 'node-a', update),
      snapshotOwner: (r, tx) => r.snapshotOwner(tx, update.snapshotId, 1),
      latestCoverage: (r, tx) => r.latestCoverage(tx, 1),
      extendCoverage: (r, tx) => r.extendCoverage(tx, 1, 1, at),
      openCoverage: (r, tx) => r.openCoverage(tx, 1, at),
      currentFacts: (r, tx) => r.currentFacts(tx, 1),
      closeFacts: (r, tx) => r.closeFacts(tx, 1, [1n], at),
      openFacts: (r, tx) => r.openFacts(tx, 1, [fact], at),
      recordUnchanged: (r) => r.recordUnchanged({ nodeId: 1, lastSnapshotId: update.snapshotId, stateHash: 'h', coverageId: 1 }, update.snapshotId, update),
      recordSnapshot: (r, tx) =>
        r.recordSnapshot(tx, { id: update.snapshotId, nodeId: 1, takenAt: at, receivedAt: at, hash: 'h', changes: 1, bootId: 'boot', seq: 1n, source: 'collector', warnings: [] }),
      advanceNode: (r, tx) => r.advanceNode(tx, 1, update, 'h'),
      coverageAround: (r, tx) => r.coverageAround(tx, 1, at),
      factsAt: (r, tx) => r.factsAt(tx, 1, at),
      factsStartingAt: (r, tx) => r.factsStartingAt(tx, 1, at),
      changesBetween: (r, tx) => r.changesBetween(tx, 1, at, later),
      insertIntervals: (r, tx) => r.insertIntervals(tx, 1, [{ ...fact, validFrom: at, validTo: later }]),
      moveFactStart: (r, tx) => r.moveFactStart(tx, 1, [1n], at),
      extendCoverageBack: (r, tx) => r.extendCoverageBack(tx, 1, 1, at),
      joinCoverage: (r, tx) => r.joinCoverage(tx, 1, interval, { ...interval, id: 2 }),
      markHistoryRewritten: (r, tx) => r.markHistoryRewritten(tx, 1, at),
    },
  }),
  file<HeartbeatRepository>({
    file: 'heartbeat.repository.sql',
    create: (d) => new HeartbeatRepository(d),
    calls: { head: (r) => r.head('node-a', update.snapshotId) },
  }),
  file<NodeHeadRepairRepository>({
    file: 'node-head-repair.repository.sql',
    create: (d) => new NodeHeadRepairRepository(d),
    calls: {
      lockNode: (r, tx) => r.lockNode(tx, 'node-a'),
      'resetTo (the node began after `to`: removed)': (r, tx) => r.resetTo(tx, { id: 1, firstSeenAt: later, lastSeenAt: later }, at),
      'resetTo (rolled back to `to`)': (r, tx) => r.resetTo(tx, { id: 1, firstSeenAt: at, lastSeenAt: later }, at),
      openFacts: (r, tx) => r.openFacts(tx, 1),
      audit: (r, tx) => r.audit(tx, { actor: 'admin', action: 'resetNodeHead', subject: 'node:node-a', details: {} }),
    },
  }),
  file<FactPartitionRepository>({
    file: 'fact-partition.repository.sql',
    create: (d) => new FactPartitionRepository(d),
    calls: {
      ensureWeek: (r) => r.ensureWeek(at),
      weeks: (r) => r.weeks(),
      dropWeeksEndedBy: (r) => r.dropWeeksEndedBy(at),
    },
  }),
  file<HistoryRetentionRepository>({
    file: 'history-retention.repository.sql',
    create: (d) => new HistoryRetentionRepository(d),
    calls: {
      'deleteBatch (coverage)': (r) => r.deleteBatch('coverage', at, 5000),
      'deleteBatch (snapshot)': (r) => r.deleteBatch('snapshot', at, 5000),
    },
  }),
];

/** A statement as reviewed: the template's own indentation removed, no trailing blanks, ending in `;`. */
function formatStatement(text: string): string {
  const lines = text.replace(/\r/g, '').split('\n').map((line) => line.replace(/\s+$/, ''));
  while (lines.length > 0 && lines[0].trim() === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  const indent = Math.min(...lines.slice(1).filter((line) => line.trim() !== '').map((line) => line.length - line.trimStart().length), Infinity);
  const body = lines.map((line, i) => (i === 0 ? line.trim() : line.slice(Number.isFinite(indent) ? indent : 0))).join('\n');
  return `${body};`;
}

async function render(queryFile: QueryFile<unknown>): Promise<string> {
  const parts = [`-- Generated by apps/api/src/history/store/store-queries.spec.ts; do not edit by hand.\n-- Regenerate: ${UPDATE_COMMAND}\n`];
  for (const [name, call] of Object.entries(queryFile.calls)) {
    const statements: string[] = [];
    const database = recordingDatabase(statements);
    try {
      await call(queryFile.create(database), database.prisma as unknown as Prisma.TransactionClient);
    } catch {
      // The recorder answers an empty row; decoding it may fail after the SQL was recorded.
    }
    if (statements.length === 0) throw new Error(`${queryFile.file}: ${name} sent no SQL`);
    parts.push(`-- ${name}\n${statements.map(formatStatement).join('\n\n')}\n`);
  }
  return parts.join('\n');
}

describe('the committed SQL of the fact store (history/store/queries)', () => {
  it('equals the SQL the repositories send', async () => {
    const rendered = new Map<string, string>();
    for (const queryFile of QUERY_FILES) rendered.set(queryFile.file, await render(queryFile));
    if (process.env.ROUTESCOPE_UPDATE_SQL === '1') {
      for (const name of readdirSync(QUERIES_DIR)) if (!rendered.has(name)) rmSync(join(QUERIES_DIR, name));
      for (const [name, text] of rendered) writeFileSync(join(QUERIES_DIR, name), text);
    }
    const committed = new Map(readdirSync(QUERIES_DIR).map((name) => [name, readFileSync(join(QUERIES_DIR, name), 'utf8')]));
    const stale = [...new Set([...rendered.keys(), ...committed.keys()])].filter((name) => rendered.get(name) !== committed.get(name));
    if (stale.length > 0) {
      throw new Error(`history/store/queries is out of date (${stale.join(', ')}).\nIf the change is intended, regenerate it:\n  ${UPDATE_COMMAND}\nand commit the files.`);
    }
  });

  it('lists every public method of every store repository', () => {
    for (const queryFile of QUERY_FILES) {
      const repository = queryFile.create(recordingDatabase([])) as object;
      const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(repository)).filter(
        (name) => name !== 'constructor' && name !== 'transaction' && typeof (repository as Record<string, unknown>)[name] === 'function',
      );
      const listed = new Set(Object.keys(queryFile.calls).map((name) => name.split(' ')[0]));
      expect({ file: queryFile.file, missing: methods.filter((name) => !listed.has(name) && !name.startsWith('aggregated')) }).toEqual({ file: queryFile.file, missing: [] });
    }
  });
});
