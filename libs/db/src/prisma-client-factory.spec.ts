import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Prisma, type PrismaClient } from './generated/prisma/client';
import { createDatabase, redact } from './prisma-client-factory';
import { describeEachDatabase } from './testing/test-databases';

const T0 = new Date('2026-11-26T10:00:00.123Z');
const T1 = new Date('2026-11-26T10:00:30.456Z');

function nodeData(name: string) {
  return {
    name,
    firstSeenAt: T0,
    lastSeenAt: T0,
    lastReceivedAt: T0,
    lastSnapshotId: '7f1f2b8e-4d3c-4c8a-9a51-3c0d1e2f4a5b',
    lastBootId: 'boot-1',
    lastSeq: 9_007_199_254_740_993n, // above 2^53: BigInt must survive the round trip
    stateHash: 'h0',
  };
}

// fact is @@ignore'd in schema.prisma (partitioned on the nullable valid_to, it has no key Prisma
// accepts), so the client's model calls are tried on coverage, another per-node table, and fact
// is written with raw SQL as its store does.
function coverageData(nodeId: number, endAt: Date) {
  return { nodeId, startAt: T0, endAt, snapshots: 2 };
}

/** A raw insert of one open fact row (attrs_id: content-addressed, no foreign key, see schema.prisma). */
const insertFact = (tx: Prisma.TransactionClient | PrismaClient, nodeId: number, key: string, validFrom = T0, validTo: Date | null = null) =>
  tx.$executeRaw`INSERT INTO fact (node_id, ns, kind, key, attrs_id, valid_from, valid_to)
                 VALUES (${nodeId}, 'host', 'route', ${key}, '5e0f2a1c-0000-4000-8000-000000000001', ${validFrom}, ${validTo})`;

class Abort extends Error {}

