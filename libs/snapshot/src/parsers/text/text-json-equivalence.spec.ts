import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressFamily } from '../../contract/snapshot-schema';
import { addressFact, compareFacts, linkFact, neighborFact, routeFact, type Fact } from '../../facts/fact-normaliser';
import { parseIpJsonAddresses, parseIpJsonLinks, parseIpJsonNeighbors, parseIpJsonRoutes } from '../ip-json-parser';
import { parseIpAddrText, parseIpLinkText, parseIpNeighText, parseIpRouteText } from './index';

/**
 * The property the fact store depends on: the same kernel state, read as `ip` text (pasted)
 * or as `ip -j` JSON (collected), gives the same facts. Each pair was captured back to back
 * from one network namespace (see test/fixtures/text/README.md); volatile values that differ
 * between the two captures (lifetimes, expiry, REACHABLE/STALE) are normalised away by facts.
 */
const text = (base: string) => readFileSync(join(__dirname, '../../../test/fixtures/text', `${base}.txt`), 'utf8');
const json = (base: string) => readFileSync(join(__dirname, '../../../test/fixtures/json', `${base}.json`), 'utf8');
const NS = 'host';

function facts(list: (Fact | undefined)[]): Fact[] {
  return list.filter((f): f is Fact => f !== undefined).sort(compareFacts);
}

const NAMESPACES = ['lab-node', 'lab-pod', 'lab-pod2', 'host-root'];

describe.each(NAMESPACES)('%s: text and JSON captures give the same facts', (base) => {
  it('links (`ip -d link` / `ip -j -d link`)', () => {
    const fromText = parseIpLinkText(text(`${base}.link`));
    const fromJson = parseIpJsonLinks(json(`${base}.link`));
    expect(fromText.warnings).toEqual([]);
    expect(fromJson.warnings).toEqual([]);
    expect(fromText.entries.length).toBeGreaterThan(0);
    expect(facts(fromText.entries.map((l) => linkFact(NS, l)))).toEqual(facts(fromJson.entries.map((l) => linkFact(NS, l))));
  });

  it('addresses and the links of `ip addr` (`ip addr` / `ip -j addr`)', () => {
    const fromText = parseIpAddrText(text(`${base}.addr`));
    const fromJson = parseIpJsonAddresses(json(`${base}.addr`));
    expect(fromText.warnings).toEqual([]);
    expect(fromJson.warnings).toEqual([]);
    expect(facts(fromText.addresses.map((a) => addressFact(NS, a)))).toEqual(facts(fromJson.entries.map((a) => addressFact(NS, a))));
    const jsonLinks = parseIpJsonLinks(json(`${base}.addr`));
    expect(facts(fromText.links.map((l) => linkFact(NS, l)))).toEqual(facts(jsonLinks.entries.map((l) => linkFact(NS, l))));
  });

  it('IPv6 routes (`ip -6 route show table all`)', () => {
    const fromText = parseIpRouteText(text(`${base}.route6`), { family: 'inet6' });
    const fromJson = parseIpJsonRoutes(json(`${base}.route6`), 'inet6');
    expect(fromText.warnings).toEqual([]);
    expect(fromJson.warnings).toEqual([]);
    expect(facts(fromText.entries.map((r) => routeFact(NS, r)))).toEqual(facts(fromJson.entries.map((r) => routeFact(NS, r))));
  });

  it('routes of `ip route show table all` other than `default` (see below for those)', () => {
    const fromText = parseIpRouteText(text(`${base}.route`));
    const fromJson = parseIpJsonRoutes(json(`${base}.route`), 'inet');
    expect(fromText.warnings).toEqual([]);
    const notDefault = (f: Fact) => f.attrs.dst !== '0.0.0.0/0' && f.attrs.dst !== '::/0';
    expect(facts(fromText.entries.map((r) => routeFact(NS, r))).filter(notDefault)).toEqual(facts(fromJson.entries.map((r) => routeFact(NS, r))).filter(notDefault));
  });

  it('neighbours (`ip neigh`)', () => {
    const fromText = parseIpNeighText(text(`${base}.neigh`));
    const fromJson = parseIpJsonNeighbors(json(`${base}.neigh`));
    expect(fromText.warnings).toEqual([]);
    expect(facts(fromText.entries.map((n) => neighborFact(NS, n)))).toEqual(facts(fromJson.entries.map((n) => neighborFact(NS, n))));
  });
});

describe('lab-node: more text and JSON pairs give the same facts', () => {
  it('plain `ip link` (no kind on either side)', () => {
    const fromText = parseIpLinkText(text('lab-node.link-plain'));
    const fromJson = parseIpJsonLinks(json('lab-node.link-plain'));
    expect(facts(fromText.entries.map((l) => linkFact(NS, l)))).toEqual(facts(fromJson.entries.map((l) => linkFact(NS, l))));
  });

  it('`ip -d link` printing `link-netns NAME` (named namespaces) and JSON printing link_netnsid', () => {
    const named = parseIpLinkText(text('lab-node-named.link'));
    const fromJson = parseIpJsonLinks(json('lab-node.link'));
    expect(named.warnings).toEqual([]);
    expect(facts(named.entries.map((l) => linkFact(NS, l)))).toEqual(facts(fromJson.entries.map((l) => linkFact(NS, l))));
  });

  it('`ip neigh show nud all` (NOARP entries, an entry without state)', () => {
    const fromText = parseIpNeighText(text('lab-node.neigh-all'));
    const fromJson = parseIpJsonNeighbors(json('lab-node.neigh-all'));
    expect(facts(fromText.entries.map((n) => neighborFact(NS, n)))).toEqual(facts(fromJson.entries.map((n) => neighborFact(NS, n))));
  });

  it('`ip neigh show proxy`', () => {
    const fromText = parseIpNeighText(text('lab-node.neigh-proxy'), { proxy: true });
    const fromJson = parseIpJsonNeighbors(json('lab-node.neigh-proxy'), { proxy: true });
    expect(fromText.entries).toHaveLength(2);
    expect(facts(fromText.entries.map((n) => neighborFact(NS, n)))).toEqual(facts(fromJson.entries.map((n) => neighborFact(NS, n))));
  });
});

describe('address-less `default` routes in a mixed-family `ip route show table all`', () => {
  const defaults = (base: string, family: AddressFamily) => {
    const fromText = parseIpRouteText(text(`${base}.route`)).entries.filter((r) => r.dst === 'default');
    const fromJson = parseIpJsonRoutes(json(`${base}.route`), family).entries.filter((r) => r.dst === 'default');
    return { fromText: facts(fromText.map((r) => routeFact(NS, r))), fromJson: facts(fromJson.map((r) => routeFact(NS, r))) };
  };

  it('text takes the family of `default via fd00:99::1` from its gateway', () => {
    const { fromText } = defaults('lab-node', 'inet');
    expect(fromText.map((f) => f.key)).toEqual(['main|inet6|unicast|::/0|1024', 'main|inet|unicast|0.0.0.0/0|0']);
  });

  // iproute2 6.x prints both families for `table all`: the family of a default comes from its gateway.
  it.each(NAMESPACES)('%s: JSON gives the same default-route facts as text', (base) => {
    const { fromText, fromJson } = defaults(base, 'inet');
    expect(fromJson).toEqual(fromText);
  });
});
