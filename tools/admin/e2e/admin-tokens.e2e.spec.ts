import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@routescope/testing';
import { secret, startApi, workspaceRoot, type ApiProcess } from './support/api-process';

// routescope-admin as an operator runs it (node tools/admin/bin/routescope-admin.mjs, a real
// process) against the built API (a real process) on a fresh PostgreSQL database.

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function admin(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('ROUTESCOPE_TOKEN' in env)) delete childEnv['ROUTESCOPE_TOKEN'];
  delete childEnv['ROUTESCOPE_SERVER'];
  const child = spawn(process.execPath, [join(workspaceRoot, 'tools/admin/bin/routescope-admin.mjs'), ...args], { cwd: workspaceRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function readsWith(api: ApiProcess, token: string): Promise<string> {
  const response = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ nodes { totalCount } }' }),
  });
  const body = (await response.json()) as { errors?: Array<{ extensions?: { reason?: string } }> };
  return body.errors?.[0]?.extensions?.reason ?? 'ok';
}

describe('routescope-admin tokens against the API [postgres]', () => {
  let api: ApiProcess;
  let dataDir: string;
  const tokens = { ingest: secret('ingest'), read: secret('read'), admin: secret('admin') };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'rs-admin-e2e-'));
    api = await startApi({ ROUTESCOPE_INGEST_TOKEN: tokens.ingest, ROUTESCOPE_READ_TOKEN: tokens.read, ROUTESCOPE_ADMIN_TOKEN: tokens.admin, ROUTESCOPE_DATA_DIR: dataDir });
  });
  afterAll(async () => {
    await api?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const as = (args: string[]) => admin([...args, '--server', api.url, '--token', tokens.admin]);

  it('creates, lists, rotates and revokes a token; each secret works until it is revoked', async () => {
    const created = await as(['tokens', 'create', 'grafana', '--scopes', 'read', '--expires', '90d', '--json']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const token = JSON.parse(created.stdout) as { name: string; scopes: string[]; expiresAt: string; secret: string };
    expect(token).toMatchObject({ name: 'grafana', scopes: ['read'] });
    expect(Date.parse(token.expiresAt)).toBeGreaterThan(Date.now() + 89 * 86_400_000);
    expect(await readsWith(api, token.secret)).toBe('ok');

    const listed = await as(['tokens', 'list']);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+SCOPES\s+CREATED\s+EXPIRES\s+LAST USED\s+REVOKED$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['env-ingest', 'env-read', 'env-admin', 'grafana']);
    expect(listed.stdout).not.toContain(token.secret);

    const rotated = await as(['tokens', 'rotate', 'grafana']);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/^rotated token "grafana" \(read\), expires \S+\nsecret \(shown once, store it now\): rs_read_\S+\n$/);
    const second = /secret \(shown once, store it now\): (\S+)/.exec(rotated.stdout)![1];
    expect(await readsWith(api, token.secret)).toBe('REVOKED_TOKEN');
    expect(await readsWith(api, second)).toBe('ok');

    const revoked = await as(['tokens', 'revoke', 'grafana']);
    expect(revoked).toMatchObject({ code: 0, stderr: '' });
    expect(revoked.stdout).toMatch(/^revoked token "grafana" at \d{4}-\d\d-\d\dT/);
    expect(await readsWith(api, second)).toBe('REVOKED_TOKEN');

    const json = JSON.parse((await as(['tokens', 'list', '--json'])).stdout) as Array<{ name: string; revokedAt: string | null }>;
    expect(json.filter((t) => t.name === 'grafana').map((t) => t.revokedAt !== null)).toEqual([true, true]);
  });

  it('says in one line why the API refused, with exit code 1', async () => {
    const again = await as(['tokens', 'revoke', 'nobody']);
    expect(again).toMatchObject({ code: 1, stdout: '' });
    expect(again.stderr).toMatch(/^routescope-admin: no active token is called "nobody" .*\(TOKEN_NOT_FOUND\)\n$/);

    expect((await as(['tokens', 'create', 'dup', '--scopes', 'ingest'])).code).toBe(0);
    const taken = await as(['tokens', 'create', 'dup', '--scopes', 'read']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/^routescope-admin: a token called "dup" already exists and is not revoked.*\(TOKEN_NAME_TAKEN\)\n$/);

    const notAdmin = await admin(['tokens', 'list', '--server', api.url], { ROUTESCOPE_TOKEN: tokens.read });
    expect(notAdmin).toMatchObject({ code: 1, stderr: 'routescope-admin: token "env-read" lacks the "admin" scope (INSUFFICIENT_SCOPE)\n' });

    const closed = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await admin(['tokens', 'list', '--server', closed, '--token', tokens.admin]);
    expect(unreachable).toMatchObject({ code: 1, stderr: `routescope-admin: cannot reach the API at ${closed} (ECONNREFUSED)\n` });
  });

  it('reads the admin token from --token-file and refuses a wrong command line with exit code 2', async () => {
    const file = join(dataDir, 'admin-token');
    await writeFile(file, `${tokens.admin}\n`, { mode: 0o600 });
    const listed = await admin(['tokens', 'list', '--json', '--server', api.url, '--token-file', file]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'env-admin', scopes: ['admin'] })]));

    expect(await admin(['tokens', 'create', 'x', '--scopes', 'write', '--server', api.url, '--token', tokens.admin])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'routescope-admin: --scopes: "write" is not a scope (ingest, read, triage, probe, probe-runner, admin)\n',
    });
    expect(await admin(['tokens', 'list', '--server', api.url, '--token-file', join(dataDir, 'missing')])).toEqual({
      code: 2,
      stdout: '',
      stderr: `routescope-admin: --token-file: cannot read ${join(dataDir, 'missing')} (ENOENT)\n`,
    });
  });
});

