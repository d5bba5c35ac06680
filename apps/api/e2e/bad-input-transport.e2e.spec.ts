import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getIntrospectionQuery } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { Client } from 'pg';
import { testing } from '@routescope/db';
import { freePort, launchApi, type LaunchedApi } from '@routescope/testing';

// Hostile and broken clients against the HTTP edge and GraphQL, table-driven: the built API as a
// real process on a real PostgreSQL database (and real Redis for the shared rate limits). Every
// case asserts the status, the error's code (REST `error`, GraphQL `extensions.code`) and that
// the process still answers afterwards. Requests that must be refused before their body is read
// send the headers and a first slice only, and wait for the answer: a server that read bodies
// first would never answer, and the case would time out.

const root = resolve(__dirname, '../../..');
const apiBundle = join(root, 'apps/api/dist/main.js');
const REDIS_URL = process.env['ROUTESCOPE_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const MB = 1024 * 1024;

const secret = (name: string) => `rs_e2e_${name}_${randomBytes(12).toString('hex')}`;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  body: Record<string, unknown> | undefined;
}

/** REST errors are `{error}`, GraphQL errors `{errors: [{extensions: {code}}]}`. */
function codeOf(answer: Answer): string | undefined {
  const errors = answer.body?.errors as Array<{ extensions?: { code?: string } }> | undefined;
  return errors ? errors[0]?.extensions?.code : (answer.body?.error as string | undefined);
}
function reasonOf(answer: Answer): string | undefined {
  const errors = answer.body?.errors as Array<{ extensions?: { reason?: string } }> | undefined;
  return errors?.[0]?.extensions?.reason;
}
function messageOf(answer: Answer): string {
  const errors = answer.body?.errors as Array<{ message?: string }> | undefined;
  return String(errors ? errors[0]?.message : answer.body?.message);
}

/** One API process on its own PostgreSQL database. */
class ApiProcess {
  readonly tokens = { ingest: secret('ingest'), read: secret('read'), admin: secret('admin') };
  base = '';
  database?: testing.TestDatabase;
  private launched?: LaunchedApi;
  private dataDir = '';

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<this> {
    this.database = await testing.createTestDatabase('postgres', { migrate: false });
    this.dataDir = await mkdtemp(join(tmpdir(), 'rs-bad-input-'));
    this.launched = await launchApi({
      bundle: apiBundle,
      cwd: root,
      // /healthz: one suite starts it with Redis down on purpose, when /readyz answers 503
      readyPath: '/healthz',
      env: {
        DATABASE_URL: this.database.databaseUrl,
        ROUTESCOPE_DATA_DIR: join(this.dataDir, 'data'),
        ROUTESCOPE_KUBERNETES: 'off',
        ROUTESCOPE_INGEST_TOKEN: this.tokens.ingest,
        ROUTESCOPE_READ_TOKEN: this.tokens.read,
        ROUTESCOPE_ADMIN_TOKEN: this.tokens.admin,
        ROUTESCOPE_LOG_LEVEL: 'warn',
        ...this.env,
      },
    });
    this.base = this.launched.url;
    return this;
  }

  /**
   * The process's resident memory now, in bytes, after resetting its peak (VmHWM) to it: `peak()`
   * then tells how high it went in between, whatever the sampling (Linux /proc, we are its parent).
   */
  async resetPeakRss(): Promise<number> {
    await writeFile(`/proc/${this.launched?.pid}/clear_refs`, '5');
    return this.memory('VmRSS');
  }

  peakRss(): Promise<number> {
    return this.memory('VmHWM');
  }

