import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { ApiConfig } from '../config/api-config';
import type { AuthService } from './auth.service';
import type { Scope } from './scopes';
import { generateToken, type TokenHasher } from './token-hash';
import type { TokenRepository } from './token.repository';

export const TOKEN_FILE = 'tokens.json';

type SeedKey = 'ingest' | 'read' | 'admin';

const SEEDS: Array<{ key: SeedKey; variable: string; scopes: Scope[] }> = [
  { key: 'ingest', variable: 'ROUTESCOPE_INGEST_TOKEN', scopes: ['ingest'] },
  { key: 'read', variable: 'ROUTESCOPE_READ_TOKEN', scopes: ['read'] },
  { key: 'admin', variable: 'ROUTESCOPE_ADMIN_TOKEN', scopes: ['admin'] },
];

export interface SeedOutcome {
  /** where generated tokens were written, when they were. */
  tokenFile?: string;
  tokens?: Record<SeedKey, string>;
}

export interface SeedDependencies {
  tokens: TokenRepository;
  hasher: TokenHasher;
  auth: AuthService;
}

/**
 * Tokens come from ROUTESCOPE_{INGEST,READ,ADMIN}_TOKEN when set (named env-ingest, env-read,
 * env-admin). With none set and no token in the database (a first quick start), three are
 * generated (generated-*) and written, readable only by their owner, to the data folder; later
 * starts read them from there. Either way, each start makes sure the value has its token:
 *  - a value whose token exists is left alone, revoked or not: revocation outlives restarts;
 *  - a new value (the variable was changed) revokes the previous token of that name and creates
 *    the new one under the same name, so changing the variable is how a seeded token is rotated.
 */
export async function seedTokens(config: ApiConfig, deps: SeedDependencies): Promise<SeedOutcome> {
  const fromEnv = SEEDS.filter((s) => config.seedTokens[s.key]);
  for (const seed of fromEnv) await ensureToken(deps, `env-${seed.key}`, config.seedTokens[seed.key] as string, seed.scopes, seed.variable);
  if (fromEnv.length > 0) return {};

  const tokenFile = join(config.database.dataDir, TOKEN_FILE);
  const existing = await readFile(tokenFile, 'utf8').then((t) => JSON.parse(t) as SeedOutcome['tokens'], () => undefined);
  if (existing) {
    for (const seed of SEEDS) await ensureToken(deps, `generated-${seed.key}`, existing[seed.key], seed.scopes, tokenFile);
    return { tokenFile, tokens: existing };
  }
  if ((await deps.tokens.count()) > 0) return {};
  const generated = { ingest: generateToken('ingest'), read: generateToken('read'), admin: generateToken('admin') };
  for (const seed of SEEDS) await ensureToken(deps, `generated-${seed.key}`, generated[seed.key], seed.scopes, tokenFile);
  await mkdir(config.database.dataDir, { recursive: true });
  await writeFile(tokenFile, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600 });
  await chmod(tokenFile, 0o600);
  return { tokenFile, tokens: generated };
}

async function ensureToken(deps: SeedDependencies, name: string, secret: string, scopes: Scope[], source: string): Promise<void> {
  const logger = new Logger('TokenSeeder');
  const found = await deps.auth.find(secret);
  if (found) {
    if (found.revokedAt) {
      logger.warn(`${source}: token "${found.name}" was revoked at ${found.revokedAt.toISOString()} and stays revoked; set a new value to get a new token`);
    } else if (found.name !== name) {
      logger.warn(`${source}: this value is already the token "${found.name}"; no "${name}" token is made from it`);
    }
    return;
  }
  const { previous } = await deps.tokens.replace(name, { name, tokenHash: deps.hasher.hash(secret), scopes });
  if (previous) {
    deps.auth.forgetToken(previous.id);
    logger.log(`${source} changed: the previous "${name}" token is revoked and a new one replaces it`);
  }
}
