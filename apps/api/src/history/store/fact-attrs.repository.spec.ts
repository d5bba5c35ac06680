import { testing } from '@routescope/db';
import { testDatabaseKinds } from '../../../test/api-test-app';
import { FactAttrsRepository } from './fact-attrs.repository';

// fact_attrs is content-addressed and never rewritten, so a replica keeps attributes by id and
// reads only those it does not hold. Rows are deleted behind its back here to tell a read from a
// held answer.

for (const kind of testDatabaseKinds()) {
  describe(`attributes by id [${kind}]`, () => {
    let database: testing.TestDatabase;
    beforeEach(async () => {
      database = await testing.createTestDatabase(kind);
    });
    afterEach(() => database.dispose());

    const insert = async (...values: object[]): Promise<string[]> => {
      const ids: string[] = [];
      for (const value of values) {
        const rows = await database.prisma.$queryRaw<Array<{ id: string }>>`
          INSERT INTO fact_attrs (id, attrs) VALUES (md5(${JSON.stringify(value)}::jsonb::text)::uuid, ${JSON.stringify(value)}::jsonb) RETURNING id::text AS id`;
        ids.push(rows[0].id);
      }
      return ids;
    };

    it('answers held ids without reading them, keeps the most recently used, and names an id that does not exist', async () => {
      const [a, b] = await insert({ dev: 'eth0', mtu: 1500 }, { value: '1' });
      const attrs = new FactAttrsRepository(database, 2);

      const first = await attrs.byIds([a, b, a]);
      expect(first.get(a)).toEqual({ dev: 'eth0', mtu: 1500 });
      expect(first.get(b)).toEqual({ value: '1' });
      expect(first.size).toBe(2);

      await database.prisma.$executeRaw`DELETE FROM fact_attrs`;
      const held = await attrs.byIds([b, a]);
      // the same objects: a value is parsed once and shared
      expect(held.get(a)).toBe(first.get(a));
      expect(held.get(b)).toBe(first.get(b));

      // b then a were used last: a third value pushes b out
      const [c] = await insert({ dst: '172.17.8.64/26', gateway: '10.0.0.12' });
      expect((await attrs.byIds([c])).get(c)).toEqual({ dst: '172.17.8.64/26', gateway: '10.0.0.12' });
      expect(attrs.size).toBe(2);
      expect((await attrs.byIds([a])).get(a)).toEqual({ dev: 'eth0', mtu: 1500 });
      await expect(attrs.byIds([b])).rejects.toThrow(`fact_attrs ${b} does not exist`);
    });
  });
}
