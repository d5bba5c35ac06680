import { NODE_NAME_PATTERN } from '@routescope/snapshot';

/**
 * The probe contract's vocabulary and bounds, without zod (the collector's start-up never
 * evaluates zod; see apps/collector/build.mjs). probe-schema.ts builds the zod schemas on these.
 */

export const PROBE_KINDS = ['proxy-arp', 'path'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

/** proxy-arp verdicts, from the frames of the pod's ARP for 169.254.1.1 and its pings to the node. */
export const PROXY_ARP_VERDICTS = ['verified', 'no-arp-reply', 'wrong-mac', 'arp-ok-no-echo', 'no-frames'] as const;
/** path verdicts: whether the target answered the pod's pings. */
export const PATH_VERDICTS = ['answered', 'not-answered'] as const;
/** any kind: the probe could not run (no tcpdump, pod not found, …); `reason` says why. */
export const UNAVAILABLE_VERDICT = 'unavailable';
export const PROBE_VERDICTS = [...PROXY_ARP_VERDICTS, ...PATH_VERDICTS, UNAVAILABLE_VERDICT] as const;
export type ProbeVerdict = (typeof PROBE_VERDICTS)[number];

/** Verdicts that mean the probe ran and the model held (the rest failed or could not run). */
export const PASSING_VERDICTS: readonly ProbeVerdict[] = ['verified', 'answered'];

/** pod: its eth0 (inside its netns); host-veth: the cali veth on the node; egress: the device the node's route to the target leaves by. */
export const CAPTURE_POINTS = ['pod', 'host-veth', 'egress'] as const;
export type CapturePoint = (typeof CAPTURE_POINTS)[number];

export const PROBE_LIMITS = {
  defaultTimeoutMs: 3000,
  minTimeoutMs: 500,
  maxTimeoutMs: 5000,
  defaultMaxPackets: 5,
  maxMaxPackets: 20,
  /** raw tcpdump lines kept per capture; the rest are counted, not kept. */
  maxCaptureLines: 200,
  /** characters kept per raw line (tcpdump -e lines of ARP/ICMP are ~150). */
  maxLineLength: 400,
  maxReasonLength: 1000,
  maxIdLength: 128,
  /** a netns name (a file under /var/run/netns) or the collector's `pid:N` for unnamed ones */
  maxPodLength: 255,
  maxNodeLength: 253,
  maxDeviceLength: 15,
} as const;

/** Calico's gateway for every pod: no device owns it, the host veth answers ARP for it by proxy. */
export const POD_GATEWAY_IP = '169.254.1.1';

/**
 * A pod as the collector names it: a netns name under /var/run/netns (no path separator, no
 * leading `-` or `.`), or `pid:N` for a namespace nobody named (found through /proc/N/ns/net).
 */
export function isPodNamespaceName(name: string): boolean {
  if (name.length === 0 || name.length > PROBE_LIMITS.maxPodLength) return false;
  if (/^pid:\d{1,10}$/.test(name)) return true;
  // never starting with '-' or '.': not an option to any tool, never `.` or `..`
  return /^\w[\w.-]*$/.test(name);
}

/** A Kubernetes node name (RFC 1123 subdomain), as the collector reports it. */
export function isNodeName(name: string): boolean {
  return name.length <= PROBE_LIMITS.maxNodeLength && NODE_NAME_PATTERN.test(name);
}
