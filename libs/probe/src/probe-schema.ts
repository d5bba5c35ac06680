import { familyOf, IFNAME_MAX_LENGTH, IFNAME_PATTERN, unsafeIdentifierReason, unstorableTextReason } from '@routescope/snapshot';
import { z } from 'zod';
import { CAPTURE_POINTS, isNodeName, isPodNamespaceName, PROBE_KINDS, PROBE_LIMITS, PROBE_VERDICTS, PROXY_ARP_VERDICTS, PATH_VERDICTS, UNAVAILABLE_VERDICT } from './probe-constants';
import type { ParsedFrame, ProbeCapture, ProbeJob, ProbeJobInput, ProbePath, ProbeResult } from './probe-types';

/**
 * The probe contract in zod: what the API accepts from a requester and from a collector, and
 * what a collector accepts from the API. Objects strip unknown keys (a newer API may add
 * fields an older collector ignores); every string and list is bounded.
 */

const L = PROBE_LIMITS;

const text = (max: number) =>
  z
    .string()
    .max(max)
    .superRefine((value, ctx) => {
      const reason = unstorableTextReason(value);
      if (reason) ctx.addIssue({ code: 'custom', message: reason });
    });
const identifier = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .superRefine((value, ctx) => {
      const reason = unsafeIdentifierReason(value);
      if (reason) ctx.addIssue({ code: 'custom', message: reason });
    });

const probeId = identifier(L.maxIdLength);
const nodeName = z.string().refine(isNodeName, { message: 'is not a node name (lowercase letters, digits, "-" and ".", at most 253)' });
const podName = z.string().refine(isPodNamespaceName, { message: 'is not a pod network namespace name (a name under /var/run/netns, or pid:N)' });
const ipLiteral = z.string().max(64).refine((value) => familyOf(value) !== undefined, { message: 'is not an IP address (an IPv4 or IPv6 literal, no prefix length, no name)' });
const device = z
  .string()
  .min(1)
  .max(IFNAME_MAX_LENGTH)
  .refine((value) => IFNAME_PATTERN.test(value) && value !== '.' && value !== '..', { message: 'is not an interface name' });
const isoTime = z.iso.datetime({ offset: true });
const count = z.number().int().min(0).max(1_000_000);

export const probeJobSchema = z
  .object({
    id: probeId,
    kind: z.enum(PROBE_KINDS),
    node: nodeName,
    pod: podName,
    target: ipLiteral.optional(),
    timeoutMs: z.number().int().min(L.minTimeoutMs).max(L.maxTimeoutMs).default(L.defaultTimeoutMs),
    maxPackets: z.number().int().min(1).max(L.maxMaxPackets).default(L.defaultMaxPackets),
  })
  .superRefine((job, ctx) => {
    if (job.kind === 'path' && job.target === undefined) ctx.addIssue({ code: 'custom', path: ['target'], message: 'is required for a path probe' });
    if (job.kind === 'proxy-arp' && job.target !== undefined) ctx.addIssue({ code: 'custom', path: ['target'], message: 'is only for path probes (proxy-arp always asks for 169.254.1.1)' });
  });

export const parsedFrameSchema = z.object({
  line: z.number().int().min(1),
  ns: identifier(L.maxPodLength + 4),
  time: text(64).optional(),
  interface: text(64).optional(),
  direction: z.enum(['In', 'Out', 'B', 'M', 'P']).optional(),
  srcMac: text(64).optional(),
  dstMac: text(64).optional(),
  ethertype: z.enum(['arp', 'ipv4', 'ipv6', 'other']),
  arp: z
    .object({
      op: z.enum(['request', 'reply']),
      targetIp: text(256).optional(),
      senderIp: text(256).optional(),
      resolvedMac: text(64).optional(),
    })
    .optional(),
  ip: z
    .object({
      src: text(256).optional(),
      dst: text(256).optional(),
      proto: text(32).optional(),
      icmp: z.enum(['echo-request', 'echo-reply', 'unreachable', 'other']).optional(),
    })
    .optional(),
  resolvedNames: z.boolean().optional(),
});

