import { Client } from 'pg';
import { onPostgresServer, scratchDatabase, testServerUrl } from './index';

// On the test machine's real PostgreSQL: the database exists, is reachable at its URL, can be
// taken away under a connected client and comes back, and is gone after drop().

async function exists(name: string): Promise<boolean> {
  const { rows } = await onPostgresServer(testServerUrl(), (c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]));
  return rows.length === 1;
}

describe('scratchDatabase', () => {
  it('creates a fresh database named after its prefix, reachable at its URL, and drops it', async () => {
    const db = await scratchDatabase('rs_testing_scratch');
    try {
      expect(db.name).toMatch(/^rs_testing_scratch_[0-9a-f]{12}$/);
      expect(new URL(db.url).pathname).toBe(`/${db.name}`);
      const { rows } = await onPostgresServer(db.url, (c) => c.query<{ db: string }>('SELECT current_database() AS db'));
      expect(rows[0]?.db).toBe(db.name);
      // dropped even with a client still connected
      const holder = new Client({ connectionString: db.url });
      holder.on('error', () => undefined);
      await holder.connect();
      await db.drop();
      expect(await exists(db.name)).toBe(false);
      await db.drop(); // twice is fine
    } finally {
      await db.drop();
    }
  });

  it('takes the database offline under a connected client and brings it back', async () => {
    const db = await scratchDatabase('rs_testing_scratch');
    try {
      const client = new Client({ connectionString: db.url });
      const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
      client.on('error', () => undefined);
      await client.connect();
      await db.takeOffline();
      await ended;
      await expect(onPostgresServer(db.url, (c) => c.query('SELECT 1'))).rejects.toThrow(/not currently accepting connections/);
      await db.bringOnline();
      await expect(onPostgresServer(db.url, (c) => c.query('SELECT 1'))).resolves.toBeDefined();
    } finally {
      await db.drop();
    }
  });

  it('refuses a prefix that is not a plain lowercase identifier, creating nothing', async () => {
    await expect(scratchDatabase('x; DROP DATABASE test')).rejects.toThrow('scratchDatabase: prefix "x; DROP DATABASE test" must be a lowercase SQL identifier');
    await expect(scratchDatabase('Upper')).rejects.toThrow(/must be a lowercase SQL identifier/);
  });
});
