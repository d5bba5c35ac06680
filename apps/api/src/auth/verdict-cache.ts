import type { Principal } from './scopes';

export interface CachedVerdict {
  principal: Principal;
  /** trusted until then (ms since epoch): the TTL, or the token's expiry when sooner */
  until: number;
  /** when this replica last wrote the token's lastUsedAt (ms since epoch) */
  lastUseWritten: number;
}

/**
 * Verdicts for VALID tokens only, keyed by the token's hash, at most `capacity` of them, least
 * recently used evicted first: an invalid token is answered by the database every time and
 * costs no memory (a flood of random tokens used to grow a Map without bound: 50,000 of them
 * kept 43 MB). A Map iterates in insertion order, so re-inserting on a hit keeps the oldest first.
 */
export class VerdictCache {
  private readonly entries = new Map<string, CachedVerdict>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The verdict for `tokenHash` if it is still trusted at `now`. */
  get(tokenHash: string, now: number): CachedVerdict | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    this.entries.delete(tokenHash);
    if (entry.until <= now) return undefined;
    this.entries.set(tokenHash, entry);
    return entry;
  }

  set(tokenHash: string, verdict: CachedVerdict): void {
    this.entries.delete(tokenHash);
    this.entries.set(tokenHash, verdict);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Drops every verdict of the token with this id (it was revoked or rotated). */
  forgetToken(tokenId: number): void {
    for (const [hash, entry] of this.entries) if (entry.principal.tokenId === tokenId) this.entries.delete(hash);
  }

  clear(): void {
    this.entries.clear();
  }
}
