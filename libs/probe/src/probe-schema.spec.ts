import { loadProbeSchema } from './lazy-probe-schema';
import { validateProbeJob, validateProbeResult } from './probe-schema';
import type { ProbeResult } from './probe-types';

const job = { id: 'p-1', kind: 'proxy-arp', node: 'node-a', pod: 'cni-3f2a9c1e-0b7d-4c5e-9a1f-2d3c4b5a6978' };

describe('ProbeJob contract', () => {
  it('fills in the bounds a job leaves out: 3000 ms, 5 packets', () => {
    expect(validateProbeJob(job)).toEqual({ ok: true, value: { ...job, timeoutMs: 3000, maxPackets: 5 } });
  });

  it('accepts the collector’s pid:N name for a namespace nobody named, and an IPv6 target', () => {
    expect(validateProbeJob({ ...job, pod: 'pid:4242' }).ok).toBe(true);
    expect(validateProbeJob({ ...job, kind: 'path', target: 'fd00::1' }).ok).toBe(true);
  });

  it.each([
    ['target', { ...job, kind: 'path' }, 'is required for a path probe'],
    ['target', { ...job, target: '10.0.0.1' }, 'is only for path probes'],
    ['target', { ...job, kind: 'path', target: '10.0.0.0/24' }, 'is not an IP address'],
    ['target', { ...job, kind: 'path', target: 'example.com' }, 'is not an IP address'],
    ['pod', { ...job, pod: '../../etc' }, 'is not a pod network namespace name'],
    ['pod', { ...job, pod: '--help' }, ''],
    ['node', { ...job, node: 'Node_A' }, 'is not a node name'],
    ['timeoutMs', { ...job, timeoutMs: 5001 }, ''],
    ['maxPackets', { ...job, maxPackets: 0 }, ''],
    ['kind', { ...job, kind: 'shell' }, ''],
  ])('refuses a job with a bad %s (%#)', (field, input, message) => {
    const result = validateProbeJob(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues).toContainEqual({ path: field, message: expect.stringContaining(message) });
  });
});

describe('ProbeResult contract', () => {
  const result: ProbeResult = {
    id: 'p-1',
    kind: 'proxy-arp',
    node: 'node-a',
    pod: 'pid:4242',
    verdict: 'verified',
    startedAt: '2026-12-06T12:00:00.000Z',
    finishedAt: '2026-12-06T12:00:03.000Z',
    captures: [
      {
        point: 'host-veth',
        device: 'calidd33ceb84a6',
        lines: ['12:00:00.1 0a:58:ac:11:08:02 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 169.254.1.1 tell 172.17.8.2, length 28'],
        frames: [{ line: 1, ns: 'host', interface: 'calidd33ceb84a6', ethertype: 'arp', arp: { op: 'request', targetIp: '169.254.1.1', senderIp: '172.17.8.2' } }],
      },
    ],
    ping: { sent: 3, received: 3 },
  };

  it('accepts a result as the collector writes it', () => {
    expect(validateProbeResult(result)).toEqual({ ok: true, value: result });
  });

  it.each([
    ['verdict', { ...result, verdict: 'answered' }, 'is not a verdict of a proxy-arp probe'],
    ['reason', { ...result, verdict: 'unavailable' }, 'is required when the verdict is unavailable'],
    ['finishedAt', { ...result, finishedAt: '2026-12-06T11:59:59.000Z' }, 'is before startedAt'],
    ['ping.received', { ...result, ping: { sent: 1, received: 2 } }, 'is more than ping.sent'],
    ['captures.0.device', { ...result, captures: [{ ...result.captures[0], device: 'eth0/../x' }] }, ''],
    ['captures.0.lines.0', { ...result, captures: [{ ...result.captures[0], lines: ['a\u0000b'] }] }, 'NUL'],
    ['target', { ...result, kind: 'path', verdict: 'answered' }, 'is required for a path probe'],
  ])('refuses a result with a bad %s (%#)', (field, input, message) => {
    const validation = validateProbeResult(input);
    expect(validation.ok).toBe(false);
    if (!validation.ok) expect(validation.issues).toContainEqual({ path: field, message: expect.stringContaining(message) });
  });

  it('loads the same schemas lazily', () => {
    expect(loadProbeSchema().validateProbeResult(result).ok).toBe(true);
  });
});
