import type { NodeStateQuery } from '../lib/generated/graphql';
import { formatAddress, formatLink, formatNeighbor, formatRoute } from '../lib/fact-format';
import { EmptyState } from './empty-state';
import { VerifyProxyArpButton } from './verify-proxy-arp-button';

type State = NodeStateQuery['node']['state'];
type Pod = State['pods'][number];

const asAttrs = (value: object) => value as unknown as Record<string, unknown>;

interface Line {
  text: string;
  /** why this line departs from the Calico proxy-ARP model */
  problem?: string;
}

function podLines(pod: Pod): Line[] {
  const eth0 = pod.links.find((l) => l.name === 'eth0');
  return [
    ...pod.links.filter((l) => l.name !== 'lo').map((l) => ({ text: formatLink(l.name, asAttrs(l)) })),
    ...pod.addresses.filter((a) => a.dev !== 'lo').map((a) => ({ text: formatAddress(asAttrs(a)) })),
    ...pod.routes.map((r) => ({ text: formatRoute(asAttrs(r)) })),
    ...pod.neighbors.map((n) => ({
      text: formatNeighbor(asAttrs(n)),
      problem: n.state === 'failed' || n.state === 'incomplete' ? 'the host side did not answer ARP' : undefined,
    })),
    ...(eth0 ? [] : [{ text: 'no eth0', problem: 'the pod has no eth0' }]),
  ];
}

function hostLines(pod: Pod, host: State): Line[] {
  const veth = pod.hostVeth;
  if (!veth) return [{ text: 'no host veth found for this pod', problem: 'unpaired' }];
  const link = host.links.find((l) => l.name === veth);
  const eth0 = pod.links.find((l) => l.name === 'eth0');
  const lines: Line[] = [];
  if (link) {
    const problems = [
      link.mac && link.mac !== 'ee:ee:ee:ee:ee:ee' ? `MAC ${link.mac}, Calico uses ee:ee:ee:ee:ee:ee` : undefined,
      eth0?.mtu && link.mtu && eth0.mtu !== link.mtu ? `MTU ${link.mtu} differs from the pod's ${eth0.mtu}` : undefined,
      link.operState && link.operState !== 'UP' ? `state ${link.operState}` : undefined,
    ].filter(Boolean);
    lines.push({ text: formatLink(link.name, asAttrs(link)), problem: problems.join('; ') || undefined });
  } else {
    lines.push({ text: `${veth}: not present on the host`, problem: 'missing veth' });
  }
  for (const route of host.routes.filter((r) => r.dev === veth)) lines.push({ text: formatRoute(asAttrs(route)) });
  if (!host.routes.some((r) => r.dev === veth)) lines.push({ text: `no route via ${veth}`, problem: 'the host has no route to this pod' });
  for (const sysctl of host.sysctls.filter((s) => s.path.split('/').includes(veth))) {
    const name = sysctl.path.split('/').pop();
    const problem = name === 'proxy_arp' && sysctl.value !== '1' ? 'proxy ARP is off: the pod cannot resolve 169.254.1.1' : name === 'proxy_delay' && sysctl.value !== '0' ? 'proxy_delay is not 0: first ARP answers are late' : undefined;
    lines.push({ text: `${sysctl.path.replace(/\//g, '.')} = ${sysctl.value}`, problem });
  }
  return lines;
}

function Side({ title, lines }: { title: string; lines: Line[] }) {
  return (
    <div className="pod-side">
      <h4>{title}</h4>
      <ul>
        {lines.map((line, i) => (
          <li key={i} className={line.problem ? 'flag' : undefined}>
            {line.text}
            {line.problem ? <span> — {line.problem}</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Each pod's own view of its network next to the host side of its veth; with `node`, a live proxy-ARP check per pod. */
export function PodsView({ state, node }: { state: State; node?: string }) {
  if (state.pods.length === 0) return <EmptyState title="No pods">No pod network namespaces were captured on this node at that time.</EmptyState>;
  return (
    <div>
      {state.pods.map((pod) => (
        <section className="pod" key={pod.namespace} aria-label={`Pod ${pod.name}`} data-pod={pod.name}>
          <h3>
            <span className="mono">{pod.name}</span>
            {pod.hostVeth ? (
              <span className="card-note" style={{ margin: 0 }}>
                {' '}
                ↔ host veth <span className="mono">{pod.hostVeth}</span>
              </span>
            ) : null}
            {node ? <VerifyProxyArpButton node={node} pod={pod.name} /> : null}
          </h3>
          <div className="pod-sides">
            <Side title="Inside the pod" lines={podLines(pod)} />
            <Side title={`On the host (${pod.hostVeth ?? 'no veth'})`} lines={hostLines(pod, state)} />
          </div>
        </section>
      ))}
    </div>
  );
}
