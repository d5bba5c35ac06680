import { createHash } from 'node:crypto';
import { calicoSnapshot } from '../../test/calico-snapshot';
import { canonicaliseFacts, canonicalJson } from '../facts/fact-hash';
import { snapshotToFacts } from '../facts/fact-normaliser';
import { heartbeatFor, snapshotStateHash } from './heartbeat';
import { validateHeartbeat } from './lazy-contract';

describe('the state hash a heartbeat carries (contract v1.1)', () => {
  it('is the hash the API has always stored: sha256 of canonicalJson(fact) per line', () => {
    const facts = snapshotToFacts(calicoSnapshot());
    const before = createHash('sha256').update(facts.map((f) => `${canonicalJson(f)}\n`).join('')).digest('hex');
    expect(snapshotStateHash(calicoSnapshot())).toBe(before);
    const canonical = canonicaliseFacts(facts);
    expect(canonical.hash).toBe(before);
    expect(canonical.attrs).toEqual(facts.map((f) => canonicalJson(f.attrs)));
  });

  it('changes when one fact changes, whatever the key order of its attributes', () => {
    const changed = calicoSnapshot();
    changed.namespaces[0].links![0].mtu = 9000;
    expect(snapshotStateHash(changed)).not.toBe(snapshotStateHash(calicoSnapshot()));
  });
});

describe('heartbeat validation', () => {
  const snapshot = calicoSnapshot();
  const heartbeat = () => heartbeatFor(snapshot, snapshotStateHash(snapshot));

  it('accepts the heartbeat built from a valid snapshot', () => {
    const result = validateHeartbeat(heartbeat());
    expect(result).toEqual({ ok: true, heartbeat: heartbeat() });
    expect(heartbeat()).toMatchObject({ hashVersion: 1, snapshotId: snapshot.snapshotId, node: snapshot.node, takenAt: snapshot.takenAt });
  });

  it.each([
    ['stateHash', { stateHash: 'ABC' }, 'stateHash', /sha256/],
    ['hashVersion', { hashVersion: 2 }, 'hashVersion', /must be 1/],
    ['a missing takenAt', { takenAt: undefined }, 'takenAt', /is required/],
    ['a snapshot field', { namespaces: [] }, '', /unknown field "namespaces"/],
    ['the collector seq', { collector: { version: '1', bootId: 'b', seq: -1 } }, 'collector.seq', /./],
  ])('names the field when %s is wrong', (_what, patch, path, message) => {
    const result = validateHeartbeat({ ...heartbeat(), ...patch });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0].path).toBe(path);
    expect(result.issues[0].message).toMatch(message);
  });
});
