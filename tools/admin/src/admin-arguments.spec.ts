import { parseAdminArguments } from './admin-arguments';
import { UsageError } from './admin-errors';
import { COMMANDS } from './commands';
import { formatTable } from './commands/tokens';

const ENV = { ROUTESCOPE_TOKEN: 'rs_admin_from_env_0123456789' };
const parse = (argv: string[], env: Record<string, string> = ENV) => parseAdminArguments(argv, COMMANDS, env);
const usageError = (argv: string[], env: Record<string, string> = ENV): string => {
  try {
    parse(argv, env);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
};

describe('routescope-admin command line', () => {
  it('finds the command, its arguments, the server and the token', () => {
    const line = parse(['tokens', 'create', 'grafana', '--scopes', 'read,ingest', '--server', 'https://rs.example:8443/', '--json']);
    expect(line.command?.path).toEqual(['tokens', 'create']);
    expect(line.args).toEqual({ name: 'grafana', scopes: ['read', 'ingest'], expiresAt: undefined });
    expect(line).toMatchObject({ server: 'https://rs.example:8443', json: true, token: { value: ENV.ROUTESCOPE_TOKEN } });
  });

  it('takes the server from $ROUTESCOPE_SERVER, the token from --token or --token-file before the environment', () => {
    expect(parse(['tokens', 'list'], { ...ENV, ROUTESCOPE_SERVER: 'http://api:4000' }).server).toBe('http://api:4000');
    expect(parse(['tokens', 'list', '--token', 'rs_given']).token).toEqual({ value: 'rs_given' });
    expect(parse(['tokens', 'list', '--token-file=/run/secrets/admin']).token).toEqual({ file: '/run/secrets/admin' });
  });

  it('reads --expires as an instant or a duration from now', () => {
    const line = parse(['tokens', 'create', 'x', '--scopes', 'read', '--expires', '2027-01-01T00:00:00Z']);
    expect((line.args as { expiresAt: Date }).expiresAt.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    const before = Date.now();
    const relative = (parse(['tokens', 'create', 'x', '--scopes', 'read', '--expires', '90d']).args as { expiresAt: Date }).expiresAt.getTime();
    expect(relative - before).toBeGreaterThanOrEqual(90 * 86_400_000);
    expect(relative - before).toBeLessThan(90 * 86_400_000 + 60_000);
  });

  it.each([
    [['frobnicate'], 'unknown command "frobnicate" (try: tokens, nodes)'],
    [['tokens', 'delete', 'x'], 'unknown command "tokens delete" (try: tokens create, tokens list, tokens revoke, tokens rotate)'],
    [['tokens', 'create', 'x'], '--scopes: missing'],
    [['tokens', 'create', '--scopes', 'read'], 'NAME: missing'],
    [['tokens', 'create', 'x', '--scopes', 'read,write'], '--scopes: "write" is not a scope (ingest, read, triage, probe, probe-runner, admin)'],
    [['tokens', 'create', 'x', '--scopes', 'read', '--expires', 'tomorrow'], '--expires: "tomorrow" is neither an ISO 8601 date-time (2027-01-01T00:00:00Z) nor a duration (12h, 90d)'],
    [['tokens', 'create', 'x', '--scopes', 'read', '--expires', '2027-01-01T00:00:00'], '--expires: "2027-01-01T00:00:00" is not an ISO 8601 date-time with a zone, e.g. 2026-12-06T09:00:00Z'],
    [['tokens', 'revoke'], 'NAME: missing'],
    [['tokens', 'revoke', 'a', 'b'], 'unexpected argument "b"'],
    [['tokens', 'list', '--colour'], 'unknown option --colour for "tokens list"'],
    [['tokens', 'list', '--server'], '--server: missing its value (URL)'],
    [['tokens', 'list', '--server', 'ftp://x'], '--server: "ftp://x" is not an http(s) URL'],
    [['tokens', 'list', '--json', '--json'], '--json: given twice'],
    [['tokens', 'list', '--token', 'a', '--token-file', 'b'], '--token and --token-file: give one of them'],
  ])('%j is refused: %s', (argv, message) => {
    expect(usageError(argv)).toBe(message);
  });

  it('wants an admin token from somewhere', () => {
    expect(usageError(['tokens', 'list'], {})).toBe('an admin token is required: --token T, --token-file FILE or $ROUTESCOPE_TOKEN');
  });

  it('shows help without needing a token', () => {
    expect(parse(['--help'], {})).toMatchObject({ help: true });
    expect(parse(['tokens', 'create', '--help'], {})).toMatchObject({ help: true, command: { path: ['tokens', 'create'] } });
  });

  describe('nodes reset-head', () => {
    it('takes the node and the instant', () => {
      const line = parse(['nodes', 'reset-head', '--node', 'node-a', '--to', '2026-12-06T09:00:00+01:00']);
      expect(line.command?.path).toEqual(['nodes', 'reset-head']);
      expect(line.args).toEqual({ node: 'node-a', to: new Date('2026-12-06T08:00:00.000Z') });
    });

    it.each([
      [['nodes', 'reset-head', '--to', '2026-12-06T09:00:00Z'], '--node: missing'],
      [['nodes', 'reset-head', '--node', 'node-a'], '--to: missing'],
      [['nodes', 'reset-head', '--node', 'node-a', '--to', 'yesterday'], '--to: "yesterday" is not an ISO 8601 date-time with a zone, e.g. 2026-12-06T09:00:00Z'],
      [['nodes', 'reset-head', '--node', 'node-a', '--to', '2026-13-45T09:00:00Z'], '--to: "2026-13-45T09:00:00Z" is not an ISO 8601 date-time with a zone, e.g. 2026-12-06T09:00:00Z'],
      [['nodes', 'reset-head', 'node-a', '--to', '2026-12-06T09:00:00Z'], 'unexpected argument "node-a"'],
    ])('%j is refused: %s', (argv, message) => {
      expect(usageError(argv)).toBe(message);
    });
  });
});

describe('tokens list output', () => {
  it('is a table with a dash where there is no time', () => {
    const table = formatTable([
      { name: 'env-read', scopes: ['read'], createdAt: '2026-12-06T09:00:00.000Z', expiresAt: null, lastUsedAt: '2026-12-06T09:05:00.000Z', revokedAt: null },
      { name: 'ci', scopes: ['ingest', 'read'], createdAt: '2026-12-06T09:01:00.000Z', expiresAt: '2027-01-01T00:00:00.000Z', lastUsedAt: null, revokedAt: '2026-12-06T09:02:00.000Z' },
    ]);
    expect(table.split('\n')).toEqual([
      'NAME      SCOPES       CREATED                   EXPIRES                   LAST USED                 REVOKED',
      'env-read  read         2026-12-06T09:00:00.000Z  -                         2026-12-06T09:05:00.000Z  -',
      'ci        ingest,read  2026-12-06T09:01:00.000Z  2027-01-01T00:00:00.000Z  -                         2026-12-06T09:02:00.000Z',
    ]);
  });
});
