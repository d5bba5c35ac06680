import { broken, type BadInputCase, type MutableSnapshot } from './bad-input-case';

/** A string PostgreSQL could not store, or a name that would print as another: 400 naming the field. */
function hostile(name: string, path: string, change: (s: MutableSnapshot) => void, message?: RegExp): BadInputCase {
  return { name, request: (ctx) => ({ json: broken(ctx, change) }), expect: { status: 400, error: 'INVALID_SNAPSHOT', path, message } };
}

const host = (s: MutableSnapshot) => s.namespaces[0];
const pod = (s: MutableSnapshot) => s.namespaces[1];
const NUL = /NUL character .*PostgreSQL cannot store/;
const SURROGATE = /unpaired UTF-16 surrogate/;
const HIDDEN = /invisible or control character/;
const LONG = 'x'.repeat(10_000);

export const hostileStringCases: BadInputCase[] = [
  hostile('a NUL in the node name', 'node', (s) => (s.node = 'node\u0000a')),
  hostile('a NUL in the collector version', 'collector.version', (s) => (s.collector.version = '1.0\u0000'), NUL),
  hostile('a NUL in the bootId', 'collector.bootId', (s) => (s.collector.bootId = '\u0000'), NUL),
  hostile('a NUL in the kernel version', 'kernel', (s) => (s.kernel = '6.8\u0000-evil'), NUL),
  hostile('a NUL in a namespace name', 'namespaces[1].name', (s) => (pod(s).name = 'cni-\u00001'), NUL),
  hostile('a NUL in a link kind', 'namespaces[0].links[2].kind', (s) => (host(s).links[2].kind = 'veth\u0000'), NUL),
  hostile('a NUL in an interface name', 'namespaces[0].links[1].name', (s) => (host(s).links[1].name = 'eth\u00000'), NUL),
  hostile('a NUL in a route protocol', 'namespaces[0].routes[1].protocol', (s) => (host(s).routes[1].protocol = 'bird\u0000'), NUL),
  hostile('a NUL in a link flag', 'namespaces[0].links[1].flags[0]', (s) => (host(s).links[1].flags[0] = '\u0000UP'), NUL),
  hostile('a NUL in a sysctl value', 'namespaces[0].sysctls[0].value', (s) => (host(s).sysctls[0].value = '1\u0000'), NUL),
  hostile('a NUL in a sysctl path', 'namespaces[0].sysctls[0].path', (s) => (host(s).sysctls[0].path = 'net/ipv4/ip_forward\u0000')),
  hostile('a NUL in a warning message', 'warnings[0].message', (s) => (s.warnings = [{ code: 'x', message: 'a\u0000b' }]), NUL),
  hostile('a lone high surrogate in a warning message', 'warnings[0].message', (s) => (s.warnings = [{ code: 'x', message: 'emoji cut \ud83d' }]), SURROGATE),
  hostile('a lone low surrogate in a link flag', 'namespaces[0].links[1].flags[1]', (s) => (host(s).links[1].flags[1] = '\ude00'), SURROGATE),
  hostile('a lone surrogate in a namespace name', 'namespaces[1].name', (s) => (pod(s).name = 'cni-\ud800'), SURROGATE),
  hostile('a lone surrogate in a sysctl value', 'namespaces[0].sysctls[0].value', (s) => (host(s).sysctls[0].value = '\udfff'), SURROGATE),
  hostile('a lone surrogate in the collector version', 'collector.version', (s) => (s.collector.version = 'v\udbff1'), SURROGATE),
  hostile('a right-to-left override in an interface name', 'namespaces[0].links[1].name', (s) => (host(s).links[1].name = 'eth\u202e0'), HIDDEN),
  hostile('a zero-width space in a namespace name', 'namespaces[1].name', (s) => (pod(s).name = 'cni-\u200b1'), HIDDEN),
  hostile('a zero-width joiner in a link kind', 'namespaces[0].links[2].kind', (s) => (host(s).links[2].kind = 've\u200dth'), HIDDEN),
  hostile('a byte-order mark in the kernel version', 'kernel', (s) => (s.kernel = '\ufeff6.8.0'), HIDDEN),
  hostile('an escape sequence in a route table name', 'namespaces[0].routes[0].table', (s) => (host(s).routes[0].table = '\u001b[31mmain'), HIDDEN),
  hostile('a newline in a pod hostVeth', 'namespaces[1].hostVeth', (s) => (pod(s).hostVeth = 'cali\n1')),
  hostile('a node name of 10,000 characters', 'node', (s) => (s.node = LONG)),
  hostile('a namespace name of 10,000 characters', 'namespaces[1].name', (s) => (pod(s).name = LONG)),
  hostile('an interface name of 10,000 characters', 'namespaces[0].links[1].name', (s) => (host(s).links[1].name = LONG)),
  hostile('a sysctl value of 10,000 characters', 'namespaces[0].sysctls[0].value', (s) => (host(s).sysctls[0].value = LONG)),
  hostile('a warning message of 10,000 characters', 'warnings[0].message', (s) => (s.warnings = [{ code: 'x', message: LONG }])),
  hostile('a takenAt of 10,000 characters', 'takenAt', (s) => (s.takenAt = `${s.takenAt.slice(0, 19)}.${'0'.repeat(10_000)}Z`)),
  hostile('a sysctl path climbing out with ..', 'namespaces[0].sysctls[0].path', (s) => (host(s).sysctls[0].path = 'net/../../etc/shadow'), /never empty, "\." or "\.\."/),
  hostile('a sysctl path ending in ..', 'namespaces[0].sysctls[0].path', (s) => (host(s).sysctls[0].path = 'net/ipv4/..')),
  hostile('a sysctl path with a . segment', 'namespaces[0].sysctls[0].path', (s) => (host(s).sysctls[0].path = 'net/./ipv4/ip_forward')),
  hostile('a sysctl path with an empty segment', 'namespaces[0].sysctls[0].path', (s) => (host(s).sysctls[0].path = 'net//ipv4/ip_forward')),
  hostile('a sysctl path with a trailing slash', 'namespaces[0].sysctls[0].path', (s) => (host(s).sysctls[0].path = 'net/ipv4/')),
  hostile('a sysctl path with shell syntax', 'namespaces[0].sysctls[0].path', (s) => (host(s).sysctls[0].path = 'net/ipv4/$(reboot)')),
  hostile('a sysctl path with a backslash', 'namespaces[0].sysctls[0].path', (s) => (host(s).sysctls[0].path = 'net\\ipv4\\ip_forward')),
  hostile('an interface named ..', 'namespaces[0].links[1].name', (s) => (host(s).links[1].name = '..'), /cannot be "\." or "\.\."/),
  {
    name: 'right-to-left text, emoji and tabs in a warning message (free text: stored as sent)',
    request: (ctx) => ({ json: broken(ctx, (s) => (s.warnings = [{ code: 'note', message: 'שלום עולם 😀\tok\nline 2' }])) }),
    expect: { status: 201, stores: true },
  },
];
