import { wordDiff } from './word-diff';

describe('wordDiff', () => {
  it('marks only the words that differ between two renderings of a fact', () => {
    const { before, after } = wordDiff('10.244.3.0/26 via 10.0.0.13 dev tunl0', '10.244.3.0/26 via 10.0.0.23 dev vxlan.calico');
    expect(before.filter((t) => t.changed).map((t) => t.text)).toEqual(['10.0.0.13', 'tunl0']);
    expect(after.filter((t) => t.changed).map((t) => t.text)).toEqual(['10.0.0.23', 'vxlan.calico']);
  });

  it('marks an added word only on the new side', () => {
    const { before, after } = wordDiff('a b', 'a x b');
    expect(before.some((t) => t.changed)).toBe(false);
    expect(after.filter((t) => t.changed).map((t) => t.text)).toEqual(['x']);
  });
});
