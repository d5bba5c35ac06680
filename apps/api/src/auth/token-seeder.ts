import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiConfig } from '../config/api-config';
import type { Scope } from './scopes';
import { generateToken, hashToken } from './token-hash';
import type { TokenRepository } from './token.repository';

export const TOKEN_FILE = 'tokens.json';

const SEEDS: Array<{ name: string; key: keyof ApiConfig['seedTokens']; scopes: Scope[] }> = [
  { name: 'env-ingest', key: 'ingest', scopes: ['ingest'] },
  { name: 'env-read', key: 'read', scopes: ['read'] },
  { name: 'env-admin', key: 'admin', scopes: ['admin'] },
];

export interface SeedOutcome {
  /** where generated tokens were written, when they were. */
  tokenFile?: string;
  tokens?: Record<'ingest' | 'read' | 'admin', string>;
}

/**
 * Tokens come from ROUTESCOPE_{INGEST,READ,ADMIN}_TOKEN when set (stored hashed). With none
 * set and no token in the database (a first quick start), three are generated and written,
 * readable only by their owner, to the data folder; later starts read them from there.
 */
export async function seedTokens(config: ApiConfig, tokens: TokenRepository): Promise<SeedOutcome> {
  const fromEnv = SEEDS.filter((s) => config.seedTokens[s.key]);
  for (const seed of fromEnv) await tokens.upsert(seed.name, hashToken(config.seedTokens[seed.key] as string), seed.scopes);
  if (fromEnv.length > 0) return {};

  const tokenFile = join(config.database.dataDir, TOKEN_FILE);
  const existing = await readFile(tokenFile, 'utf8').then((t) => JSON.parse(t) as SeedOutcome['tokens'], () => undefined);
  if (existing) {
    // The file and the database agree unless someone replaced one of them: re-seed from the file.
    for (const seed of SEEDS) await tokens.upsert(`generated-${seed.key}`, hashToken(existing[seed.key]), seed.scopes);
    return { tokenFile, tokens: existing };
  }
  if ((await tokens.count()) > 0) return {};
  const generated = { ingest: generateToken('ingest'), read: generateToken('read'), admin: generateToken('admin') };
  for (const seed of SEEDS) await tokens.upsert(`generated-${seed.key}`, hashToken(generated[seed.key]), seed.scopes);
  await mkdir(config.database.dataDir, { recursive: true });
  await writeFile(tokenFile, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600 });
  await chmod(tokenFile, 0o600);
  return { tokenFile, tokens: generated };
}
