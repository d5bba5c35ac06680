import { startApiTestApp, testDatabaseKinds, type ApiTestApp } from '../../test/api-test-app';

// A request that no route of its method takes is answered for what it is — a method the path does
// not answer (405, with Allow) or a path that does not exist (404) — whether or not it carries a
// body; never "payload too large" for a one-line body.

const [kind] = testDatabaseKinds();

describe(`the HTTP edge for methods and paths no route takes [${kind}]`, () => {
  let t: ApiTestApp;
  let base: string;
  beforeAll(async () => {
    t = await startApiTestApp(kind!);
    base = await t.app.getUrl();
  });
  afterAll(async () => {
    await t?.close();
  });

  const send = async (method: string, path: string, body?: string) => {
    const response = await fetch(`${base.replace('[::1]', '127.0.0.1')}${path}`, {
      method,
      headers: { authorization: `Bearer ${t.tokens.ingest}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body,
    });
    return { status: response.status, allow: response.headers.get('allow'), body: (await response.json()) as { error: string; message: string } };
  };

  it('answers PUT with a body to the ingest route 405 naming the method, with Allow: POST', async () => {
    expect(await send('PUT', '/api/v1/snapshots', '{"schemaVersion":1}')).toEqual({
      status: 405,
      allow: 'POST',
      body: { error: 'METHOD_NOT_ALLOWED', message: 'PUT /api/v1/snapshots: this route answers POST only' },
    });
  });

  it('answers the same without a body, and for GET', async () => {
    expect(await send('DELETE', '/api/v1/snapshots')).toMatchObject({ status: 405, allow: 'POST', body: { error: 'METHOD_NOT_ALLOWED' } });
    expect(await send('GET', '/api/v1/snapshots')).toMatchObject({ status: 405, allow: 'POST', body: { message: 'GET /api/v1/snapshots: this route answers POST only' } });
  });

  it('answers POST with a body to a GET route 405 with Allow: GET, HEAD', async () => {
    expect(await send('POST', '/healthz', '{"a":1}')).toEqual({ status: 405, allow: 'GET, HEAD', body: { error: 'METHOD_NOT_ALLOWED', message: 'POST /healthz: this route answers GET, HEAD only' } });
  });

  it('answers a body sent to a path that does not exist 404 naming the method and path', async () => {
    expect(await send('POST', '/api/v1/snapshot', '{"schemaVersion":1}')).toEqual({ status: 404, allow: null, body: { error: 'ROUTE_NOT_FOUND', message: 'POST /api/v1/snapshot: no such route' } });
  });

  it('answers a browser that opens /graphql as an API, not with a GraphQL playground page', async () => {
    // Apollo's default under NODE_ENV other than production is a playground page whose scripts
    // come from a CDN (unreachable offline); the API serves no landing page whatever NODE_ENV is.
    const response = await fetch(`${base.replace('[::1]', '127.0.0.1')}/graphql`, { headers: { authorization: `Bearer ${t.tokens.read}`, accept: 'text/html' } });
    const body = await response.text();
    expect(response.headers.get('content-type')).not.toMatch(/html/);
    expect(body).not.toMatch(/<html|playground/i);
    expect(response.status).toBe(400);
  });

  it('still serves the routes for their own methods', async () => {
    expect((await send('GET', '/healthz')).status).toBe(200);
  });
});