  private async memory(field: 'VmRSS' | 'VmHWM'): Promise<number> {
    const status = await readFile(`/proc/${this.launched?.pid}/status`, 'utf8');
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!kb) throw new Error(`no ${field} in /proc/${this.launched?.pid}/status`);
    return Number(kb[1]) * 1024;
  }

  /** The process has not exited and still answers /healthz. */
  async alive(): Promise<boolean> {
    if (!this.launched?.alive()) return false;
    return (await fetch(`${this.base}/healthz`)).status === 200;
  }

  async stop(): Promise<void> {
    await this.launched?.stop();
    await this.database?.dispose();
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Answer> {
    const response = await fetch(`${this.base}${path}`, init);
    const text = await response.text();
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: Object.fromEntries(response.headers.entries()), text, body };
  }

  /**
   * One operation over graphql-ws with `token`: resolves with the first result or error as an
   * Answer (status 101: the socket's), or the socket's close code when it is refused.
   */
  websocket(query: string, token: string | null = this.tokens.read): Promise<Answer> {
    const client = createClient({
      url: `${this.base.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
      lazy: true,
    });
    const answer = (body: Record<string, unknown>): Answer => ({ status: 101, headers: {}, text: JSON.stringify(body), body });
    return new Promise<Answer>((resolveAnswer) => {
      const dispose = client.subscribe(
        { query },
        {
          next: (result) => {
            dispose();
            resolveAnswer(answer(result as Record<string, unknown>));
          },
          error: (error) => {
            const closed = error as { code?: number; reason?: string };
            resolveAnswer(Array.isArray(error) ? answer({ errors: error }) : answer({ error: `closed ${closed.code ?? '?'}`, message: closed.reason ?? String(error) }));
          },
          complete: () => undefined,
        },
      );
    }).finally(() => client.dispose());
  }

  /** POST /graphql with `authorization` as given (null: no header). */
  graphql(body: unknown, authorization: string | null = `Bearer ${this.tokens.read}`, contentType = 'application/json'): Promise<Answer> {
    return this.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': contentType, ...(authorization === null ? {} : { authorization }) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  ingest(body: unknown, authorization: string | null = `Bearer ${this.tokens.ingest}`, contentType = 'application/json'): Promise<Answer> {
    return this.fetch('/api/v1/snapshots', {
      method: 'POST',
      headers: { 'content-type': contentType, ...(authorization === null ? {} : { authorization }) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  /**
   * Sends the headers and the first `sendBytes` of a body, and never the rest: resolves with the
   * answer the server gives meanwhile. With `declaredBytes` the body has that Content-Length,
   * without it the body is chunked (its length unknown to the server).
   */
  partialPost(path: string, options: { authorization?: string; declaredBytes?: number; sendBytes: number }): Promise<Answer> {
    return new Promise((resolveAnswer, reject) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (options.authorization) headers['authorization'] = options.authorization;
      if (options.declaredBytes !== undefined) headers['content-length'] = String(options.declaredBytes);
      const req = httpRequest(`${this.base}${path}`, { method: 'POST', headers });
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          req.destroy();
          let body: Record<string, unknown> | undefined;
          try {
            body = JSON.parse(text) as Record<string, unknown>;
          } catch {
            body = undefined;
          }
          resolveAnswer({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
      });
      // Whitespace is valid JSON padding: a server that waited would be waiting for the rest.
      req.write(Buffer.alloc(options.sendBytes, 0x20));
    });
  }
}

/**
 * POSTs a `totalBytes` body without a token over a raw socket, writing all of it whatever the
 * server answers meanwhile (Node's own client stops sending once an answer arrives), and reads the
 * answer alongside. Reports whether every byte went out before the server closed the connection.
 */
function floodPost(base: string, path: string, totalBytes: number): Promise<{ status: number; text: string; sentAll: boolean }> {
  return new Promise((resolveFlood) => {
    const { hostname, port } = new URL(base);
    const socket = connect(Number(port), hostname);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    let received = '';
    let failed = false;
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('error', () => (failed = true));
    socket.on('close', () => {
      const [head, text = ''] = received.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolveFlood({ status, text, sentAll: !failed && sent === totalBytes });
    });
    socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${totalBytes}\r\n\r\n`);
    const pump = () => {
      while (sent < totalBytes && !socket.destroyed) {
        sent += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      // Everything sent: let the server answer (it did already) and close.
      if (!socket.destroyed) socket.end();
    };
    pump();
  });
}

