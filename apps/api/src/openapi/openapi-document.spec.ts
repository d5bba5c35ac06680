import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeResultSchema } from '@routescope/probe';
import { heartbeatSchema, snapshotSchema } from '@routescope/snapshot';
import { startApiTestApp, type ApiTestApp } from '../../test/api-test-app';

/**
 * The committed OpenAPI document (apps/api/openapi.json) is the REST contract clients are
 * generated from: this suite starts the real app and compares what it serves at
 * /api/docs/openapi.json with the file. After an intended change, regenerate it with
 *   npx nx run api:openapi
 * and review its diff like any other change (npm run schema:check judges it against the release).
 */
const DOCUMENT_FILE = join(__dirname, '..', '..', 'openapi.json');
const UPDATE_COMMAND = 'npx nx run api:openapi';

describe('the OpenAPI document', () => {
  let api: ApiTestApp;
  let base: string;
  beforeAll(async () => {
    api = await startApiTestApp('pglite');
    base = await api.app.getUrl();
  });
  afterAll(() => api.close());

  it('served at /api/docs/openapi.json without a token equals the committed apps/api/openapi.json', async () => {
    const response = await fetch(`${base}/api/docs/openapi.json`);
    expect(response.status).toBe(200);
    const printed = `${JSON.stringify(await response.json(), null, 2)}\n`;
    if (process.env.ROUTESCOPE_UPDATE_OPENAPI === '1') writeFileSync(DOCUMENT_FILE, printed);
    let committed = '';
    try {
      committed = readFileSync(DOCUMENT_FILE, 'utf8');
    } catch {
      // reported below
    }
    if (committed !== printed) {
      throw new Error(`apps/api/openapi.json is out of date with the API.\nIf the change is intended, regenerate it:\n  ${UPDATE_COMMAND}\nand commit the file.`);
    }
  });

  it('documents every ingest status with the snapshot request schema taken from the zod contract', async () => {
    const document = (await (await fetch(`${base}/api/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema?: unknown }> }; responses: Record<string, { headers?: Record<string, unknown> }> }>>;
      components: { schemas: { Snapshot: { required: string[]; properties: Record<string, unknown>; additionalProperties?: unknown } } };
    };
    const ingest = document.paths['/api/v1/snapshots'].post;
    expect(Object.keys(ingest.responses).sort()).toEqual(['200', '201', '202', '400', '401', '403', '409', '413', '415', '429', '503']);
    expect(Object.keys(ingest.responses['429'].headers ?? {})).toEqual(['Retry-After']);
    expect(Object.keys(ingest.responses['503'].headers ?? {})).toEqual(['Retry-After']);
    expect(Object.keys(document.paths).sort()).toEqual(['/api/v1/heartbeats', '/api/v1/probes/next', '/api/v1/probes/{id}/result', '/api/v1/snapshots', '/healthz', '/readyz']);
    expect(ingest.requestBody?.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Snapshot' });
    const snapshot = document.components.schemas.Snapshot;
    expect(Object.keys(snapshot.properties).sort()).toEqual(Object.keys(snapshotSchema.shape).sort());
    expect(snapshot.additionalProperties).toBe(false);
  });

  it('documents the heartbeat route (contract v1.1) with its request schema taken from the zod contract', async () => {
    const document = (await (await fetch(`${base}/api/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema?: unknown }> }; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
      components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }>; additionalProperties?: unknown }> };
    };
    const heartbeat = document.paths['/api/v1/heartbeats'].post;
    expect(Object.keys(heartbeat.responses).sort()).toEqual(['200', '400', '401', '403', '409', '413', '415', '429', '503']);
    expect(heartbeat.requestBody?.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Heartbeat' });
    expect(heartbeat.responses['200'].content?.['application/json'].schema).toEqual({ $ref: '#/components/schemas/HeartbeatResult' });
    expect(Object.keys(document.components.schemas.Heartbeat.properties).sort()).toEqual(Object.keys(heartbeatSchema.shape).sort());
    expect(document.components.schemas.Heartbeat.additionalProperties).toBe(false);
    expect(document.components.schemas.HeartbeatResult.properties.status.enum).toEqual(['unchanged', 'duplicate', 'resend']);
    expect(Object.keys(document.components.schemas.IngestResult.properties)).toContain('stateHash');
  });

  it('documents the probe channel with the job and result schemas taken from the probe contract', async () => {
    const document = (await (await fetch(`${base}/api/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema?: unknown }> }; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const next = document.paths['/api/v1/probes/next'].get;
    expect(Object.keys(next.responses).sort()).toEqual(['200', '204', '400', '401', '403', '429', '503']);
    expect(next.responses['200'].content?.['application/json'].schema).toEqual({ $ref: '#/components/schemas/ProbeJob' });
    const result = document.paths['/api/v1/probes/{id}/result'].post;
    expect(Object.keys(result.responses).sort()).toEqual(['204', '400', '401', '403', '404', '409', '413', '415', '429', '503']);
    expect(result.requestBody?.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ProbeResult' });
    expect(Object.keys(document.components.schemas.ProbeResult.properties).sort()).toEqual(Object.keys(probeResultSchema.shape).sort());
  });

  it('serves Swagger UI at /api/docs without a token, its scripts from the API itself (no CDN)', async () => {
    const page = await fetch(`${base}/api/docs`);
    expect(page.status).toBe(200);
    // Its scripts must load over plain HTTP too (behind an HTTP ingress): no upgrade to HTTPS.
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(page.headers.get('content-security-policy')).not.toMatch(/upgrade-insecure-requests/);
    const html = await page.text();
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      expect(src).not.toMatch(/^(https?:)?\/\//);
      const asset = await fetch(new URL(src, `${base}/api/docs/`));
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/javascript/);
      // read to the end: a body left unread keeps its connection busy, and closing the app then
      // waits out the GraphQL server's 10 s drain
      expect((await asset.text()).length).toBeGreaterThan(0);
    }
  });
});
