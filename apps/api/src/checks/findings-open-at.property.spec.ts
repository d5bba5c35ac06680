import type { Database } from '@routescope/db';
import fc from 'fast-check';
import { DATABASE } from '../database/database.module';
import { hostNamespace, snapshot, startApiTestApp, testDatabaseKinds, type ApiTestApp } from '../../test/api-test-app';
import { FindingsRepository } from './findings.repository';

// findings(filter: { openAt }) reads the findings open at an instant through the GiST range index
// (tstzrange(opened_at, resolved_at) @> at); it must select exactly what the plain predicate
// opened_at <= at AND (resolved_at IS NULL OR resolved_at > at) selects, in the same order, page by
// page, for random intervals (zero-length ones and instants on their bounds included).

const T0 = Date.parse('2026-11-26T03:00:00.000Z');

const intervalArbitrary = fc.record({
  node: fc.integer({ min: 0, max: 1 }),
  opened: fc.integer({ min: 0, max: 20 }),
  // null: still open; 0: resolved at the instant it opened
  duration: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }),
  rule: fc.constantFrom('CALICO_PROXY_ARP', 'ROUTE_FLAP'),
});

for (const kind of testDatabaseKinds()) {
  describe(`findings open at an instant [${kind}]`, () => {
    let t: ApiTestApp;
    let run = 0;
    beforeAll(async () => {
      t = await startApiTestApp(kind);
      for (const node of ['fo-a', 'fo-b']) {
        await t.ingest(snapshot({ node, takenAt: new Date(T0).toISOString(), seq: 0, namespaces: [hostNamespace({ ip: '10.0.0.11', gateway: '10.0.0.1' })] }));
      }
    });
    afterAll(() => t.close());

    it('the range index selects what opened_at <= at < resolved_at selects', async () => {
      const repository = t.app.get(FindingsRepository);
      const database = t.app.get<Database>(DATABASE);
      const nodeIds = (await database.prisma.$queryRaw<Array<{ id: number }>>`SELECT id FROM node WHERE name IN ('fo-a', 'fo-b') ORDER BY name`).map((r) => r.id);
      await fc.assert(
        fc.asyncProperty(fc.array(intervalArbitrary, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 5 }), async (intervals, pageSize) => {
          // each run its own hour, so earlier runs' findings never overlap this run's instants
          const base = T0 + 3_600_000 + run++ * 3_600_000;
          const minute = (m: number) => new Date(base + m * 60_000);
          await repository.transaction(async (tx) => {
            for (const [i, f] of intervals.entries()) {
              await tx.$executeRaw`
                INSERT INTO finding (node_id, scope, rule, subject, severity, title, message, evidence, opened_at, resolved_at)
                VALUES (${nodeIds[f.node]}, 'node', ${f.rule}, ${`veth:run${run}-${i}`}, 'warning', 't', 'm', '[]'::jsonb, ${minute(f.opened)},
                        ${f.duration === null ? null : minute(f.opened + f.duration)})`;
            }
          });
          for (let m = -1; m <= 32; m++) {
            const at = new Date(minute(m).getTime() + (m % 2) * 30_000);
            const expected = await database.prisma.$queryRaw<Array<{ id: bigint }>>`
              SELECT f.id FROM finding f WHERE f.opened_at <= ${at}::timestamptz AND (f.resolved_at IS NULL OR f.resolved_at > ${at}::timestamptz)
              ORDER BY f.opened_at DESC, f.id DESC`;
            const paged: bigint[] = [];
            let after: { openedAt: Date; id: bigint } | undefined;
            for (;;) {
              const page = await repository.find({ openAt: at, after, limit: pageSize });
              paged.push(...page.map((row) => row.id));
              if (page.length < pageSize) break;
              after = { openedAt: page[page.length - 1].openedAt, id: page[page.length - 1].id };
            }
            expect({ at, ids: paged }).toEqual({ at, ids: expected.map((row) => row.id) });
          }
        }),
        { numRuns: 10 },
      );
    }, 300_000);
  });
}