describeEachDatabase('prisma client on both backends', (db) => {
  let prisma: PrismaClient;
  beforeAll(() => {
    prisma = db().prisma;
  });
  beforeAll(async () => {
    // the week T1 ends rows in: a write path makes sure its partition exists (the fact store does it)
    await prisma.$queryRaw`SELECT fact_ensure_week_partition(${T1}::timestamptz)`;
  });
  beforeEach(async () => {
    await prisma.$executeRaw`TRUNCATE node, api_token RESTART IDENTITY CASCADE`;
  });

  it('commits an interactive transaction: a node and its coverage', async () => {
    const node = await prisma.$transaction(async (tx) => {
      const created = await tx.node.create({ data: nodeData('worker-1') });
      await tx.coverage.createMany({ data: [coverageData(created.id, T1), coverageData(created.id, T0)] });
      return created;
    });
    const stored = await prisma.node.findUniqueOrThrow({ where: { id: node.id }, include: { coverage: { orderBy: { endAt: 'asc' } } } });
    expect(stored.lastSeq).toBe(9_007_199_254_740_993n);
    expect(stored.intervalMs).toBe(30000);
    expect(stored.coverage.map((c) => [typeof c.id, c.startAt.toISOString(), c.endAt.toISOString(), c.snapshots])).toEqual([
      ['number', T0.toISOString(), T0.toISOString(), 2],
      ['number', T0.toISOString(), T1.toISOString(), 2],
    ]);
  });

  it('rolls the whole interactive transaction back when it throws', async () => {
    await expect(
      prisma.$transaction(async (tx) => {
        const node = await tx.node.create({ data: nodeData('worker-2') });
        await tx.coverage.create({ data: coverageData(node.id, T1) });
        await insertFact(tx, node.id, 'default');
        // Inside the transaction the writes are visible…
        expect(await tx.coverage.count()).toBe(1);
        throw new Abort('ingest failed half-way');
      }),
    ).rejects.toBeInstanceOf(Abort);
    // …and after the rollback nothing is left, on either backend.
    expect(await prisma.node.count()).toBe(0);
    expect(await prisma.coverage.count()).toBe(0);
    expect(await prisma.$queryRaw`SELECT count(*)::int AS n FROM fact`).toEqual([{ n: 0 }]);
  });

  it('rolls back on a database error: the partial unique index allows one open fact per key', async () => {
    const node = await prisma.node.create({ data: nodeData('worker-3') });
    const error = await prisma
      .$transaction(async (tx) => {
        await insertFact(tx, node.id, 'k');
        await insertFact(tx, node.id, 'k'); // a second OPEN row for the same key
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect(error).toMatchObject({ code: 'P2010', meta: { driverAdapterError: expect.objectContaining({ message: 'UniqueConstraintViolation' }) } });
    expect(await prisma.$queryRaw`SELECT count(*)::int AS n FROM fact`).toEqual([{ n: 0 }]);

    // Closed rows do not count: history is many closed intervals plus one open one.
    await prisma.$transaction(async (tx) => {
      await insertFact(tx, node.id, 'k', T0, T1);
      await insertFact(tx, node.id, 'k', T1);
    });
    expect(await prisma.$queryRaw`SELECT count(*)::int AS n FROM fact WHERE key = 'k'`).toEqual([{ n: 2 }]);
  });

  it('passes arrays to $queryRaw and $executeRaw (unnest, = ANY)', async () => {
    const node = await prisma.node.create({ data: nodeData('worker-4') });
    const keys = ['a', 'b', 'c'];
    const inserted = await prisma.$executeRaw`
      INSERT INTO fact (node_id, ns, kind, key, attrs_id, valid_from)
      SELECT ${node.id}, 'host', 'link', k, md5(jsonb_build_object('name', k)::text)::uuid, ${T0}
        FROM unnest(${keys}::text[]) AS k`;
    expect(inserted).toBe(3);

    const closed = await prisma.$executeRaw`
      UPDATE fact SET valid_to = ${T1} WHERE node_id = ${node.id} AND key = ANY(${['a', 'c']}::text[]) AND valid_to IS NULL`;
    expect(closed).toBe(2);

    const open = await prisma.$queryRaw<{ key: string; id: bigint }[]>`
      SELECT f.key, f.id FROM fact f JOIN unnest(${keys}::text[]) AS k(key) ON k.key = f.key
       WHERE f.valid_to IS NULL ORDER BY f.key`;
    expect(open.map((r) => r.key)).toEqual(['b']);
    expect(typeof open[0].id).toBe('bigint');

    // Arrays of other types, and the state-at-T query shape of DESIGN.md.
    const at = await prisma.$queryRaw<{ key: string }[]>`
      SELECT key FROM fact
       WHERE node_id = ANY(${[node.id]}::int[]) AND valid_from <= ${T1} AND ${T1} < coalesce(valid_to, 'infinity')
       ORDER BY key`;
    expect(at.map((r) => r.key)).toEqual(['b']);
  });

  it('round-trips text[] and timestamptz(3)', async () => {
    const token = await prisma.apiToken.create({ data: { name: 'ci', tokenHash: 'f'.repeat(64), hashScheme: 'hmac-sha256', scopes: ['ingest', 'read'] } });
    expect(token.scopes).toEqual(['ingest', 'read']);
    expect(token.createdAt).toBeInstanceOf(Date);
    const found = await prisma.apiToken.findMany({ where: { scopes: { has: 'ingest' } } });
    expect(found.map((t) => t.name)).toEqual(['ci']);
  });

  it('enforces the hand-written CHECK constraints', async () => {
    const node = await prisma.node.create({ data: nodeData('worker-5') });
    await expect(
      prisma.$executeRaw`INSERT INTO fact (node_id, ns, kind, key, attrs_id, valid_from) VALUES (${node.id}, 'host', 'bogus', 'x', '5e0f2a1c-0000-4000-8000-000000000001', ${T0})`,
    ).rejects.toThrow(/fact_kind_check/);
    await expect(insertFact(prisma, node.id, 'x', T0, T0)).rejects.toThrow(/fact_valid_interval_check/);
    await expect(
      prisma.finding.create({
        data: { nodeId: node.id, scope: 'node', rule: 'r', subject: 's', severity: 'fatal', title: 't', message: 'm', evidence: {}, openedAt: T0 },
      }),
    ).rejects.toThrow(/finding_severity_check/);
    expect(await prisma.$queryRaw`SELECT count(*)::int AS n FROM fact`).toEqual([{ n: 0 }]);
  });

  it('cascades a node deletion to its history', async () => {
    const node = await prisma.node.create({ data: nodeData('worker-6') });
    await insertFact(prisma, node.id, 'x', T0, T1);
    await insertFact(prisma, node.id, 'x', T1);
    await prisma.coverage.create({ data: { nodeId: node.id, startAt: T0, endAt: T1 } });
    await prisma.node.delete({ where: { id: node.id } });
    expect([await prisma.$queryRaw`SELECT count(*)::int AS n FROM fact`, await prisma.coverage.count()]).toEqual([[{ n: 0 }], 0]);
  });
});

describe('createDatabase', () => {
  it('refuses to guess where the data goes', async () => {
    await expect(createDatabase({})).rejects.toThrow(/databaseUrl, dataDir, or inMemory/);
    await expect(createDatabase({ databaseUrl: 'mysql://localhost/x' })).rejects.toThrow(/postgres:\/\//);
  });

  it('keeps an embedded PGlite database in its data folder across restarts', async () => {
    const root = await mkdtemp(join(tmpdir(), 'rs-pglite-'));
    const dataDir = join(root, 'nested', 'data'); // missing folders are created
    try {
      const first = await createDatabase({ dataDir });
      expect(first.kind).toBe('pglite');
      expect((await first.migrate()).applied.length).toBeGreaterThan(0);
      await first.prisma.node.create({ data: nodeData('persisted') });
      await first.close();

      const second = await createDatabase({ dataDir });
      try {
        expect(await second.status()).toMatchObject({ upToDate: true, pending: [] });
        expect((await second.migrate()).applied).toEqual([]);
        expect((await second.prisma.node.findMany()).map((n) => n.name)).toEqual(['persisted']);
      } finally {
        await second.close();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('keeps the PGlite data folder to its owner: folders 0700, files 0600 (the token table included), also for an old 0777/0666 folder', async () => {
    const root = await mkdtemp(join(tmpdir(), 'rs-pglite-modes-'));
    const dataDir = join(root, 'data');
    /** Every distinct `type mode` below the folder, e.g. `file 600`. */
    async function modes(dir: string): Promise<string[]> {
      const found = new Set<string>([`dir ${((await stat(dir)).mode & 0o777).toString(8)}`]);
      for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
        const mode = (await stat(join(entry.parentPath, entry.name))).mode & 0o777;
        found.add(`${entry.isDirectory() ? 'dir' : 'file'} ${mode.toString(8)}`);
      }
      return [...found].sort();
    }
    try {
      const first = await createDatabase({ dataDir });
      await first.migrate();
      await first.prisma.apiToken.count();
      expect(await modes(dataDir)).toEqual(['dir 700', 'file 600']);
      await first.close();
      expect(await modes(dataDir)).toEqual(['dir 700', 'file 600']);

      // A folder left world-writable by an earlier version is tightened when it is opened.
      await chmod(dataDir, 0o777);
      await mkdir(join(dataDir, 'old'), { mode: 0o777 });
      await writeFile(join(dataDir, 'old', 'file'), 'x', { mode: 0o666 });
      await chmod(join(dataDir, 'old', 'file'), 0o666);
      const second = await createDatabase({ dataDir });
      try {
        expect(await modes(dataDir)).toEqual(['dir 700', 'file 600']);
      } finally {
        await second.close();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('redacts passwords from the location it reports', () => {
    expect(redact('postgresql://rs:s3cret@db:5432/routescope')).toBe('postgresql://rs:***@db:5432/routescope');
  });
});
