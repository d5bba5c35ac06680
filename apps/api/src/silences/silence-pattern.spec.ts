import { subjectMatches, toLikePattern } from './silence-pattern';

/** What Postgres' LIKE (escape character `\`) does with a pattern, for comparing with subjectMatches. */
function like(pattern: string, text: string): boolean {
  let regex = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') regex += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '%') regex += '.*';
    else if (c === '_') regex += '.';
    else regex += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${regex}$`, 's').test(text);
}

describe('silence subject patterns', () => {
  it.each([
    ['address:*', 'address:172.16.0.5', true],
    ['address:*', 'veth:cali0123456789a', false],
    ['veth:cali*', 'veth:cali0123456789a', true],
    ['*', 'node', true],
    ['node', 'node', true],
    ['node', 'node-a', false],
    ['block:172.16.*/26', 'block:172.16.0.64/26', true],
    ['block:172.16.*/26', 'block:172.16.0.64/27', false],
    // LIKE's own wildcards are literal in a pattern
    ['pod:cni_1', 'pod:cnix1', false],
    ['pod:cni%', 'pod:cni-1', false],
    ['pod:a\\b*', 'pod:a\\bc', true],
    ['Address:*', 'address:1.2.3.4', false],
  ])('%s against %s: %s, the same in SQL (LIKE) as here', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
    expect(like(toLikePattern(pattern), subject)).toBe(expected);
  });

  it('no pattern matches every subject', () => {
    expect(subjectMatches(null, 'anything:at all')).toBe(true);
  });
});
