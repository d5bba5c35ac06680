import type { ChangeRow } from '../history/fact-store.service';
import { changeInstants, MAX_CHANGES_PER_NODE } from './trace-changes.service';

const row = (nodeId: number, atMs: number, key: string): ChangeRow => ({
  nodeId,
  node: `node-${nodeId}`,
  at: new Date(atMs),
  ns: 'host',
  kind: 'sysctl',
  key,
  before: { value: '1' },
  after: { value: '0' },
  afterGap: false,
});

describe('traceChanges: change instants', () => {
  it('groups the changes of every involved node by instant, in time order', () => {
    const { instants, cutoff } = changeInstants([row(1, 3000, 'a'), row(2, 1000, 'b'), row(1, 1000, 'c')]);
    expect(instants.map((i) => [i.at, i.changes.map((c) => c.key)])).toEqual([
      [1000, ['b', 'c']],
      [3000, ['a']],
    ]);
    expect(cutoff).toBeUndefined();
  });

  it('a node whose changes hit the read limit cuts the scan at its last instant read (it may be missing changes there)', () => {
    const busy = Array.from({ length: MAX_CHANGES_PER_NODE + 1 }, (_, i) => row(1, 1000 + Math.floor(i / 2), `k${i}`));
    const last = busy.at(-1)!.at.getTime();
    const { cutoff } = changeInstants([...busy, row(2, last + 10, 'other')]);
    expect(cutoff).toBe(last);
  });
});
