import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { calicoSnapshot } from '../../test/calico-snapshot';
import { importCapture } from '../assembly/capture-import';
import { findHostVeth, foreignPeerLinks } from '../assembly/pod-veth-pairing';
import { hashFacts } from '../facts/fact-hash';
import { snapshotToFacts } from '../facts/fact-normaliser';
import { parseIpJsonAddresses, parseIpJsonLinks, parseIpJsonNeighbors, parseIpJsonRoutes } from '../parsers/ip-json-parser';
import { parseIpLinkText, parseIpRouteText, parseSysctlText } from '../parsers/text';
import { validateSnapshot } from './lazy-contract';
import { SCHEMA_VERSION } from './snapshot-constants';
import { formatValidationIssues } from './validation-issues';

// Everything but snapshot-schema.ts and snapshot-validator.ts must load and handle valid input
// without evaluating zod: that is what keeps the collector's start-up cheap.
jest.mock('zod', () => {
  throw new Error('zod was evaluated');
});

const json = (base: string) => readFileSync(join(__dirname, '../../test/fixtures/json', `${base}.json`), 'utf8');
const text = (base: string) => readFileSync(join(__dirname, '../../test/fixtures/text', `${base}.txt`), 'utf8');

describe('the zod-free part of @routescope/snapshot', () => {
  it('parses, assembles, normalises and validates valid input without zod', () => {
    const links = parseIpJsonLinks(json('lab-node.link'));
    expect(links.warnings).toEqual([]);
    expect(foreignPeerLinks(links.entries).length).toBeGreaterThan(0);
    expect(parseIpJsonAddresses(json('lab-node.addr')).entries.length).toBeGreaterThan(0);
    expect(parseIpJsonRoutes(json('lab-node.route'), 'inet').entries.length).toBeGreaterThan(0);
    expect(parseIpJsonNeighbors(json('lab-node.neigh')).entries.length).toBeGreaterThan(0);
    expect(parseIpLinkText(text('lab-node.link')).entries.length).toBeGreaterThan(0);
    expect(parseIpRouteText(text('lab-node.route')).entries.length).toBeGreaterThan(0);
    expect(parseSysctlText(text('lab-node.sysctl-a')).entries.length).toBeGreaterThan(0);
    const capture = importCapture(`--- ip -d link\n${text('lab-node.link')}\n--- ip -d link pod cni-1\n${text('lab-pod.link')}\n`);
    expect(capture.namespaces.map((n) => n.name)).toEqual(['host', 'cni-1']);
    expect(findHostVeth(capture.namespaces[0].links!, capture.namespaces[1].links!)).toBeDefined();

    const validation = validateSnapshot(calicoSnapshot());
    expect(validation.ok).toBe(true);
    expect(hashFacts(snapshotToFacts(calicoSnapshot()))).toMatch(/./);
    expect(SCHEMA_VERSION).toBe(1);
    expect(formatValidationIssues([{ path: 'a', message: 'b' }])).toBe('a: b');
  });

  it('turns to zod only to word why a document is rejected', () => {
    expect(() => validateSnapshot({ schemaVersion: 2 })).toThrow('zod was evaluated');
  });
});
