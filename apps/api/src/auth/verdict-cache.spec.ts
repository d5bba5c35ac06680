import { VerdictCache } from './verdict-cache';

const verdict = (tokenId: number, until = 10_000) => ({ principal: { tokenId, tokenName: `t${tokenId}`, scopes: ['read' as const] }, until, lastUseWritten: 0 });

describe('VerdictCache', () => {
  it('evicts the least recently used verdict beyond its capacity', () => {
    const cache = new VerdictCache(2);
    cache.set('a', verdict(1));
    cache.set('b', verdict(2));
    expect(cache.get('a', 0)?.principal.tokenId).toBe(1); // a is now the most recent
    cache.set('c', verdict(3));
    expect(cache.size).toBe(2);
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 0)?.principal.tokenId).toBe(1);
    expect(cache.get('c', 0)?.principal.tokenId).toBe(3);
  });

  it('stops trusting a verdict at its time and drops it', () => {
    const cache = new VerdictCache(10);
    cache.set('a', verdict(1, 5000));
    expect(cache.get('a', 4999)).toBeDefined();
    expect(cache.get('a', 5000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('forgets every verdict of a revoked token, and only those', () => {
    const cache = new VerdictCache(10);
    cache.set('a', verdict(1));
    cache.set('b', verdict(2));
    cache.forgetToken(1);
    expect(cache.get('a', 0)).toBeUndefined();
    expect(cache.get('b', 0)).toBeDefined();
  });
});
