import type { Finding } from '../lib/data';
import { VerifyProxyArpButton } from '../ui/probe-controls';

/** FindingsList's pod action where a page offers probes: verify the proxy ARP of the pod an open finding is about. */
export function verifyFindingPod(finding: Finding, pod: string) {
  return <VerifyProxyArpButton node={finding.node} pod={pod} about={`finding ${finding.rule}`} />;
}
