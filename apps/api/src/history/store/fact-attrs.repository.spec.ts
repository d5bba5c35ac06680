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

    it('answers held ids without reading them, drops the least recently used first, and names an id that does not exist', async () => {
      const values = Array.from({ length: 10 }, (_, i) => ({ dst: `172.17.${i}.0/26`, gateway: `10.0.0.${i + 10}` }));
      const ids = await insert(...values);
      const attrs = new FactAttrsRepository(database, 10);

      const first = await attrs.byIds([...ids, ids[0]]);
      expect(first.size).toBe(10);
      expect(first.get(ids[3])).toEqual(values[3]);

      await database.prisma.$executeRaw`DELETE FROM fact_attrs`;
      const held = await attrs.byIds([ids[0], ids[5]]);
      // the same objects: a value is parsed once and shared
      expect(held.get(ids[0])).toBe(first.get(ids[0]));
      expect(held.get(ids[5])).toEqual(values[5]);

      // an eleventh value goes over the capacity: the least recently used tenth and more (ids 1 and 2) go
      const [extra] = await insert({ value: '1' });
      expect((await attrs.byIds([extra])).get(extra)).toEqual({ value: '1' });
      expect(attrs.size).toBe(9);
      expect((await attrs.byIds([ids[0], ids[3], ids[9]])).get(ids[0])).toEqual(values[0]);
      await expect(attrs.byIds([ids[1]])).rejects.toThrow(`fact_attrs ${ids[1]} does not exist`);
      await expect(attrs.byIds([ids[2]])).rejects.toThrow(`fact_attrs ${ids[2]} does not exist`);
    });
  });
}
