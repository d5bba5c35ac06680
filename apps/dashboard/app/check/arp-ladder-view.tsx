import type { Ladder } from './arp-ladder';

/**
 * One ladder: the pod's eth0 on the left, the host's cali veth on the right, each frame an arrow
 * in capture order. Arrows are list items with their words (screen readers read "pod to host:
 * ARP request…"); the drawing is CSS. Each step's line button lights the frame up in the capture.
 */
export function ArpLadderView({ ladder, onShowLine }: { ladder: Ladder; onShowLine: (line: number) => void }) {
  const titleId = `ladder-${ladder.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return (
    <figure className="ladder" aria-labelledby={titleId} data-testid="arp-ladder">
      <figcaption id={titleId}>
        {ladder.pod.label} ↔ {ladder.host.label} on node <span className="mono">{ladder.node}</span>
      </figcaption>
      <div className="ladder-ends" aria-hidden="true">
        <span>
          <strong>{ladder.pod.label}</strong>
          {ladder.pod.ip || ladder.pod.mac ? <span className="mono">{[ladder.pod.ip, ladder.pod.mac].filter(Boolean).join(' · ')}</span> : null}
        </span>
        <span>
          <strong>{ladder.host.label}</strong>
          {ladder.host.mac ? <span className="mono">{ladder.host.mac}</span> : null}
        </span>
      </div>
      <ol className="ladder-steps">
        {ladder.steps.map((step) => (
          <li key={step.line} className={`ladder-step ${step.direction}`} data-direction={step.direction}>
            <span className="ladder-time mono">{step.time ?? ''}</span>
            <span className="ladder-arrow">
              <span className="visually-hidden">{step.direction === 'to-host' ? 'pod to host: ' : 'host to pod: '}</span>
              <span className="ladder-label mono">{step.label}</span>
              {step.macs ? <span className="ladder-macs mono">{step.macs}</span> : null}
            </span>
            <button type="button" className="secondary ladder-line" onClick={() => onShowLine(step.line)} aria-label={`Show line ${step.line} in the capture`}>
              line {step.line}
            </button>
          </li>
        ))}
      </ol>
      {ladder.unanswered ? (
        <p className="ladder-note" data-testid="ladder-unanswered">
          No reply to the pod’s ARP request in the capture.
        </p>
      ) : null}
    </figure>
  );
}
