// Facts as an SRE reads them: one line in the spirit of `ip route`, `ip addr`, `ip neigh`,
// `ip link` and `sysctl`, built from the normalised attributes (libs/snapshot/README.md).

export type FactKindName = 'NETNS' | 'LINK' | 'ADDRESS' | 'ROUTE' | 'NEIGHBOR' | 'SYSCTL';
export type Attributes = Record<string, unknown>;

export const KIND_LABELS: Record<FactKindName, string> = {
  NETNS: 'namespace',
  LINK: 'link',
  ADDRESS: 'address',
  ROUTE: 'route',
  NEIGHBOR: 'neighbour',
  SYSCTL: 'sysctl',
};

function str(value: unknown): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.map((v) => str(v) ?? '').filter(Boolean) : [];
}

function words(parts: Array<string | false | undefined>): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join(' ');
}

export function formatRoute(a: Attributes): string {
  const type = str(a.type);
  const hops = Array.isArray(a.nexthops) ? (a.nexthops as Attributes[]) : [];
  return words([
    type && type !== 'unicast' && type,
    // as ip(8) prints them: `default`, and host routes without /32 or /128
    str(a.dst)?.replace(/^0\.0\.0\.0\/0$|^::\/0$/, 'default').replace(/^([0-9.]+)\/32$|^([0-9a-f:]+)\/128$/i, '$1$2'),
    str(a.gateway) && `via ${str(a.gateway)}`,
    str(a.dev) && `dev ${str(a.dev)}`,
    str(a.table) && str(a.table) !== 'main' && `table ${str(a.table)}`,
    str(a.protocol) && str(a.protocol) !== 'boot' && `proto ${str(a.protocol)}`,
    str(a.scope) && str(a.scope) !== 'global' && `scope ${str(a.scope)}`,
    str(a.prefsrc) && `src ${str(a.prefsrc)}`,
    a.metric !== undefined && a.metric !== 0 && `metric ${str(a.metric)}`,
    str(a.tos) && `tos ${str(a.tos)}`,
    str(a.pref) && `pref ${str(a.pref)}`,
    a.mtu !== undefined && a.mtu !== null && `mtu ${str(a.mtu)}`,
    ...list(a.flags),
    ...hops.map((h) => words(['nexthop', str(h.gateway) && `via ${str(h.gateway)}`, str(h.dev) && `dev ${str(h.dev)}`, `weight ${str(h.weight) ?? '1'}`, ...list(h.flags)])),
  ]);
}

export function formatLink(name: string, a: Attributes): string {
  const peer = str(a.peerName) ? `@${str(a.peerName)}` : a.peerIfindex !== undefined && a.peerIfindex !== null ? `@if${str(a.peerIfindex)}` : '';
  const vxlan = a.vxlan && typeof a.vxlan === 'object' ? (a.vxlan as Attributes) : undefined;
  return words([
    `${name}${peer}:`,
    list(a.flags).length > 0 && `<${list(a.flags).join(',')}>`,
    a.mtu !== undefined && a.mtu !== null && `mtu ${str(a.mtu)}`,
    str(a.master) && `master ${str(a.master)}`,
    str(a.operState) && `state ${str(a.operState)}`,
    str(a.kind) && `kind ${str(a.kind)}`,
    str(a.mac) && `link/ether ${str(a.mac)}`,
    vxlan && words(['vxlan', str(vxlan.id) && `id ${str(vxlan.id)}`, str(vxlan.local) && `local ${str(vxlan.local)}`, str(vxlan.dev) && `dev ${str(vxlan.dev)}`, str(vxlan.port) && `dstport ${str(vxlan.port)}`]),
    a.peerInOtherNetns === true && 'link-netns (other namespace)',
  ]);
}

export function formatAddress(a: Attributes): string {
  const family = str(a.family) ?? 'inet';
  return words([
    str(a.dev) && `${str(a.dev)}:`,
    family,
    `${str(a.local) ?? '?'}/${str(a.prefixlen) ?? '?'}`,
    str(a.peer) && `peer ${str(a.peer)}`,
    str(a.broadcast) && `brd ${str(a.broadcast)}`,
    str(a.scope) && `scope ${str(a.scope)}`,
    str(a.label) && `label ${str(a.label)}`,
    ...list(a.flags),
  ]);
}

export function formatNeighbor(a: Attributes): string {
  return words([
    a.proxy === true && 'proxy',
    str(a.dst),
    str(a.dev) && `dev ${str(a.dev)}`,
    str(a.lladdr) && `lladdr ${str(a.lladdr)}`,
    a.router === true && 'router',
    str(a.state)?.toUpperCase(),
  ]);
}

export function formatSysctl(path: string, a: Attributes): string {
  return `${path.replace(/\//g, '.')} = ${str(a.value) ?? ''}`;
}

export function formatNetns(name: string, a: Attributes): string {
  return words([`netns ${name}`, str(a.kind) && `(${str(a.kind)})`, str(a.hostVeth) && `host veth ${str(a.hostVeth)}`, list(a.captured).length > 0 && `captured ${list(a.captured).join(', ')}`]);
}

/** One line for a fact of any kind, from its key and attributes. */
export function formatFact(kind: FactKindName, key: string, attrs: unknown): string {
  const a = attrs && typeof attrs === 'object' ? (attrs as Attributes) : {};
  switch (kind) {
    case 'ROUTE':
      return formatRoute(a);
    case 'LINK':
      return formatLink(key, a);
    case 'ADDRESS':
      return formatAddress(a);
    case 'NEIGHBOR':
      return formatNeighbor(a);
    case 'SYSCTL':
      return formatSysctl(key, a);
    case 'NETNS':
      return formatNetns(key, a);
  }
}

/** `gateway 10.0.0.12 → 10.0.0.13, dev tunl0 → eth0` for the attributes that differ. */
export function describeChangedAttributes(before: unknown, after: unknown, names?: readonly string[]): string {
  const b = before && typeof before === 'object' ? (before as Attributes) : {};
  const a = after && typeof after === 'object' ? (after as Attributes) : {};
  const keys = names && names.length > 0 ? names : [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]));
  return keys.map((k) => `${k} ${str(b[k]) ?? '∅'} → ${str(a[k]) ?? '∅'}`).join(', ');
}

/** `host`, or the pod's netns name for `pod:<name>` */
export function namespaceLabel(namespace: string): string {
  return namespace === 'host' ? 'host' : namespace.replace(/^pod:/, 'pod ');
}

/** A fact key as a person would name the fact: `10.244.3.0/26` for a route, `eth0 10.0.0.1/24` for an address. */
export function describeKey(kind: FactKindName, key: string): string {
  const parts = key.split('|');
  switch (kind) {
    case 'ROUTE': {
      // table|family|type|dst|metric(|tos=X)
      const [table, , type, dst, metric] = parts;
      return [type && type !== 'unicast' ? type : '', dst === '0.0.0.0/0' || dst === '::/0' ? 'default' : dst, table && table !== 'main' ? `table ${table}` : '', metric && metric !== '0' ? `metric ${metric}` : '']
        .filter(Boolean)
        .join(' ');
    }
    case 'ADDRESS':
      return parts.join(' ');
    case 'NEIGHBOR':
      return parts[0] === 'proxy' ? `proxy ${parts[2]} dev ${parts[1]}` : `${parts[1]} dev ${parts[0]}`;
    case 'SYSCTL':
      return key.replace(/\//g, '.');
    case 'LINK':
    case 'NETNS':
      return key;
  }
}
