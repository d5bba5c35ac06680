import type { Fact } from './fact-normaliser';
import { indexByNamespace, NamespaceFactIndex } from './namespace-fact-index';

const fact = (ns: string, kind: Fact['kind'], key: string, attrs: Fact['attrs'] = {}): Fact => ({ ns, kind, key, attrs });

describe('indexByNamespace', () => {
  it('files each fact under its namespace and kind, namespaces in order of first appearance', () => {
    const facts = [
      fact('host', 'netns', 'host', { captured: ['links'] }),
      fact('pod:a', 'address', 'eth0|10.0.0.2/32', { local: '10.0.0.2' }),
      fact('host', 'link', 'eth0', { mtu: 1500 }),
      fact('host', 'route', 'main|inet|unicast|0.0.0.0/0|0'),
      fact('host', 'neighbor', 'eth0|10.0.0.1'),
      fact('host', 'sysctl', 'net/ipv4/ip_forward', { value: '1' }),
      fact('pod:a', 'address', 'eth0|fd00::2/128', { local: 'fd00::2' }),
    ];
    const index = indexByNamespace(facts, (ns) => new NamespaceFactIndex(ns));
    expect([...index.keys()]).toEqual(['host', 'pod:a']);
    const host = index.get('host') as NamespaceFactIndex;
    expect(host.netns?.attrs).toEqual({ captured: ['links'] });
    expect([...host.links.keys()]).toEqual(['eth0']);
    expect(host.routes.map((r) => r.key)).toEqual(['main|inet|unicast|0.0.0.0/0|0']);
    expect([...host.neighbors.keys()]).toEqual(['eth0|10.0.0.1']);
    expect(host.sysctls.get('net/ipv4/ip_forward')?.attrs.value).toBe('1');
    expect(index.get('pod:a')?.addresses.map((a) => a.attrs.local)).toEqual(['10.0.0.2', 'fd00::2']);
  });

  it('builds each namespace with the caller’s subclass, adding to a map it is given', () => {
    class Labelled extends NamespaceFactIndex {
      label = `ns ${this.ns}`;
    }
    const into = new Map<string, Labelled>([['host', new Labelled('host')]]);
    indexByNamespace([fact('host', 'link', 'lo'), fact('pod:b', 'link', 'eth0')], (ns) => new Labelled(ns), into);
    expect([...into.values()].map((n) => [n.label, [...n.links.keys()]])).toEqual([
      ['ns host', ['lo']],
      ['ns pod:b', ['eth0']],
    ]);
  });
});