/** A node snapshot with `routes` extra host routes: 3,000 make a state larger than 512 KB of JSON. */
function bigSnapshot(node: string, routes: number): unknown {
  return {
    schemaVersion: 1,
    snapshotId: randomUUID(),
    node,
    collector: { version: '0.1.0-test', bootId: 'boot-1', seq: 0, source: 'collect' },
    takenAt: new Date().toISOString(),
    kernel: '6.8.0-test',
    iproute2: 'iproute2-6.1.0',
    namespaces: [
      {
        kind: 'host',
        name: 'host',
        links: [
          { ifindex: 1, name: 'lo', mtu: 65536, operState: 'UNKNOWN', flags: ['LOOPBACK', 'UP'] },
          { ifindex: 2, name: 'eth0', mac: '52:54:00:00:00:01', mtu: 1500, operState: 'UP', flags: ['BROADCAST', 'UP'] },
        ],
        addresses: [{ dev: 'eth0', family: 'inet', local: '10.0.0.11', prefixlen: 24, flags: [] }],
        routes: [
          { family: 'inet', table: 'main', type: 'unicast', dst: 'default', gateway: '10.0.0.1', dev: 'eth0', flags: [] },
          ...Array.from({ length: routes }, (_, i) => ({ family: 'inet', table: 'main', type: 'unicast', dst: `10.${100 + Math.floor(i / 250)}.${i % 250}.0/24`, gateway: '10.0.0.1', dev: 'eth0', protocol: 'bird', flags: [] })),
        ],
        neighbors: [],
        sysctls: [{ path: 'net/ipv4/ip_forward', value: '1' }],
      },
    ],
    warnings: [],
  };
}

interface Case {
  name: string;
  run: () => Promise<Answer>;
  status: number;
  /** REST `error` or GraphQL `extensions.code` */
  code?: string;
  /** GraphQL `extensions.reason` (the module's own code) */
  reason?: string;
  check?: (answer: Answer) => void;
}

/** Runs the table: each case's status and code, then the process is alive. */
function table(api: () => ApiProcess, cases: () => Case[]): void {
  // The table is built lazily (it needs the running process's tokens), one `it` per case.
  for (const [index, name] of caseNames(cases).entries()) {
    it(name, async () => {
      const c = cases()[index];
      const answer = await c.run();
      const got = { status: answer.status, code: codeOf(answer), ...(c.reason ? { reason: reasonOf(answer) } : {}) };
      expect(got).toEqual({ status: c.status, code: c.code, ...(c.reason ? { reason: c.reason } : {}) });
      c.check?.(answer);
      expect(await api().alive()).toBe(true);
    });
  }
}

/** Case names without a running process: the table is built once with placeholder tokens. */
function caseNames(cases: () => Case[]): string[] {
  return cases().map((c) => c.name);
}

const deepQuery = `{ ${'node(name: "n") { state { node { '.repeat(4)} name ${'} } }'.repeat(4)} }`;
const aliases = (count: number, selection: string) => Array.from({ length: count }, (_, i) => `a${i}: ${selection}`).join(' ');

if (!existsSync(apiBundle)) throw new Error(`${apiBundle} is missing: build the API first (npx nx run api:build)`);

