import fc from 'fast-check';
import { cidrContainsIp, cidrCovers, formatIp, networkOf, parseCidr, parseIp } from './ip';

describe('address arithmetic', () => {
  it('parses and prints IPv4 and IPv6 the way the snapshot library spells them', () => {
    expect(formatIp(parseIp('172.17.8.2')!)).toBe('172.17.8.2');
    expect(formatIp(parseIp('FD00:0:0::1')!)).toBe('fd00::1');
    expect(formatIp(parseIp('::ffff:10.0.0.1')!)).toBe('::ffff:a00:1');
    expect(parseCidr('172.17.8.2')?.text).toBe('172.17.8.2/32');
    expect(parseCidr('172.17.8.70/26')?.text).toBe('172.17.8.64/26');
    expect(parseCidr('fd00:10:244::1:2/122')?.text).toBe('fd00:10:244::1:0/122');
  });

  it('rejects what is not an address or prefix', () => {
    for (const bad of ['', '1.2.3', '1.2.3.256', '1.2.3.4/33', 'fd00::1/129', 'x.x.0.1', '1:2:3:4:5:6:7:8:9', '10.0.0.0/a', '1.2.3.4/5/6']) {
      expect({ bad, parsed: parseCidr(bad) }).toEqual({ bad, parsed: undefined });
    }
  });

  it('an address is inside every prefix networkOf builds from it, and that prefix covers its longer ones', () => {
    const v4 = fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 32 })).map(([value, a, b]) => ({ ip: { family: 'inet' as const, value }, a, b }));
    const v6 = fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }), fc.integer({ min: 0, max: 128 }), fc.integer({ min: 0, max: 128 })).map(([value, a, b]) => ({ ip: { family: 'inet6' as const, value }, a, b }));
    fc.assert(
      fc.property(fc.oneof(v4, v6), ({ ip, a, b }) => {
        const [short, long] = a <= b ? [a, b] : [b, a];
        const outer = networkOf(ip, short);
        const inner = networkOf(ip, long);
        expect(cidrContainsIp(outer, ip)).toBe(true);
        expect(cidrCovers(outer, inner)).toBe(true);
        expect(cidrCovers(inner, outer)).toBe(short === long);
        expect(parseCidr(outer.text)).toEqual(outer);
        expect(parseIp(formatIp(ip))).toEqual(ip);
      }),
    );
  });

  it('families never mix', () => {
    expect(cidrContainsIp(parseCidr('0.0.0.0/0')!, parseIp('::1')!)).toBe(false);
    expect(cidrCovers(parseCidr('::/0')!, parseCidr('10.0.0.0/8')!)).toBe(false);
  });
});
