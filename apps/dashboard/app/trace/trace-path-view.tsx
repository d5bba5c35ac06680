import Link from 'next/link';
import type { TraceEvidenceFieldsFragment } from '../lib/generated/graphql';
import { nodeHref } from '../lib/links';
import type { TraceLegView } from './trace-data';
import { verdictText } from './trace-verdict';

/** The node tab that lists a fact of this kind (pod facts are on the Pods tab). */
function tabFor(evidence: TraceEvidenceFieldsFragment): string {
  if (evidence.namespace !== 'host') return 'pods';
  switch (evidence.kind) {
    case 'ROUTE':
      return 'routes';
    case 'NEIGHBOR':
      return 'neighbors';
    case 'ADDRESS':
      return 'addresses';
    case 'SYSCTL':
      return 'sysctls';
    default:
      return 'links';
  }
}

function attributesText(attributes: unknown): string {
  if (attributes === null || attributes === undefined) return 'absent';
  if (typeof attributes === 'object' && 'value' in attributes && Object.keys(attributes).length === 1) return `= ${String((attributes as { value: unknown }).value)}`;
  return '';
}

/** One deciding fact, linked to its node's state at the trace's instant. */
function Evidence({ evidence, at }: { evidence: TraceEvidenceFieldsFragment; at: string }) {
  const where = evidence.namespace === 'host' ? evidence.node : `${evidence.node} ${evidence.namespace}`;
  return (
    <li className="mono">
      <Link href={nodeHref(evidence.node, { at, tab: tabFor(evidence) })} aria-label={`${evidence.kind.toLowerCase()} ${evidence.key} on ${where} at the trace’s instant`}>
        {evidence.kind.toLowerCase()} {evidence.key}
      </Link>{' '}
      {attributesText(evidence.attributes)} <span className="card-note">({where})</span>
    </li>
  );
}

/** A leg of the trace as a chain of hops, each with the facts that decided it; the stop, when it stopped. */
export function TraceLegDiagram({ title, leg, at, testId }: { title: string; leg: TraceLegView; at: string; testId: string }) {
  const id = `${testId}-title`;
  const notSent = !leg.delivered && !leg.stop && leg.hops.length === 0;
  return (
    <section className="card trace-leg" aria-labelledby={id} data-testid={testId} data-delivered={leg.delivered}>
      <h2 id={id}>
        {title}:{' '}
        {leg.delivered ? <span className="badge ok">delivered</span> : notSent ? <span className="badge neutral">not sent</span> : <span className="badge bad">stopped</span>}
      </h2>
      {notSent ? <p className="card-note">The request never arrived, so there was no reply to walk.</p> : null}
      <ol className="trace-hops">
        {leg.hops.map((hop, i) => (
          <li key={i} className="trace-hop" data-step={hop.step} data-node={hop.node}>
            <div className="trace-hop-head">
              <strong>{hop.node}</strong> <span className="mono">{hop.namespace}</span> <span className="badge neutral">{hop.step}</span>
            </div>
            <p>{hop.detail}</p>
            {hop.evidence.length > 0 ? (
              <ul className="change-summary" aria-label={`Facts deciding ${hop.step} on ${hop.node}`}>
                {hop.evidence.map((e) => (
                  <Evidence key={`${e.node}|${e.namespace}|${e.kind}|${e.key}`} evidence={e} at={at} />
                ))}
              </ul>
            ) : null}
          </li>
        ))}
        {leg.stop ? (
          <li className="trace-hop trace-stop" data-testid={`${testId}-stop`} data-reason={leg.stop.reason}>
            <div className="trace-hop-head">
              <strong>{leg.stop.node}</strong> <span className="mono">{leg.stop.namespace}</span> <span className="badge bad">{verdictText(leg.stop.reason)}</span>
            </div>
            <p>{leg.stop.detail}</p>
            {leg.stop.evidence.length > 0 ? (
              <ul className="change-summary" aria-label={`Facts deciding the stop on ${leg.stop.node}`}>
                {leg.stop.evidence.map((e) => (
                  <Evidence key={`${e.node}|${e.namespace}|${e.kind}|${e.key}`} evidence={e} at={at} />
                ))}
              </ul>
            ) : null}
          </li>
        ) : null}
      </ol>
    </section>
  );
}
