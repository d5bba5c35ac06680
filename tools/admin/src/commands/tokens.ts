import { instant, positionals, requiredOption } from '../admin-arguments';
import { UsageError } from '../admin-errors';
import { defineCommand, type Output } from '../command';

// `routescope-admin tokens create|list|revoke|rotate`: the admin GraphQL API of apps/api/src/auth.

interface ApiToken {
  name: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface CreatedToken {
  token: ApiToken;
  secret: string;
}

const FIELDS = 'name scopes createdAt expiresAt lastUsedAt revokedAt';
const SCOPES = ['ingest', 'read', 'triage', 'probe', 'probe-runner', 'admin'];
/** GraphQL's TokenScope spells the scope `probe-runner` as `probe_runner` (enum names cannot hold "-"). */
const toEnum = (scope: string) => scope.replace(/-/g, '_');
const fromEnum = (scope: string) => scope.replace(/_/g, '-');
const DURATION = /^(\d+)(h|d)$/;

export const listTokens = defineCommand<Record<string, never>>({
  path: ['tokens', 'list'],
  synopsis: 'tokens list [--json]',
  summary: 'List every token (revoked ones too): name, scopes, created, expires, last used, revoked. Never a secret.',
  options: [],
  parse(line) {
    positionals(line, []);
    return {};
  },
  async run(_args, api, out) {
    const { tokens } = await api.request<{ tokens: ApiToken[] }>(`query { tokens { ${FIELDS} } }`);
    if (out.json) return out.data(tokens.map((t) => ({ ...t, scopes: t.scopes.map(fromEnum) })));
    out.line(formatTable(tokens));
  },
});

export const createToken = defineCommand<{ name: string; scopes: string[]; expiresAt?: Date }>({
  path: ['tokens', 'create'],
  synopsis: 'tokens create NAME --scopes read[,ingest,triage,admin] [--expires 2027-01-01T00:00:00Z|90d]',
  summary: 'Create a token; its secret is printed once and cannot be shown again.',
  options: [
    { name: 'scopes', value: 'LIST', description: 'comma-separated: ingest, read, triage, probe, probe-runner, admin' },
    { name: 'expires', value: 'WHEN', description: 'an ISO 8601 instant, or a duration from now: 12h, 90d (default: never)' },
  ],
  parse(line, now = new Date()) {
    const [name] = positionals(line, ['NAME']);
    const scopes = requiredOption(line, 'scopes')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = scopes.find((s) => !SCOPES.includes(s));
    if (unknown !== undefined || scopes.length === 0) throw new UsageError(`--scopes: "${unknown ?? ''}" is not a scope (${SCOPES.join(', ')})`);
    const expires = line.options.get('expires');
    return { name, scopes, expiresAt: expires === undefined ? undefined : expiry(expires, now) };
  },
  async run(args, api, out) {
    const { createToken: created } = await api.request<{ createToken: CreatedToken }>(
      `mutation($name: String!, $scopes: [TokenScope!]!, $expiresAt: DateTime) { createToken(name: $name, scopes: $scopes, expiresAt: $expiresAt) { secret token { ${FIELDS} } } }`,
      { name: args.name, scopes: args.scopes.map(toEnum), expiresAt: args.expiresAt?.toISOString() ?? null },
    );
    printCreated(out, created, 'created');
  },
});

export const revokeToken = defineCommand<{ name: string }>({
  path: ['tokens', 'revoke'],
  synopsis: 'tokens revoke NAME',
  summary: 'Revoke the active token called NAME: refused at once by the API replica that answers, by the others within the token cache TTL (at once with Redis).',
  options: [],
  parse(line) {
    const [name] = positionals(line, ['NAME']);
    return { name };
  },
  async run(args, api, out) {
    const { revokeToken: token } = await api.request<{ revokeToken: ApiToken }>(`mutation($name: String!) { revokeToken(name: $name) { ${FIELDS} } }`, { name: args.name });
    if (out.json) return out.data({ ...token, scopes: token.scopes.map(fromEnum) });
    out.line(`revoked token "${token.name}" at ${token.revokedAt}`);
  },
});

export const rotateToken = defineCommand<{ name: string }>({
  path: ['tokens', 'rotate'],
  synopsis: 'tokens rotate NAME',
  summary: 'Give the token called NAME a new secret (same scopes and expiry) and revoke the old one; the new secret is printed once.',
  options: [],
  parse(line) {
    const [name] = positionals(line, ['NAME']);
    return { name };
  },
  async run(args, api, out) {
    const { rotateToken: created } = await api.request<{ rotateToken: CreatedToken }>(`mutation($name: String!) { rotateToken(name: $name) { secret token { ${FIELDS} } } }`, { name: args.name });
    printCreated(out, created, 'rotated');
  },
});

function expiry(text: string, now: Date): Date {
  const duration = DURATION.exec(text);
  if (duration) {
    const amount = Number(duration[1]);
    if (amount === 0) throw new UsageError('--expires: a duration must be more than 0');
    return new Date(now.getTime() + amount * (duration[2] === 'h' ? 3_600_000 : 86_400_000));
  }
  if (/^\d/.test(text) && text.includes('T')) return instant('--expires', text);
  throw new UsageError(`--expires: "${text}" is neither an ISO 8601 date-time (2027-01-01T00:00:00Z) nor a duration (12h, 90d)`);
}

function printCreated(out: Output, created: CreatedToken, what: string): void {
  if (out.json) return out.data({ ...created.token, scopes: created.token.scopes.map(fromEnum), secret: created.secret });
  const t = created.token;
  out.line(`${what} token "${t.name}" (${t.scopes.map(fromEnum).join(', ')}), ${t.expiresAt ? `expires ${t.expiresAt}` : 'never expires'}`);
  out.line(`secret (shown once, store it now): ${created.secret}`);
}

export function formatTable(tokens: readonly ApiToken[]): string {
  const rows = [['NAME', 'SCOPES', 'CREATED', 'EXPIRES', 'LAST USED', 'REVOKED']];
  for (const t of tokens) rows.push([t.name, t.scopes.map(fromEnum).join(','), t.createdAt, t.expiresAt ?? '-', t.lastUsedAt ?? '-', t.revokedAt ?? '-']);
  const widths = rows[0].map((_, column) => Math.max(...rows.map((r) => r[column].length)));
  return rows.map((r) => r.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}
