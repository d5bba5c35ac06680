import type { Fact } from '@routescope/snapshot';
import { diffFacts } from './fact-diff';

const route = (key: string, attrs: Fact['attrs']): Fact => ({ ns: 'host', kind: 'route', key, attrs });

describe('fact diff', () => {
  it('reports added, removed and changed facts, with before and after', () => {
    const before = [route('a', { dev: 'eth0' }), route('b', { dev: 'eth0' }), route('c', { dev: 'eth0' })];
    const after = [route('a', { dev: 'eth0' }), route('b', { dev: 'eth1' }), route('d', { dev: 'eth0' })];
    expect(diffFacts(before, after)).toEqual([
      { change: 'changed', ns: 'host', kind: 'route', key: 'b', before: { dev: 'eth0' }, after: { dev: 'eth1' } },
      { change: 'removed', ns: 'host', kind: 'route', key: 'c', before: { dev: 'eth0' } },
      { change: 'added', ns: 'host', kind: 'route', key: 'd', after: { dev: 'eth0' } },
    ]);
  });

  it('sees no change when only the order of attributes differs', () => {
    expect(diffFacts([route('a', { dev: 'eth0', scope: 'link' })], [route('a', { scope: 'link', dev: 'eth0' })])).toEqual([]);
  });

  it('keeps the same key in different namespaces apart', () => {
    const pod: Fact = { ns: 'pod:x', kind: 'route', key: 'a', attrs: { dev: 'eth0' } };
    expect(diffFacts([route('a', { dev: 'eth0' })], [pod]).map((c) => `${c.change} ${c.ns}`)).toEqual(['removed host', 'added pod:x']);
  });
});
