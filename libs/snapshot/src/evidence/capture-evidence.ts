import type { Fact } from '../facts/fact-normaliser';

/**
 * What a pasted capture shows beyond kernel state: frames seen on the wire (tcpdump -e),
 * Calico's BGP sessions (calicoctl node status), timed changes (ip monitor) and the
 * Kubernetes view (kubectl get pods/nodes -o wide). Evidence is checked, never stored as
 * fact intervals: it is what was observed during the capture, not what the node holds.
 */

/** One frame printed by tcpdump (with -e: link-level header). */
export interface CapturedFrame {
  /** 1-based line of the capture where the frame starts. */
  line: number;
  /** `host` or `pod:<name>`: the namespace the capture ran in (from the section header). */
  ns: string;
  /** time as printed (`12:00:01.123456`, epoch seconds, or a date and time), when printed. */
  time?: string;
  /** the interface captured on: from the LINUX_SLL2 "any" form, else from the command's `-i`. */
  interface?: string;
  /** LINUX_SLL2 direction column. */
  direction?: 'In' | 'Out' | 'B' | 'M' | 'P';
  /** lowercase, colon-separated; absent without -e. */
  srcMac?: string;
  dstMac?: string;
  ethertype: 'arp' | 'ipv4' | 'ipv6' | 'other';
  arp?: {
    op: 'request' | 'reply';
    /** request: who-has TARGET tell SENDER; reply: TARGET is-at MAC (TARGET is the address resolved). */
    targetIp?: string;
    senderIp?: string;
    /** reply only: the MAC the target resolves to (`is-at`). */
    resolvedMac?: string;
  };
  ip?: {
    src?: string;
    dst?: string;
    /** icmp, tcp, udp, … as printed; */
    proto?: string;
    /** icmp only */
    icmp?: 'echo-request' | 'echo-reply' | 'unreachable' | 'other';
  };
  /** true when a name was printed instead of an address (no -n): addresses above may be names. */
  resolvedNames?: boolean;
}

/** One row of `calicoctl node status` (IPv4 or IPv6 BGP peer table). */
export interface BgpPeer {
  line: number;
  family: 'ipv4' | 'ipv6';
  peer: string;
  /** e.g. `node-to-node mesh`, `global`, `node specific` */
  type: string;
  /** BIRD protocol state: `up`, `start`, `down`, … */
  state: string;
  since: string;
  /** `Established`, `Active Socket: Connection refused`, `Connect`, `Idle`, `Passive`, … */
  info: string;
}

export interface CalicoNodeStatus {
  /** `Calico process is running.` / `is not running.` */
  processRunning?: boolean;
  peers: BgpPeer[];
  /** the section printed a peer table for this family (even an empty one) */
  families: Array<'ipv4' | 'ipv6'>;
}

/** One event line of `ip monitor` (route, neigh, link, address). */
export interface MonitorEvent {
  line: number;
  /** from a preceding `Timestamp:` line or `-t` prefix, ISO-8601 when it could be read. */
  at?: string;
  /** `[nsid N]` prefix */
  nsid?: number;
  /** `Deleted` prefix (or RTM_DEL…) */
  deleted: boolean;
  /** the entry as a fact (normalised exactly as snapshot facts are), in the section's namespace. */
  fact: Fact;
}

/** `kubectl get pods -o wide` and `kubectl get nodes -o wide`. */
export interface KubernetesListing {
  pods: Array<{ line: number; namespace?: string; name: string; ip?: string; node?: string; status?: string }>;
  nodes: Array<{ line: number; name: string; internalIP?: string; externalIP?: string; status?: string }>;
}

/** One entry of `bridge fdb` (VXLAN devices list their remote VTEPs here: `dst`). */
export interface FdbEntry {
  line: number;
  ns: string;
  mac: string;
  dev: string;
  dst?: string;
  master?: string;
  vlan?: number;
  /** self, master, permanent, static, extern_learn, … as printed */
  flags: string[];
}

/** `wg show` / `wg showconf`: interfaces and peers, never any key material. */
export interface WireguardInterface {
  line: number;
  ns: string;
  name: string;
  listenPort?: number;
  fwmark?: string;
  peers: Array<{ line: number; endpoint?: string; allowedIps: string[]; latestHandshake?: string; transfer?: string; persistentKeepalive?: string }>;
}

export interface CaptureEvidence {
  frames: CapturedFrame[];
  calicoNodeStatus?: CalicoNodeStatus;
  monitorEvents: MonitorEvent[];
  kubernetes?: KubernetesListing;
  /** `bridge fdb` entries, when the capture holds some. */
  fdb?: FdbEntry[];
  /** `wg show` / `wg showconf` interfaces, when the capture holds some. */
  wireguard?: WireguardInterface[];
}

export type SectionCoverageStatus = 'read' | 'partial' | 'unsupported';

/**
 * What import made of one section. `partial` (filtered with grep/head/tail, masked, cut short,
 * prefixed by a fleet tool) adds its facts but no rule may conclude "missing" from it.
 */
export interface SectionCoverage {
  headerLine: number;
  /** the command as written (without prompt and node/pod qualifier). */
  command: string;
  /** host or pod:<name> */
  ns: string;
  node?: string;
  /** what was recognised: `ip route`, `tcpdump`, `calicoctl node status`, `route -n`, … */
  format?: string;
  status: SectionCoverageStatus;
  /** why partial or unsupported, one sentence. */
  reason?: string;
}

export function emptyEvidence(): CaptureEvidence {
  return { frames: [], monitorEvents: [] };
}