describe('routescope-admin nodes reset-head against the API [postgres]', () => {
  let api: ApiProcess;
  let dataDir: string;
  const tokens = { ingest: secret('ingest'), read: secret('read'), admin: secret('admin') };
  const bootId = randomUUID();
  let seq = 0;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'rs-admin-e2e-'));
    api = await startApi({ ROUTESCOPE_INGEST_TOKEN: tokens.ingest, ROUTESCOPE_READ_TOKEN: tokens.read, ROUTESCOPE_ADMIN_TOKEN: tokens.admin, ROUTESCOPE_DATA_DIR: dataDir });
  });
  afterAll(async () => {
    await api?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** One host link whose MTU is the only thing that changes between posts. */
  async function post(takenAt: Date, mtu: number): Promise<{ status: number; body: { status: string } }> {
    const snapshot = {
      schemaVersion: 1,
      snapshotId: randomUUID(),
      node: 'node-repair',
      collector: { version: 'e2e', bootId, seq: seq++, source: 'collect' },
      takenAt: takenAt.toISOString(),
      namespaces: [{ kind: 'host', name: 'host', links: [{ name: 'eth0', ifindex: 2, kind: 'device', mtu, operState: 'UP', flags: ['UP'] }] }],
      warnings: [],
    };
    const response = await fetch(`${api.url}/api/v1/snapshots`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.ingest}` },
      body: JSON.stringify(snapshot),
    });
    return { status: response.status, body: (await response.json()) as { status: string } };
  }

  it('rolls a node back to an instant: what was true then is current again, and the next snapshot after it is in order', async () => {
    const now = Date.now();
    const first = new Date(now - 10 * 60_000);
    const second = new Date(now - 5 * 60_000);
    expect((await post(first, 1500)).status).toBe(201);
    expect((await post(second, 1400)).status).toBe(201);

    const to = new Date(now - 7 * 60_000);
    const reset = await admin(['nodes', 'reset-head', '--node', 'node-repair', '--to', to.toISOString(), '--json', '--server', api.url, '--token', tokens.admin]);
    expect(reset).toMatchObject({ code: 0, stderr: '' });
    const result = JSON.parse(reset.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ node: 'node-repair', removed: false, snapshotsDeleted: 1, factsDeleted: 1, factsReopened: 1 });
    expect(Date.parse(String(result['previousHead']))).toBe(second.getTime());
    expect(Date.parse(String(result['head']))).toBe(to.getTime());

    // The head is back at `to`: a snapshot between `to` and the old head is new history, not a late one.
    expect(await post(new Date(now - 6 * 60_000), 1450)).toEqual({ status: 201, body: expect.objectContaining({ status: 'changed' }) });
  });

  it('says which node is unknown, with exit code 1', async () => {
    const unknown = await admin(['nodes', 'reset-head', '--node', 'no-such-node', '--to', new Date().toISOString(), '--server', api.url, '--token', tokens.admin]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^routescope-admin: .*no-such-node.*\n$/);
  });
});
