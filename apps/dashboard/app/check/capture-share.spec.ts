import { decodeCaptureFragment, encodeCaptureFragment } from './capture-share';

const capture = ['--- tcpdump -e -n -i calif55e0ab04de', '12:00:00.000001 02:42:ac:11:00:02 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 169.254.1.1 tell 10.244.1.5, length 28', 'µs ✓ 😀'].join('\n');

describe('share link fragment', () => {
  it('carries the paste compressed in the fragment and gives it back byte for byte', async () => {
    const fragment = await encodeCaptureFragment(capture);
    expect(fragment).toMatch(/^capture=[A-Za-z0-9_-]+$/);
    expect(fragment).not.toContain('169.254.1.1');
    expect(await decodeCaptureFragment(`#${fragment}`)).toBe(capture);
  });

  it('shrinks a repetitive paste well below its size', async () => {
    const big = Array.from({ length: 2000 }, (_, i) => `10.244.${i % 250}.0/26 via 10.0.0.${i % 200} dev tunl0 proto bird onlink`).join('\n');
    expect((await encodeCaptureFragment(big)).length).toBeLessThan(big.length / 4);
  });

  it('has nothing to say about a fragment without a capture, and says plainly when one is cut short', async () => {
    expect(await decodeCaptureFragment('')).toBeUndefined();
    expect(await decodeCaptureFragment('#evidence')).toBeUndefined();
    const fragment = await encodeCaptureFragment(capture);
    const cut = await decodeCaptureFragment(`#${fragment.slice(0, fragment.length - 12)}`);
    expect(cut).toBeInstanceOf(Error);
    expect((cut as Error).message).toMatch(/could not be read: the link may have been cut short/);
    expect(await decodeCaptureFragment('#capture=not*base64')).toBeInstanceOf(Error);
  });
});