export const probeCaptureSchema = z.object({
  point: z.enum(CAPTURE_POINTS),
  device,
  netns: z.string().refine(isPodNamespaceName, { message: 'is not a network namespace name' }).optional(),
  lines: z.array(text(L.maxLineLength)).max(L.maxCaptureLines),
  frames: z.array(parsedFrameSchema).max(L.maxCaptureLines),
});

export const probePathSchema = z.object({
  leftPod: z.boolean(),
  egressDevice: device.nullable(),
  leftNode: z.boolean(),
  answered: z.boolean(),
  stoppedAt: text(L.maxReasonLength).nullable(),
});

export const probeResultSchema = z
  .object({
    id: probeId.optional(),
    kind: z.enum(PROBE_KINDS),
    node: nodeName,
    pod: podName,
    target: ipLiteral.optional(),
    verdict: z.enum(PROBE_VERDICTS),
    reason: text(L.maxReasonLength).optional(),
    startedAt: isoTime,
    finishedAt: isoTime,
    captures: z.array(probeCaptureSchema).max(CAPTURE_POINTS.length),
    ping: z.object({ sent: count, received: count }),
    path: probePathSchema.optional(),
  })
  .superRefine((result, ctx) => {
    const allowed: readonly string[] = result.kind === 'proxy-arp' ? PROXY_ARP_VERDICTS : PATH_VERDICTS;
    if (result.verdict !== UNAVAILABLE_VERDICT && !allowed.includes(result.verdict)) {
      ctx.addIssue({ code: 'custom', path: ['verdict'], message: `"${result.verdict}" is not a verdict of a ${result.kind} probe (${[...allowed, UNAVAILABLE_VERDICT].join(', ')})` });
    }
    if (result.verdict === UNAVAILABLE_VERDICT && !result.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is required when the verdict is unavailable' });
    if (result.kind === 'path' && result.target === undefined) ctx.addIssue({ code: 'custom', path: ['target'], message: 'is required for a path probe' });
    if (result.kind === 'proxy-arp' && result.path !== undefined) ctx.addIssue({ code: 'custom', path: ['path'], message: 'is only for path probes' });
    if (Date.parse(result.finishedAt) < Date.parse(result.startedAt)) ctx.addIssue({ code: 'custom', path: ['finishedAt'], message: 'is before startedAt' });
    if (result.ping.received > result.ping.sent) ctx.addIssue({ code: 'custom', path: ['ping', 'received'], message: 'is more than ping.sent' });
  });

// The zod schemas and the hand-written types (probe-types.ts) describe the same documents.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameJob: Same<z.output<typeof probeJobSchema>, ProbeJob> = true;
const sameJobInput: Same<z.input<typeof probeJobSchema>, ProbeJobInput> = true;
const sameFrame: Same<z.output<typeof parsedFrameSchema>, ParsedFrame> = true;
const sameCapture: Same<z.output<typeof probeCaptureSchema>, ProbeCapture> = true;
const samePath: Same<z.output<typeof probePathSchema>, ProbePath> = true;
const sameResult: Same<z.output<typeof probeResultSchema>, ProbeResult> = true;
void [sameJob, sameJobInput, sameFrame, sameCapture, samePath, sameResult];

export type ProbeValidation<T> = { ok: true; value: T } | { ok: false; issues: Array<{ path: string; message: string }> };

function validate<T>(schema: z.ZodType<T>, input: unknown): ProbeValidation<T> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(root)', message: issue.message })) };
}

/** A job, with its defaults filled in, or the issues (field path and why). */
export function validateProbeJob(input: unknown): ProbeValidation<ProbeJob> {
  return validate(probeJobSchema, input);
}

/** A collector's result, or the issues (field path and why). */
export function validateProbeResult(input: unknown): ProbeValidation<ProbeResult> {
  return validate(probeResultSchema, input);
}
