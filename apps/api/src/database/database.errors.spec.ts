import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createDatabase, testing } from '@routescope/db';
import { toPublicError } from '../errors/error-mapping';
import { DatabaseErrorCode, unavailableDatabaseError } from './database.errors';

// What a query meets when PostgreSQL is down, from the real driver: it must read as
// "unavailable, retry" (503 + Retry-After, GraphQL UNAVAILABLE), and a wrong query must not.

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function thrownBy(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the query to fail');
}

describe('database unavailability', () => {
  it('maps a refused connection (query and transaction) to 503 with Retry-After and GraphQL UNAVAILABLE', async () => {
    const database = await createDatabase({ databaseUrl: `postgresql://postgres@127.0.0.1:${await closedPort()}/routescope` });
    try {
      const errors = [
        await thrownBy(() => database.prisma.$queryRaw`SELECT 1`),
        await thrownBy(() => database.prisma.$transaction(async (tx) => tx.$queryRaw`SELECT 1`)),
      ];
      for (const error of errors) {
        expect(unavailableDatabaseError(error)?.code).toBe(DatabaseErrorCode.Unavailable);
        expect(toPublicError(error)).toEqual({
          status: 503,
          graphqlCode: 'UNAVAILABLE',
          reason: 'DATABASE_UNAVAILABLE',
          message: expect.stringMatching(/database is unavailable/),
          retryAfterSeconds: expect.any(Number),
        });
      }
    } finally {
      await database.close();
    }
  });

  it('maps a server that terminates the session (administrator command) to unavailable', async () => {
    const test = await testing.createTestDatabase('postgres', { migrate: false });
    const victim = await createDatabase({ databaseUrl: test.databaseUrl, poolSize: 1 });
    try {
      const [{ pid }] = await victim.prisma.$queryRaw<Array<{ pid: number }>>`SELECT pg_backend_pid() AS pid`;
      const killer = await createDatabase({ databaseUrl: test.databaseUrl, poolSize: 1 });
      const running = thrownBy(() => victim.prisma.$queryRaw`SELECT pg_sleep(30)`);
      await killer.prisma.$queryRaw`SELECT pg_terminate_backend(${pid}::int)`;
      await killer.close();
      expect(toPublicError(await running)?.status).toBe(503);
    } finally {
      await victim.close();
      await test.dispose();
    }
  });

  it('leaves a wrong query alone (not unavailable, so it stays a 500)', async () => {
    const test = await testing.createTestDatabase('postgres', { migrate: false });
    const database = await createDatabase({ databaseUrl: test.databaseUrl });
    try {
      const error = await thrownBy(() => database.prisma.$queryRaw`SELECT * FROM no_such_table`);
      expect(unavailableDatabaseError(error)).toBeUndefined();
      expect(toPublicError(error)).toBeUndefined();
    } finally {
      await database.close();
      await test.dispose();
    }
  });
});
