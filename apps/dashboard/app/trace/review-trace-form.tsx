import { toIso } from '../lib/time';

/**
 * "Trace to…" in the incident review: any pod (or node) to an address through the recorded state at
 * the end of the review window, with the verdict's changes over the whole window.
 */
export function ReviewTraceForm({ from, to }: { from: Date; to: Date }) {
  return (
    <section className="card" aria-labelledby="review-trace-title">
      <h2 id="review-trace-title">Trace to…</h2>
      <p className="card-note">Walk a packet through the recorded state at the end of the window, and see when in the window its verdict changed.</p>
      <form className="probe-trace" method="get" action="/trace" aria-labelledby="review-trace-title">
        <input type="hidden" name="at" value={toIso(to)} />
        <input type="hidden" name="since" value={toIso(from)} />
        <label>
          Node <input type="text" name="node" className="mono" required size={18} spellCheck={false} autoComplete="off" />
        </label>
        <label>
          Pod (netns or name, optional) <input type="text" name="pod" className="mono" size={18} spellCheck={false} autoComplete="off" />
        </label>
        <label>
          To <input type="text" name="to" className="mono" required size={16} placeholder="10.244.1.2" spellCheck={false} autoComplete="off" />
        </label>
        <button type="submit" className="secondary">
          Trace to…
        </button>
      </form>
    </section>
  );
}
