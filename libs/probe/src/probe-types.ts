import type { CapturedFrame } from '@routescope/snapshot';
import type { CapturePoint, ProbeKind, ProbeVerdict } from './probe-constants';

/**
 * The probe contract as TypeScript types, zod-free (probe-schema.ts validates exactly these;
 * its spec checks both agree). The API queues a ProbeJob for a node, the node's collector runs
 * it and answers a ProbeResult.
 */

/** A frame as libs/snapshot's tcpdump parser reads it (`parseTcpdumpText`). */
export type ParsedFrame = CapturedFrame;

export interface ProbeJob {
  id: string;
  kind: ProbeKind;
  /** the node's name, as its collector reports it */
  node: string;
  /** the pod's network namespace name, as the collector reports it (a snapshot's pod namespace name) */
  pod: string;
  /** an IP literal; required for `path`, absent for `proxy-arp` */
  target?: string;
  /** capture time limit: default 3000, at most 5000 */
  timeoutMs: number;
  /** pings (and ARP requests) sent at most: default 5 */
  maxPackets: number;
}

/** A job as the API may send it: the bounds may be left to their defaults. */
export type ProbeJobInput = Omit<ProbeJob, 'timeoutMs' | 'maxPackets'> & { timeoutMs?: number; maxPackets?: number };

export interface ProbeCapture {
  point: CapturePoint;
  /** the interface captured on: `eth0` in the pod, the cali veth, or the egress device */
  device: string;
  /** the namespace the capture ran in (the pod's netns name for `pod`, the node's netns when the node is one) */
  netns?: string;
  /** raw `tcpdump -e -n -l` lines, bounded (PROBE_LIMITS.maxCaptureLines, maxLineLength) */
  lines: string[];
  /** the lines read by libs/snapshot's tcpdump parser (ns `pod:<pod>` for the pod point, else `host`) */
  frames: ParsedFrame[];
}

export interface ProbePath {
  /** the pod's echo requests were seen on its host veth */
  leftPod: boolean;
  /** the device the node's route to the target leaves by (`ip route get`), null when there is none */
  egressDevice: string | null;
  /** the echo requests were seen leaving by the egress device */
  leftNode: boolean;
  /** the target answered (echo replies reached the pod) */
  answered: boolean;
  /** where the packets stopped, as a sentence; null when answered */
  stoppedAt: string | null;
}

export interface ProbeResult {
  /** the job's id; absent for a probe run locally (`routescope-collector probe`) */
  id?: string;
  kind: ProbeKind;
  node: string;
  pod: string;
  target?: string;
  verdict: ProbeVerdict;
  /** why, in a sentence: always for `unavailable` and for failing verdicts */
  reason?: string;
  /** ISO 8601 */
  startedAt: string;
  finishedAt: string;
  captures: ProbeCapture[];
  ping: { sent: number; received: number };
  /** `path` probes only */
  path?: ProbePath;
}
