import type { ProbeLadder } from './probe-ladder';

/** The ladder: one column per capture point, each frame an arrow between two of them, at the time tcpdump saw it. */
export function ProbeLadderView({ ladder }: { ladder: ProbeLadder }) {
  const column = (id: string) => ladder.lanes.findIndex((l) => l.id === id);
  const label = (id: string) => ladder.lanes.find((l) => l.id === id)?.label ?? id;
  return (
    <figure className="probe-ladder" aria-labelledby="probe-ladder-title" data-testid="probe-ladder" style={{ ['--lanes' as string]: ladder.lanes.length }}>
      <figcaption id="probe-ladder-title">Frames seen: {ladder.lanes.map((l) => l.label).join(' ↔ ')}</figcaption>
      <div className="probe-lanes" aria-hidden="true">
        {ladder.lanes.map((lane) => (
          <div key={lane.id} className="probe-lane">
            <strong>{lane.label}</strong>
            {lane.mac ? <span className="mono">{lane.mac}</span> : null}
          </div>
        ))}
      </div>
      {ladder.steps.length === 0 ? (
        <p className="ladder-note">No frame was captured.</p>
      ) : (
        <ol className="probe-steps">
          {ladder.steps.map((step) => {
            const from = column(step.from);
            const to = column(step.to);
            return (
              <li key={step.key} className="probe-step" data-from={step.from} data-to={step.to} data-point={step.point}>
                <span className="ladder-time mono">{step.time ?? ''}</span>
                <span className={`probe-arrow ${from < to ? 'right' : 'left'}`} style={{ gridColumn: `${Math.min(from, to) + 2} / ${Math.max(from, to) + 3}` }}>
                  <span className="visually-hidden">
                    {label(step.from)} to {label(step.to)}, seen on {label(step.point)}:{' '}
                  </span>
                  <span className="ladder-label mono">{step.label}</span>
                  {step.macs ? <span className="ladder-macs mono">{step.macs}</span> : null}
                  <span className="probe-seen">seen on {label(step.point)}</span>
                </span>
              </li>
            );
          })}
        </ol>
      )}
    </figure>
  );
}
