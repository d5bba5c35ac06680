import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { createDatabase, testing, type Database } from '@routescope/db';
import { until } from '@routescope/testing';
import { createApiApplication } from '../api-application';
import { API_CONFIG, loadApiConfig, type ApiConfig } from '../config/api-config';
import { DATABASE } from '../database/database.module';
import { startApiTestApp, testDatabaseKinds, type ApiTestApp } from '../../test/api-test-app';
import { AuthService } from './auth.service';
import { legacySha256, TokenHasher } from './token-hash';
import { TokenRevocations } from './token-revocations';
import { seedTokens } from './token-seeder';
import { TokenRepository } from './token.repository';

// Token administration through real GraphQL on a real database (PostgreSQL and PGlite): what an
// operator sees (answers, error codes) and what the API then accepts or refuses.

const LIST = 'query { tokens { name scopes createdAt expiresAt lastUsedAt revokedAt } }';
const CREATE = 'mutation($name: String!, $scopes: [TokenScope!]!, $expiresAt: DateTime) { createToken(name: $name, scopes: $scopes, expiresAt: $expiresAt) { secret token { name scopes expiresAt revokedAt } } }';
const REVOKE = 'mutation($name: String!) { revokeToken(name: $name) { name revokedAt } }';
const ROTATE = 'mutation($name: String!) { rotateToken(name: $name) { secret token { name scopes revokedAt } } }';
const NODES = 'query { nodes { totalCount } }';

