import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testing } from '@routescope/db';
import type { Snapshot } from '@routescope/snapshot';
import type { BadInputCase, CaseContext, CaseRequest } from './bad-input/bad-input-case';
import { BAD_INPUT_AREAS } from './bad-input/bad-input-cases';
import { calicoNodeSnapshot } from './support/calico-node';
import { freePort } from '@routescope/testing';
import { ApiProcess, request, secretToken, type ApiTokens, type HttpAnswer } from './support/api-process';
import { RowCounter } from './support/row-counts';

// Bad input against the built API as a real process on real PostgreSQL: every case of
// bad-input/ (one table per area) is sent over HTTP, and each must get its status and error
// shape, leave every history table as it was, and leave the process answering.

const tokens: ApiTokens = { ingest: secretToken('ingest'), read: secretToken('read'), admin: secretToken('admin') };
let api: ApiProcess;
let database: testing.TestDatabase;
let rows: RowCounter;
let dataDir: string;
let caseNumber = 0;

beforeAll(async () => {
  database = await testing.createTestDatabase('postgres', { migrate: false });
  dataDir = await mkdtemp(join(tmpdir(), 'rs-bad-input-'));
  api = new ApiProcess({ databaseUrl: database.databaseUrl, dataDir, port: await freePort(), tokens });
  await api.start();
  rows = new RowCounter(database.databaseUrl!);
  await rows.connect();
}, 120000);

afterAll(async () => {
  await api?.stop();
  await rows?.end();
  await database?.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

function send(req: CaseRequest, ctx: CaseContext): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...req.headers };
  const contentType = req.contentType === undefined ? 'application/json' : req.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  const token = req.token === undefined ? ctx.tokens.ingest : req.token === null ? undefined : typeof req.token === 'string' ? ctx.tokens[req.token] : req.token.raw;
  if (token) headers.authorization = `Bearer ${token}`;
  const method = req.method ?? 'POST';
  const text = method === 'GET' ? undefined : (req.body ?? (req.json === undefined ? undefined : JSON.stringify(req.json)));
  // fetch labels a string body text/plain; bytes go without a content type when none is wanted.
  const body = contentType === null && typeof text === 'string' ? Buffer.from(text) : text;
  return request(`${api.base}${req.path ?? '/api/v1/snapshots'}`, { method, headers, body });
}

function contextFor(node: string): CaseContext {
  // Each snapshot a second after the previous one of this case, ending a little before now.
  let next = Date.now() - 120_000;
  let seq = 0;
  const ctx: CaseContext = {
    node,
    tokens,
    vars: new Map(),
    snapshot: (options = {}) => calicoNodeSnapshot({ node: options.node ?? node, takenAt: new Date((next += 1000)), seq: seq++, proxyArp: options.proxyArp }),
    async accept(snapshot: Snapshot) {
      const answer = await send({ json: snapshot }, ctx);
      if (answer.status >= 300) throw new Error(`setup snapshot refused with ${answer.status}: ${answer.text}`);
    },
  };
  return ctx;
}

describe('bad input: the API answers clearly, stores nothing, and stays up', () => {
  const all = Object.values(BAD_INPUT_AREAS).flat();

  it('has at least 90 cases', () => {
    expect(all.length).toBeGreaterThanOrEqual(90);
  });

  for (const [area, cases] of Object.entries(BAD_INPUT_AREAS)) {
    describe(area, () => {
      it.each(cases.map((c) => [c.name, c] as [string, BadInputCase]))('%s', async (_name, c) => {
        const ctx = contextFor(`bi-${++caseNumber}`);
        await c.setup?.(ctx);
        const req = c.request(ctx);
        const before = await rows.counts();
        const answer = await send(req, ctx);
        const after = await rows.counts();
        const detailPaths = Array.isArray(answer.json?.details) ? (answer.json.details as Array<{ path: string; message: string }>) : [];
        const named = c.expect.path === undefined ? undefined : detailPaths.find((d) => d.path === c.expect.path);

        // One object, so a failure shows the whole answer.
        expect({
          status: answer.status,
          ...(c.expect.error === undefined ? {} : { error: answer.json?.error }),
          ...(c.expect.path === undefined ? {} : { namesPath: named !== undefined }),
          ...(c.expect.message === undefined ? {} : { message: c.expect.message.test(String(answer.json?.message)) || c.expect.message.test(named?.message ?? '') }),
          hasMessage: answer.status < 300 || typeof answer.json?.message === 'string',
          rowsChanged: JSON.stringify(after) !== JSON.stringify(before),
          answer: answer.text.slice(0, 600),
        }).toEqual({
          status: c.expect.status,
          ...(c.expect.error === undefined ? {} : { error: c.expect.error }),
          ...(c.expect.path === undefined ? {} : { namesPath: true }),
          ...(c.expect.message === undefined ? {} : { message: true }),
          hasMessage: true,
          rowsChanged: c.expect.stores ?? false,
          answer: answer.text.slice(0, 600),
        });
        // Still alive and serving.
        expect(api.alive).toBe(true);
        expect((await fetch(`${api.base}/healthz`)).status).toBe(200);
      });
    });
  }
});

describe('after every bad-input case', () => {
  it('the API logged no internal error', () => {
    // The REST filter and the request gate log only unexpected errors (JSON lines, `context` names the logger).
    expect(api.log).not.toMatch(/internal error|"context":"(REST|HTTP)"/);
  });
});
