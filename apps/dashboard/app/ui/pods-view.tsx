import type { NodeStateQuery } from '../lib/generated/graphql';
import { formatAddress, formatLink, formatNeighbor, formatRoute } from '../lib/fact-format';
import { SeverityBadge } from './badges';
import { EmptyState } from './empty-state';
import { TraceToForm, VerifyProxyArpButton } from './probe-controls';

type State = NodeStateQuery['node']['state'];
type Pod = State['pods'][number];
/** A finding open at the state's instant, with its evidence. */
type FindingFieldsFragment = NodeStateQuery['node']['openFindings'][number];

// Each pod's own view of its network next to the host side of its veth, and the findings the API
// raised about it with their evidence. The dashboard does not judge anything here: a line is
// flagged only when a finding's evidence names that very fact (libs/checks owns the rules).

const asAttrs = (value: object) => value as unknown as Record<string, unknown>;

interface EvidenceFact {
  ns: string;
  kind: string;
  key: string;
  attrs: Record<string, unknown> | null;
}

function evidenceOf(finding: FindingFieldsFragment): EvidenceFact[] {
  if (!Array.isArray(finding.evidence)) return [];
  return (finding.evidence as unknown[]).filter((e): e is EvidenceFact => typeof e === 'object' && e !== null && typeof (e as EvidenceFact).kind === 'string' && typeof (e as EvidenceFact).key === 'string');
}

/** A fact on screen, by the identity evidence uses (namespace, kind, key). */
interface Line {
  text: string;
  ns: string;
  kind: string;
  key: string;
}

function podLines(pod: Pod): Line[] {
  const ns = pod.namespace;
  return [
    ...pod.links.filter((l) => l.name !== 'lo').map((l) => ({ text: formatLink(l.name, asAttrs(l)), ns, kind: 'link', key: l.name })),
    ...pod.addresses.filter((a) => a.dev !== 'lo').map((a) => ({ text: formatAddress(asAttrs(a)), ns, kind: 'address', key: a.key })),
    ...pod.routes.map((r) => ({ text: formatRoute(asAttrs(r)), ns, kind: 'route', key: r.key })),
    ...pod.neighbors.map((n) => ({ text: formatNeighbor(asAttrs(n)), ns, kind: 'neighbor', key: n.key })),
    ...pod.sysctls.map((s) => ({ text: `${s.path.replace(/\//g, '.')} = ${s.value}`, ns, kind: 'sysctl', key: s.path })),
  ];
}

function hostLines(pod: Pod, host: State): Line[] {
  const veth = pod.hostVeth;
  if (!veth) return [];
  const link = host.links.find((l) => l.name === veth);
  return [
    ...(link ? [{ text: formatLink(link.name, asAttrs(link)), ns: 'host', kind: 'link', key: link.name }] : []),
    ...host.routes.filter((r) => r.dev === veth || r.nexthops.some((h) => h.dev === veth)).map((r) => ({ text: formatRoute(asAttrs(r)), ns: 'host', kind: 'route', key: r.key })),
    ...host.sysctls.filter((s) => s.path.split('/').includes(veth)).map((s) => ({ text: `${s.path.replace(/\//g, '.')} = ${s.value}`, ns: 'host', kind: 'sysctl', key: s.path })),
  ];
}

/** Findings whose subject or evidence is about this pod or its host veth. */
function findingsOfPod(pod: Pod, findings: readonly FindingFieldsFragment[]): FindingFieldsFragment[] {
  const veth = pod.hostVeth;
  const netns = pod.namespace.replace(/^pod:/, '');
  return findings.filter(
    (f) =>
      f.subject === pod.namespace ||
      f.subject === `pod:${netns}` ||
      (veth !== null && veth !== undefined && f.subject === `veth:${veth}`) ||
      evidenceOf(f).some((e) => e.ns === pod.namespace || (veth ? e.ns === 'host' && (e.key === veth || e.key.split('/').includes(veth)) : false)),
  );
}

function Side({ title, lines, flagged }: { title: string; lines: Line[]; flagged: Map<string, string> }) {
  return (
    <div className="pod-side">
      <h4>{title}</h4>
      {lines.length === 0 ? <p className="card-note">nothing captured</p> : null}
      <ul>
        {lines.map((line) => {
          const by = flagged.get(`${line.ns}|${line.kind}|${line.key}`);
          return (
            <li key={`${line.kind}|${line.key}`} className={by ? 'flag' : undefined} data-evidence={by ? 'true' : undefined}>
              {line.text}
              {by ? <span> — evidence of {by}</span> : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function describeEvidence(e: EvidenceFact): string {
  const where = e.ns === 'host' ? 'host' : e.ns;
  if (e.attrs === null) return `${e.kind} ${e.key} is absent (${where})`;
  const value = typeof e.attrs['value'] === 'string' ? ` = ${e.attrs['value']}` : '';
  return `${e.kind} ${e.key}${value} (${where})`;
}

/**
 * Each pod next to the host side of its veth, with the findings open at that instant and their
 * evidence; with `node`, a live proxy-ARP check and "Trace to…" (at `at`, the page's instant) per pod.
 */
export function PodsView({ state, findings, node, at }: { state: State; findings: readonly FindingFieldsFragment[]; node?: string; at?: string }) {
  if (state.pods.length === 0) return <EmptyState title="No pods">No pod network namespaces were captured on this node at that time.</EmptyState>;
  return (
    <div>
      {state.pods.map((pod) => {
        const mine = findingsOfPod(pod, findings);
        const flagged = new Map<string, string>();
        for (const f of mine) for (const e of evidenceOf(f)) flagged.set(`${e.ns}|${e.kind}|${e.key}`, f.rule);
        return (
          <section className="pod" key={pod.namespace} aria-label={`Pod ${pod.name}`} data-pod={pod.name}>
            <h3>
              <span className="mono">{pod.name}</span>
              {pod.hostVeth ? (
                <span className="card-note" style={{ margin: 0 }}>
                  {' '}
                  ↔ host veth <span className="mono">{pod.hostVeth}</span>
                </span>
              ) : (
                <span className="card-note" style={{ margin: 0 }}>
                  {' '}
                  (no host veth paired)
                </span>
              )}
              {node ? <VerifyProxyArpButton node={node} pod={pod.name} /> : null}
            </h3>
            {node ? <TraceToForm node={node} pod={pod.name} at={at} /> : null}
            {mine.length > 0 ? (
              <ul className="findings-list pod-findings" aria-label={`Findings on ${pod.name}`}>
                {mine.map((f) => (
                  <li key={f.id} data-rule={f.rule}>
                    <div className="finding-head">
                      <SeverityBadge severity={f.severity} /> <strong>{f.title}</strong> <code>{f.rule}</code>
                    </div>
                    <p className="finding-message">{f.message}</p>
                    <ul className="change-summary" aria-label="Evidence">
                      {evidenceOf(f).map((e) => (
                        <li key={`${e.ns}|${e.kind}|${e.key}`} className="mono">
                          {describeEvidence(e)}
                        </li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
            ) : null}
            <div className="pod-sides">
              <Side title="Inside the pod" lines={podLines(pod)} flagged={flagged} />
              <Side title={`On the host (${pod.hostVeth ?? 'no veth'})`} lines={hostLines(pod, state)} flagged={flagged} />
            </div>
          </section>
        );
      })}
    </div>
  );
}