interface Listed {
  name: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

for (const kind of testDatabaseKinds()) {
  describe(`token administration [${kind}]`, () => {
    let t: ApiTestApp;

    // One app per database kind; each test starts from the tokens a fresh start seeds (the three
    // env tokens, nothing cached): the table is emptied and the app's own configuration seeded
    // again, as at boot. No other table refers to api_token.
    beforeAll(async () => {
      t = await startApiTestApp(kind);
    });
    afterAll(() => t.close());
    beforeEach(async () => {
      await t.app.get<Database>(DATABASE).prisma.apiToken.deleteMany();
      t.app.get(AuthService).forget();
      await seedTokens(t.app.get<ApiConfig>(API_CONFIG), { tokens: t.app.get(TokenRepository), hasher: t.app.get(TokenHasher), auth: t.app.get(AuthService) });
    });

    const admin = <T>(query: string, variables: Record<string, unknown> = {}) => t.graphql<T>(query, variables, t.tokens.admin);
    const create = (name: string, scopes: string[], expiresAt?: string) => admin<{ createToken: { secret: string; token: Listed } }>(CREATE, { name, scopes, expiresAt });
    const readsWith = async (token: string) => {
      const answer = await t.graphql<{ nodes: { totalCount: number } }>(NODES, {}, token);
      return answer.errors ? (answer.errors[0].extensions?.reason ?? answer.errors[0].extensions?.code) : 'ok';
    };

    it('creates a named token whose secret is shown once and which works for its scopes only', async () => {
      const created = await create('grafana', ['read'], '2999-01-01T00:00:00.000Z');
      expect(created.errors).toBeUndefined();
      expect(created.data?.createToken.token).toEqual({ name: 'grafana', scopes: ['read'], expiresAt: '2999-01-01T00:00:00.000Z', revokedAt: null });
      const secret = created.data!.createToken.secret;
      expect(secret).toMatch(/^rs_read_[A-Za-z0-9_-]{43}$/);
      expect(await readsWith(secret)).toBe('ok');

      const listed = await admin<{ tokens: Listed[] }>(LIST);
      expect(listed.data?.tokens.map((x) => x.name)).toEqual(['env-ingest', 'env-read', 'env-admin', 'grafana']);
      // Neither the secret nor its hash is anywhere in the listing.
      expect(JSON.stringify(listed)).not.toContain(secret);
      expect(JSON.stringify(listed)).not.toContain(t.app.get(TokenHasher).hash(secret));
      // The schema has no field that could show them.
      const probe = await admin('query { tokens { tokenHash } }');
      expect(probe.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });

    it('answers each bad request with a code and the field at fault, creating nothing', async () => {
      const cases: Array<[string, string[], string | undefined, string, RegExp]> = [
        ['has space', ['read'], undefined, 'BAD_USER_INPUT', /^name: "has space" is not a token name/],
        ['', ['read'], undefined, 'BAD_USER_INPUT', /^name: "" is not a token name/],
        ['x'.repeat(65), ['read'], undefined, 'BAD_USER_INPUT', /^name: .* is not a token name/],
        ['nothing', [], undefined, 'BAD_USER_INPUT', /^scopes: give at least one of ingest, read, triage, probe, probe-runner, admin$/],
        ['late', ['read'], '2001-01-01T00:00:00.000Z', 'BAD_USER_INPUT', /^expiresAt: 2001-01-01T00:00:00.000Z is not in the future \(server time /],
        ['env-mine', ['read'], undefined, 'BAD_USER_INPUT', /^name: "env-mine" starts with "env-" or "generated-"/],
        ['env-read', ['read'], undefined, 'BAD_USER_INPUT', /keeps for tokens seeded from its environment/],
      ];
      for (const [name, scopes, expiresAt, code, message] of cases) {
        const answer = await create(name, scopes, expiresAt);
        expect({ name, code: answer.errors?.[0].extensions?.code, reason: answer.errors?.[0].extensions?.reason }).toEqual({ name, code, reason: 'INVALID_TOKEN_REQUEST' });
        expect(answer.errors?.[0].message).toMatch(message);
      }
      expect((await create('ci', ['ingest'])).errors).toBeUndefined();
      const taken = await create('ci', ['read']);
      expect(taken.errors?.[0]).toMatchObject({ message: expect.stringMatching(/^a token called "ci" already exists and is not revoked/), extensions: { code: 'CONFLICT', reason: 'TOKEN_NAME_TAKEN' } });
      const unknownScope = await admin(CREATE, { name: 'bad-scope', scopes: ['write'] });
      expect(unknownScope.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect((await admin<{ tokens: Listed[] }>(LIST)).data?.tokens.map((x) => x.name)).toEqual(['env-ingest', 'env-read', 'env-admin', 'ci']);
    });

    it('keeps token administration to admin tokens', async () => {
      for (const token of [t.tokens.read, t.tokens.ingest]) {
        expect((await t.graphql(LIST, {}, token)).errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'INSUFFICIENT_SCOPE' });
        expect((await t.graphql(CREATE, { name: 'sneaky', scopes: ['admin'] }, token)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
      }
      expect((await t.graphql(REVOKE, { name: 'env-admin' }, null)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect(await readsWith(t.tokens.admin)).toBe('ok');
    });

    it('refuses a revoked token on the next request of this replica, even though it was cached', async () => {
      const { secret } = (await create('laptop', ['read'])).data!.createToken;
      expect(await readsWith(secret)).toBe('ok'); // its verdict is cached now
      const revoked = await admin<{ revokeToken: { name: string; revokedAt: string } }>(REVOKE, { name: 'laptop' });
      expect(revoked.data?.revokeToken.name).toBe('laptop');
      expect(await readsWith(secret)).toBe('REVOKED_TOKEN');
      const again = await admin(REVOKE, { name: 'laptop' });
      expect(again.errors?.[0]).toMatchObject({ message: expect.stringMatching(/^no active token is called "laptop"/), extensions: { code: 'NOT_FOUND', reason: 'TOKEN_NOT_FOUND' } });
      // The name is free again; the revoked row stays listed.
      expect((await create('laptop', ['read'])).errors).toBeUndefined();
      const rows = (await admin<{ tokens: Listed[] }>(LIST)).data!.tokens.filter((x) => x.name === 'laptop');
      expect(rows.map((x) => x.revokedAt === null)).toEqual([false, true]);
    });

    it('rotates a token: a new secret with the same scopes and expiry, the old one refused at once', async () => {
      const first = (await create('collector-a', ['ingest', 'read'], '2999-01-01T00:00:00.000Z')).data!.createToken.secret;
      expect(await readsWith(first)).toBe('ok');
      const rotated = await admin<{ rotateToken: { secret: string; token: Listed } }>(ROTATE, { name: 'collector-a' });
      expect(rotated.data?.rotateToken.token).toEqual({ name: 'collector-a', scopes: ['ingest', 'read'], revokedAt: null });
      const second = rotated.data!.rotateToken.secret;
      expect(second).not.toBe(first);
      expect(await readsWith(first)).toBe('REVOKED_TOKEN');
      expect(await readsWith(second)).toBe('ok');
      const rows = (await admin<{ tokens: Listed[] }>(LIST)).data!.tokens.filter((x) => x.name === 'collector-a');
      expect(rows.map((x) => ({ revoked: x.revokedAt !== null, expiresAt: x.expiresAt }))).toEqual([
        { revoked: true, expiresAt: '2999-01-01T00:00:00.000Z' },
        { revoked: false, expiresAt: '2999-01-01T00:00:00.000Z' },
      ]);
      expect((await admin(ROTATE, { name: 'nobody' })).errors?.[0].extensions?.reason).toBe('TOKEN_NOT_FOUND');
      expect((await admin(ROTATE, { name: 'env-read' })).errors?.[0]).toMatchObject({
        message: expect.stringMatching(/^token "env-read" is seeded at start-up .*change the value there and restart/),
        extensions: { code: 'CONFLICT', reason: 'ENV_SEEDED_TOKEN' },
      });
    });

    it('refuses a token once its expiry has passed', async () => {
      const { secret } = (await create('short-lived', ['read'], new Date(Date.now() + 3600_000).toISOString())).data!.createToken;
      expect(await readsWith(secret)).toBe('ok');
      // An hour later, as far as the database is concerned; a fresh replica cache asks it again.
      await t.app.get<Database>(DATABASE).prisma.apiToken.updateMany({ where: { name: 'short-lived' }, data: { expiresAt: new Date(Date.now() - 1000) } });
      t.app.get(AuthService).forget();
      const answer = await t.graphql(NODES, {}, secret);
      expect(answer.errors?.[0]).toMatchObject({ message: expect.stringMatching(/^token "short-lived" expired at /), extensions: { code: 'UNAUTHENTICATED', reason: 'EXPIRED_TOKEN' } });
    });

    it('records when a token was last used', async () => {
      const { secret } = (await create('used', ['read'])).data!.createToken;
      const before = Date.now();
      expect(await readsWith(secret)).toBe('ok');
      const lastUsed = await until('lastUsedAt of "used"', async () => (await admin<{ tokens: Listed[] }>(LIST)).data!.tokens.find((x) => x.name === 'used')?.lastUsedAt ?? undefined, 10_000, 50);
      expect(Date.parse(lastUsed)).toBeGreaterThanOrEqual(before - 1000);
    });

    it('caches verdicts of valid tokens only: a flood of random tokens leaves no trace', async () => {
      const auth = t.app.get(AuthService);
      auth.forget();
      expect(await readsWith(t.tokens.read)).toBe('ok');
      expect(auth.cachedVerdicts).toBe(1);
      for (let i = 0; i < 200; i++) {
        await expect(auth.authenticate(`Bearer rs_random_${randomBytes(24).toString('hex')}`)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
      }
      expect(auth.cachedVerdicts).toBe(1);
    });

    it('accepts a token stored before keyed hashes and rehashes it on first use', async () => {
      const prisma = t.app.get<Database>(DATABASE).prisma;
      const old = `rs_legacy_${randomBytes(24).toString('hex')}`;
      await prisma.apiToken.create({ data: { name: 'legacy', tokenHash: legacySha256(old), hashScheme: 'sha256', scopes: ['read'] } });
      t.app.get(AuthService).forget();
      expect(await readsWith(old)).toBe('ok');
      const row = await prisma.apiToken.findFirstOrThrow({ where: { name: 'legacy' } });
      expect(row).toMatchObject({ hashScheme: 'hmac-sha256', tokenHash: t.app.get(TokenHasher).hash(old) });
      t.app.get(AuthService).forget();
      expect(await readsWith(old)).toBe('ok');
    });

    describe('tokens seeded from the environment, at the next start', () => {
      const reseed = (env: Record<string, string>) =>
        seedTokens(loadApiConfig({ ...env, ROUTESCOPE_LOG_LEVEL: 'error' }), { tokens: t.app.get(TokenRepository), hasher: t.app.get(TokenHasher), auth: t.app.get(AuthService) });

      it('a revoked env token stays revoked across restarts', async () => {
        await admin(REVOKE, { name: 'env-read' });
        await reseed({ ROUTESCOPE_READ_TOKEN: t.tokens.read });
        t.app.get(AuthService).forget();
        expect(await readsWith(t.tokens.read)).toBe('REVOKED_TOKEN');
        const rows = (await admin<{ tokens: Listed[] }>(LIST)).data!.tokens.filter((x) => x.name === 'env-read');
        expect(rows).toHaveLength(1);
      });

      it('a changed env value replaces the env token: the old value is refused, the new one accepted', async () => {
        expect(await readsWith(t.tokens.read)).toBe('ok');
        const next = `rs_next_read_${randomBytes(16).toString('hex')}`;
        await reseed({ ROUTESCOPE_READ_TOKEN: next });
        expect(await readsWith(t.tokens.read)).toBe('REVOKED_TOKEN');
        expect(await readsWith(next)).toBe('ok');
        const rows = (await admin<{ tokens: Listed[] }>(LIST)).data!.tokens.filter((x) => x.name === 'env-read');
        expect(rows.map((x) => x.revokedAt === null)).toEqual([false, true]);
        // Back to the old value: it was revoked, and stays so.
        await reseed({ ROUTESCOPE_READ_TOKEN: t.tokens.read });
        t.app.get(AuthService).forget();
        expect(await readsWith(t.tokens.read)).toBe('REVOKED_TOKEN');
        expect(await readsWith(next)).toBe('ok');
      });
    });
  });
}

describe('revocation across replicas through Redis [postgres]', () => {
  const REDIS_URL = process.env['ROUTESCOPE_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const apps: INestApplication[] = [];
  let database: testing.TestDatabase;
  let second: Database;
  let prefix: string;
  const tokens = { read: `rs_test_read_${randomBytes(16).toString('hex')}`, admin: `rs_test_admin_${randomBytes(16).toString('hex')}` };

  async function replica(db: Database): Promise<{ app: INestApplication; graphql: (query: string, variables: Record<string, unknown>, token: string) => Promise<{ data?: unknown; errors?: Array<{ extensions?: { reason?: string } }> }> }> {
    const config = loadApiConfig({
      ROUTESCOPE_READ_TOKEN: tokens.read,
      ROUTESCOPE_ADMIN_TOKEN: tokens.admin,
      ROUTESCOPE_LOG_LEVEL: 'error',
      ROUTESCOPE_REDIS_URL: REDIS_URL,
      ROUTESCOPE_REDIS_PREFIX: prefix,
      // An hour: a refusal on the other replica can only come from the Redis message.
      ROUTESCOPE_TOKEN_CACHE_SECONDS: '3600',
    });
    const { app } = await createApiApplication(config, db);
    await app.listen(0, '127.0.0.1');
    apps.push(app);
    await app.get(TokenRevocations).ready();
    const { port } = app.getHttpServer().address() as AddressInfo;
    return {
      app,
      graphql: async (query, variables, token) =>
        (await (
          await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) })
        ).json()) as { data?: unknown; errors?: Array<{ extensions?: { reason?: string } }> },
    };
  }

  beforeEach(async () => {
    database = await testing.createTestDatabase('postgres');
    second = await createDatabase({ databaseUrl: database.databaseUrl });
    prefix = `rs-test-${randomBytes(6).toString('hex')}`;
  });
  afterEach(async () => {
    for (const app of apps.splice(0).reverse()) await app.close();
    await database.dispose();
  });

  it('a token revoked on one replica is refused by the other as soon as the message arrives', async () => {
    const a = await replica(database);
    const b = await replica(second);
    const created = (await a.graphql(CREATE, { name: 'shared', scopes: ['read'] }, tokens.admin)) as { data: { createToken: { secret: string } } };
    const secret = created.data.createToken.secret;
    expect((await b.graphql(NODES, {}, secret)).errors).toBeUndefined(); // cached on b for an hour
    const heard = new Promise<number>((resolve) => b.app.get(TokenRevocations).onRevoked(resolve));
    await a.graphql(REVOKE, { name: 'shared' }, tokens.admin);
    await heard;
    expect((await b.graphql(NODES, {}, secret)).errors?.[0].extensions?.reason).toBe('REVOKED_TOKEN');
  });
});