describe('GraphQL and transport bad input [postgres]', () => {
  // Responses over 512 KB are refused here, so that a 3,000-route state shows the cap.
  const api = new ApiProcess({ ROUTESCOPE_GRAPHQL_MAX_RESPONSE_BYTES: String(512 * 1024) });

  beforeAll(async () => {
    await api.start();
    const stored = await api.ingest(bigSnapshot('big-node', 3000));
    if (stored.status !== 201) throw new Error(`seeding big-node failed: ${stored.status} ${stored.text}`);
  }, 120_000);
  afterAll(() => api.stop());

  const t = api.tokens;
  const bearer = (token: string) => `Bearer ${token}`;
  const cases = (): Case[] => [
    // --- authentication on ingest (REST shape) ---
    { name: 'ingest without Authorization → 401 MISSING_TOKEN', run: () => api.ingest({}, null), status: 401, code: 'MISSING_TOKEN' },
    { name: 'ingest with the Basic scheme → 401 MISSING_TOKEN', run: () => api.ingest({}, `Basic ${Buffer.from(`x:${t.ingest}`).toString('base64')}`), status: 401, code: 'MISSING_TOKEN' },
    { name: 'ingest with "Bearer" and no token → 401 MISSING_TOKEN', run: () => api.ingest({}, 'Bearer '), status: 401, code: 'MISSING_TOKEN' },
    { name: 'ingest with two words after Bearer → 401 MISSING_TOKEN', run: () => api.ingest({}, `Bearer ${t.ingest} extra`), status: 401, code: 'MISSING_TOKEN' },
    { name: 'ingest with an unknown token → 401 INVALID_TOKEN', run: () => api.ingest({}, bearer(secret('forged'))), status: 401, code: 'INVALID_TOKEN' },
    { name: 'ingest with a read token → 403 INSUFFICIENT_SCOPE', run: () => api.ingest({}, bearer(t.read)), status: 403, code: 'INSUFFICIENT_SCOPE' },
    {
      name: 'ingest on a differently spelled path (case, trailing slash) is gated too → 401',
      run: () => api.fetch('/API/V1/Snapshots/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
      status: 401,
      code: 'MISSING_TOKEN',
    },
    // --- bodies on ingest ---
    { name: 'ingest with a text/plain body → 415 UNSUPPORTED_MEDIA_TYPE', run: () => api.ingest('{}', bearer(t.ingest), 'text/plain'), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'ingest with a body that is not JSON → 400 INVALID_JSON', run: () => api.ingest('{"schemaVersion":', bearer(t.ingest)), status: 400, code: 'INVALID_JSON' },
    {
      name: 'ingest declaring 40 MB is refused from its headers → 413 SNAPSHOT_TOO_LARGE',
      run: () => api.partialPost('/api/v1/snapshots', { authorization: bearer(t.ingest), declaredBytes: 40 * MB, sendBytes: 1024 }),
      status: 413,
      code: 'SNAPSHOT_TOO_LARGE',
    },
    {
      name: 'ingest of a 31 MB body without a token is answered before the body is sent → 401',
      run: () => api.partialPost('/api/v1/snapshots', { declaredBytes: 31 * MB, sendBytes: 64 * 1024 }),
      status: 401,
      code: 'MISSING_TOKEN',
    },
    {
      name: 'ingest of a 31 MB body with a read token is answered before the body is sent → 403',
      run: () => api.partialPost('/api/v1/snapshots', { authorization: bearer(t.read), declaredBytes: 31 * MB, sendBytes: 64 * 1024 }),
      status: 403,
      code: 'INSUFFICIENT_SCOPE',
    },
    {
      name: '8 concurrent unauthenticated 31 MB posts are all answered before their bodies are sent → 401',
      run: async () => {
        const answers = await Promise.all(Array.from({ length: 8 }, () => api.partialPost('/api/v1/snapshots', { declaredBytes: 31 * MB, sendBytes: 64 * 1024 })));
        expect(answers.map((a) => a.status)).toEqual(Array(8).fill(401));
        return answers[0];
      },
      status: 401,
      code: 'MISSING_TOKEN',
    },
    {
      name: '8 concurrent unauthenticated 31 MB posts sent in full: each reads its 401, the server holds none of them',
      run: async () => {
        const before = await api.resetPeakRss();
        const floods = await Promise.all(Array.from({ length: 8 }, () => floodPost(api.base, '/api/v1/snapshots', 31 * MB)));
        const grewBy = (await api.peakRss()) - before;
        // Parsed, the 248 MB would have taken the API to over 1 GB (issue #12); dropped as it arrives, it costs buffers (measured: 30 MB of peak over 248 MB).
        expect(grewBy).toBeLessThan(100 * MB);
        expect(floods.map((f) => ({ status: f.status, sentAll: f.sentAll }))).toEqual(Array(8).fill({ status: 401, sentAll: true }));
        return { status: floods[0].status, headers: {}, text: floods[0].text, body: JSON.parse(floods[0].text) as Record<string, unknown> };
      },
      status: 401,
      code: 'MISSING_TOKEN',
    },
    {
      name: 'a chunked (length unknown) unauthenticated post is answered before it ends → 401',
      run: () => api.partialPost('/api/v1/snapshots', { authorization: bearer(secret('forged')), sendBytes: 256 * 1024 }),
      status: 401,
      code: 'INVALID_TOKEN',
    },
    {
      name: 'a body POSTed to a GET route (/healthz) → 405 METHOD_NOT_ALLOWED',
      run: () => api.fetch('/healthz', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' }),
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
    },
    // --- authentication on GraphQL (GraphQL shape) ---
    { name: 'GraphQL without Authorization → 401 UNAUTHENTICATED', run: () => api.graphql({ query: '{ nodes { totalCount } }' }, null), status: 401, code: 'UNAUTHENTICATED', reason: 'MISSING_TOKEN' },
    { name: 'GraphQL with the Basic scheme → 401 UNAUTHENTICATED', run: () => api.graphql({ query: '{ nodes { totalCount } }' }, `Basic ${t.read}`), status: 401, code: 'UNAUTHENTICATED', reason: 'MISSING_TOKEN' },
    { name: 'GraphQL with an unknown token → 401 UNAUTHENTICATED', run: () => api.graphql({ query: '{ nodes { totalCount } }' }, bearer(secret('forged'))), status: 401, code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' },
    { name: 'GraphQL with an ingest token → 403 FORBIDDEN', run: () => api.graphql({ query: '{ nodes { totalCount } }' }, bearer(t.ingest)), status: 403, code: 'FORBIDDEN', reason: 'INSUFFICIENT_SCOPE' },
    {
      name: 'GraphQL over GET without a token → 401 UNAUTHENTICATED',
      run: () => api.fetch(`/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } }),
      status: 401,
      code: 'UNAUTHENTICATED',
    },
    // --- introspection and suggestions ---
    { name: 'introspection without a token → 401 UNAUTHENTICATED', run: () => api.graphql({ query: '{ __schema { queryType { name } } }' }, null), status: 401, code: 'UNAUTHENTICATED' },
    {
      name: 'introspection with a read token → 200 with the schema',
      run: () => api.graphql({ query: '{ __schema { queryType { name } } }' }),
      status: 200,
      check: (a) => expect(a.body?.data).toEqual({ __schema: { queryType: { name: 'Query' } } }),
    },
    {
      name: 'the full introspection query (deeply nested ofType) with a read token → 200',
      run: () => api.graphql({ query: getIntrospectionQuery() }),
      status: 200,
      check: (a) => expect((a.body?.data as { __schema: { types: unknown[] } }).__schema.types.length).toBeGreaterThan(20),
    },
    {
      name: 'a misspelt field without a token → 401, and no suggestion leaks',
      run: () => api.graphql({ query: '{ nodez { totalCount } }' }, null),
      status: 401,
      code: 'UNAUTHENTICATED',
      check: (a) => expect(a.text).not.toMatch(/Did you mean/),
    },
    {
      name: 'a misspelt field with a read token → 400 GRAPHQL_VALIDATION_FAILED with a suggestion',
      run: () => api.graphql({ query: '{ nodez { totalCount } }' }),
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
      check: (a) => expect(messageOf(a)).toMatch(/Did you mean .*"nodes"/),
    },
    // --- operations ---
    {
      name: 'mutation { x } (no such mutation) → 400 GRAPHQL_VALIDATION_FAILED, not an internal error',
      run: () => api.graphql({ query: 'mutation { x }' }),
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
      check: (a) => expect(messageOf(a)).toMatch(/Cannot query field "x" on type "Mutation"/),
    },
    {
      name: 'a subscription over HTTP POST → 400 GRAPHQL_VALIDATION_FAILED, not an internal error',
      run: () => api.graphql({ query: 'subscription { changesRecorded { node } }' }),
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
      reason: 'UNSUPPORTED_OPERATION',
      check: (a) => expect(messageOf(a)).toMatch(/served over WebSocket \(graphql-ws\)/),
    },
    {
      name: 'a GraphQL POST without a body → 400 BAD_REQUEST',
      run: () => api.fetch('/graphql', { method: 'POST', headers: { authorization: bearer(t.read), 'content-type': 'application/json' } }),
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      name: 'an ingest POST without a body → 400 INVALID_SNAPSHOT',
      run: () => api.fetch('/api/v1/snapshots', { method: 'POST', headers: { authorization: bearer(t.ingest), 'content-type': 'application/json' } }),
      status: 400,
      code: 'INVALID_SNAPSHOT',
    },
    { name: 'a query that does not parse → 400 GRAPHQL_PARSE_FAILED', run: () => api.graphql({ query: '{ nodes { ' }), status: 400, code: 'GRAPHQL_PARSE_FAILED' },
    { name: 'a GraphQL body that is not JSON → 400 BAD_REQUEST', run: () => api.graphql('{"query":', bearer(t.read)), status: 400, code: 'BAD_REQUEST', reason: 'INVALID_JSON' },
    { name: 'a GraphQL body as text/plain → 415 BAD_REQUEST', run: () => api.graphql('{ nodes { totalCount } }', bearer(t.read), 'text/plain'), status: 415, code: 'BAD_REQUEST', reason: 'UNSUPPORTED_MEDIA_TYPE' },
    // --- over WebSocket (graphql-ws), outside Apollo's pipeline ---
    { name: 'a WebSocket without a token is refused (close 4403)', run: () => api.websocket('subscription { changesRecorded { node } }', null), status: 101, code: 'closed 4403' },
    {
      name: 'a query sent over WebSocket → GRAPHQL_VALIDATION_FAILED: subscriptions only, so no way around the HTTP limits',
      run: () => api.websocket('{ nodes { totalCount } }'),
      status: 101,
      code: 'GRAPHQL_VALIDATION_FAILED',
      reason: 'UNSUPPORTED_OPERATION',
      check: (a) => expect(messageOf(a)).toBe('query operations are served over HTTP (POST /graphql); WebSocket carries subscriptions only'),
    },
    {
      name: 'a subscription of 100,000 fact changes per event over WebSocket → QUERY_TOO_COSTLY',
      run: () => api.websocket(`subscription { changesRecorded { ${aliases(40, 'factChanges(first: 100000) { edges { node { key } } }')} } }`),
      status: 101,
      code: 'BAD_USER_INPUT',
      reason: 'QUERY_TOO_COSTLY',
    },
    // --- batching ---
    {
      name: 'a batch of two operations (array body) → 400 BATCHING_NOT_SUPPORTED',
      run: () => api.graphql([{ query: '{ nodes { totalCount } }' }, { query: '{ rules { id } }' }]),
      status: 400,
      code: 'BAD_REQUEST',
      reason: 'BATCHING_NOT_SUPPORTED',
    },
    { name: 'a batch of 1,000 operations → 400 BATCHING_NOT_SUPPORTED', run: () => api.graphql(Array(1000).fill({ query: '{ __typename }' })), status: 400, code: 'BAD_REQUEST', reason: 'BATCHING_NOT_SUPPORTED' },
    // --- size of the request ---
    {
      name: 'a GraphQL request declaring 3 MB is refused from its headers → 413 PAYLOAD_TOO_LARGE',
      run: () => api.partialPost('/graphql', { authorization: bearer(t.read), declaredBytes: 3 * MB, sendBytes: 1024 }),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      reason: 'BODY_TOO_LARGE',
    },
    {
      name: 'a chunked GraphQL request is cut at 2 MB, before it ends → 413 PAYLOAD_TOO_LARGE',
      run: () => api.partialPost('/graphql', { authorization: bearer(t.read), sendBytes: 2 * MB + 64 * 1024 }),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      reason: 'BODY_TOO_LARGE',
    },
    // --- shape and cost ---
    { name: 'a query 13 levels deep → 400 QUERY_TOO_DEEP', run: () => api.graphql({ query: deepQuery }), status: 400, code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_DEEP' },
    { name: '9 root fields → 400 TOO_MANY_ROOT_FIELDS', run: () => api.graphql({ query: `{ ${aliases(9, 'rules { id }')} }` }), status: 400, code: 'BAD_USER_INPUT', reason: 'TOO_MANY_ROOT_FIELDS' },
    {
      name: '1,000 aliases of state { routes } → 400 QUERY_TOO_COSTLY, before anything runs',
      run: () => api.graphql({ query: `{ node(name: "big-node") { ${aliases(1000, 'state { routes { dst gateway dev } }')} } }` }),
      status: 400,
      code: 'BAD_USER_INPUT',
      reason: 'QUERY_TOO_COSTLY',
      check: (a) => expect(messageOf(a)).toMatch(/^the query costs \d+ points, over the budget of 500000/),
    },
    {
      name: '8 aliases of nodes(first: 500) with their states → 400 QUERY_TOO_COSTLY',
      run: () => api.graphql({ query: `{ ${aliases(8, 'nodes(first: 500) { edges { node { state { routes { dst } } } } }')} }` }),
      status: 400,
      code: 'BAD_USER_INPUT',
      reason: 'QUERY_TOO_COSTLY',
    },
    {
      name: 'a huge first passed as a variable is costed → 400 QUERY_TOO_COSTLY',
      run: () => api.graphql({ query: 'query($n: Int) { nodes(first: $n) { edges { node { state { routes { dst } } } } } }', variables: { n: 1_000_000 } }),
      status: 400,
      code: 'BAD_USER_INPUT',
      reason: 'QUERY_TOO_COSTLY',
    },
    {
      name: 'aliases hidden in a fragment are costed → 400 QUERY_TOO_COSTLY',
      run: () => api.graphql({ query: `query { node(name: "big-node") { ...F } } fragment F on Node { ${aliases(600, 'state { routes { dst } }')} }` }),
      status: 400,
      code: 'BAD_USER_INPUT',
      reason: 'QUERY_TOO_COSTLY',
    },
    // --- size of the response ---
    {
      name: 'a 3,000-route state over the 512 KB response cap → RESPONSE_TOO_LARGE, no data',
      run: () => api.graphql({ query: '{ node(name: "big-node") { state { routes { key namespace family table type dst gateway dev protocol scope metric flags } } } }' }),
      status: 200,
      code: 'RESPONSE_TOO_LARGE',
      reason: 'RESPONSE_TOO_LARGE',
      check: (a) => {
        expect(a.body?.data).toBeNull();
        expect(messageOf(a)).toMatch(/^the response is over the limit of 524288 bytes \(ROUTESCOPE_GRAPHQL_MAX_RESPONSE_BYTES\)/);
      },
    },
    {
      name: '20 aliases of that state, within the cost budget but 30× the response cap → RESPONSE_TOO_LARGE, no data',
      run: () => api.graphql({ query: `{ node(name: "big-node") { ${aliases(20, 'state { routes { key namespace family table type dst gateway dev protocol scope metric flags } }')} } }` }),
      status: 200,
      code: 'RESPONSE_TOO_LARGE',
      reason: 'RESPONSE_TOO_LARGE',
      check: (a) => {
        expect(a.body?.data).toBeNull();
        expect(a.body?.errors).toHaveLength(1);
      },
    },
    {
      name: 'the same state, one field per route, fits → 200 with 3,001 routes',
      run: () => api.graphql({ query: '{ node(name: "big-node") { state { routes { dst } } } }' }),
      status: 200,
      check: (a) => expect((a.body?.data as { node: { state: { routes: unknown[] } } }).node.state.routes).toHaveLength(3001),
    },
    // --- headers and readiness ---
    {
      name: 'security headers on every answer, no X-Powered-By',
      run: () => api.fetch('/healthz'),
      status: 200,
      check: (a) => {
        expect(a.headers['x-powered-by']).toBeUndefined();
        expect(a.headers['x-content-type-options']).toBe('nosniff');
        expect(a.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(a.headers['content-security-policy']).toMatch(/default-src 'self'/);
      },
    },
    {
      name: '/readyz without a token → 200, the database checked',
      run: () => api.fetch('/readyz'),
      status: 200,
      check: (a) => expect(a.body).toEqual({ status: 'ready', database: 'postgres', checks: { database: 'ok' } }),
    },
  ];
  table(() => api, cases);
});

describe('rate limits shared through Redis, introspection off [postgres + redis]', () => {
  const prefix = `rs-e2e-${randomBytes(6).toString('hex')}`;
  // Two replicas of one deployment: one database, one Redis, the same tokens.
  const env = {
    ROUTESCOPE_REDIS_URL: REDIS_URL,
    ROUTESCOPE_REDIS_PREFIX: prefix,
    ROUTESCOPE_GRAPHQL_INTROSPECTION: 'false',
    ROUTESCOPE_RATE_LIMIT_GRAPHQL: '4',
    ROUTESCOPE_RATE_LIMIT_INGEST: '3',
    // A window far longer than the suite: no count resets while it runs.
    ROUTESCOPE_RATE_LIMIT_WINDOW_SECONDS: '3600',
  };
  const first = new ApiProcess(env);
  let second: ApiProcess;

  beforeAll(async () => {
    await first.start();
    second = new ApiProcess({ ...env, DATABASE_URL: first.database?.databaseUrl ?? '' });
    Object.assign(second.tokens, first.tokens);
    await second.start();
  }, 180_000);
  afterAll(async () => {
    await second?.stop();
    await first.stop();
  });

  const query = { query: '{ nodes { totalCount } }' };
  const cases = (): Case[] => [
    {
      name: 'introspection with an admin token, turned off → 400 GRAPHQL_VALIDATION_FAILED',
      run: () => first.graphql({ query: getIntrospectionQuery() }, `Bearer ${first.tokens.admin}`),
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
      check: (a) => expect(messageOf(a)).toMatch(/introspection/i),
    },
    {
      name: 'no "Did you mean" when introspection is off → 400 without the suggestion',
      run: () => first.graphql({ query: '{ nodez { totalCount } }' }, `Bearer ${first.tokens.admin}`),
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
      check: (a) => expect(messageOf(a)).not.toMatch(/Did you mean/),
    },
    {
      name: 'four GraphQL requests of one token spread over two replicas pass → 200',
      run: async () => {
        for (const replica of [first, second, first]) expect((await replica.graphql(query)).status).toBe(200);
        return second.graphql(query);
      },
      status: 200,
    },
    {
      name: 'the fifth, on either replica → 429 RATE_LIMITED with Retry-After',
      run: () => first.graphql(query),
      status: 429,
      code: 'RATE_LIMITED',
      reason: 'RATE_LIMITED',
      check: (a) => {
        expect(Number(a.headers['retry-after'])).toBeGreaterThan(0);
        expect(Number(a.headers['retry-after'])).toBeLessThanOrEqual(3600);
        expect(messageOf(a)).toMatch(/sent more than 4 graphql requests in 3600 s; retry in \d+ s/);
      },
    },
    { name: 'the limit is per token: the admin token still passes → 200', run: () => second.graphql(query, `Bearer ${first.tokens.admin}`), status: 200 },
    {
      name: 'three ingest requests pass the limit (and fail on their body) → 400',
      run: async () => {
        for (const replica of [first, second]) expect((await replica.ingest({})).status).toBe(400);
        return first.ingest({});
      },
      status: 400,
      code: 'INVALID_SNAPSHOT',
    },
    {
      name: 'the fourth ingest is refused before its 31 MB body is sent → 429 with Retry-After',
      run: () => second.partialPost('/api/v1/snapshots', { authorization: `Bearer ${first.tokens.ingest}`, declaredBytes: 31 * MB, sendBytes: 64 * 1024 }),
      status: 429,
      code: 'RATE_LIMITED',
      check: (a) => expect(Number(a.headers['retry-after'])).toBeGreaterThan(0),
    },
    {
      name: '/readyz checks Redis too → 200',
      run: () => second.fetch('/readyz'),
      status: 200,
      check: (a) => expect(a.body).toEqual({ status: 'ready', database: 'postgres', checks: { database: 'ok', redis: 'ok' } }),
    },
  ];
  table(() => first, cases);
});

describe('readiness names the failed dependency, never its error [postgres + unreachable redis]', () => {
  let api: ApiProcess;

  beforeAll(async () => {
    // A port nothing listens on: Redis is configured but down.
    api = await new ApiProcess({ ROUTESCOPE_REDIS_URL: `redis://127.0.0.1:${await freePort()}`, ROUTESCOPE_RATE_LIMIT_INGEST: '1' }).start();
  }, 120_000);
  afterAll(() => api.stop());

  const cases = (): Case[] => [
    {
      name: 'Redis down → /readyz 503 naming redis, without the connection error',
      run: () => api.fetch('/readyz'),
      status: 503,
      check: (a) => {
        expect(a.body).toEqual({ status: 'not ready', database: 'postgres', checks: { database: 'ok', redis: 'unreachable' }, failed: ['redis'] });
        expect(a.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
      },
    },
    {
      name: 'Redis down lifts the rate limit instead of failing ingest → 400 for a bad body, twice over a limit of 1',
      run: async () => {
        expect((await api.ingest({})).status).toBe(400);
        return api.ingest({});
      },
      status: 400,
      code: 'INVALID_SNAPSHOT',
    },
    {
      name: 'the database gone too → /readyz 503 naming both, without the database error',
      run: async () => {
        const name = new URL(api.database?.databaseUrl ?? '').pathname.slice(1);
        const admin = new Client({ connectionString: testing.testServerUrl() });
        await admin.connect();
        try {
          await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
        } finally {
          await admin.end();
        }
        return api.fetch('/readyz');
      },
      status: 503,
      check: (a) => {
        expect(a.body).toMatchObject({ status: 'not ready', checks: { database: 'unreachable', redis: 'unreachable' }, failed: ['database', 'redis'] });
        expect(a.text).not.toMatch(/rs_test_|does not exist|terminat|ECONNREFUSED/);
      },
    },
  ];
  table(() => api, cases);
});
