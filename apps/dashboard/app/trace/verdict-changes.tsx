import Link from 'next/link';
import { changeDiffHref, hrefWith } from '../lib/links';
import { formatUtc, toIso } from '../lib/time';
import type { TraceChangesView, TraceQuestion } from './trace-data';
import { verdictText } from './trace-verdict';

/** "Verdict changed at …": each flip in the window before the instant, with the changes that made it (cited first). */
export function VerdictChanges({ changes, question }: { changes: TraceChangesView; question: TraceQuestion }) {
  const traceAt = (at: string) => hrefWith('/trace', { node: question.node, pod: question.pod, to: question.to, at: toIso(new Date(at)) });
  if (changes.flips.length === 0) {
    return (
      <p data-testid="trace-changes">
        The verdict did not change between {formatUtc(changes.from)} and {formatUtc(changes.to)} (it was {verdictText(changes.initial)})
        {changes.complete ? '' : `, as far as the scan got (${formatUtc(changes.checkedThrough)})`}.
      </p>
    );
  }
  return (
    <div data-testid="trace-changes">
      <h3 id="trace-changes-title">
        Verdict changes from {formatUtc(changes.from)} to {formatUtc(changes.to)}
      </h3>
      <ol className="findings-list" aria-labelledby="trace-changes-title">
        {changes.flips.map((flip) => {
          const decisive = flip.changes.filter((c) => c.cited);
          const shown = decisive.length > 0 ? decisive : flip.changes.slice(0, 5);
          return (
            <li key={flip.at} data-testid="trace-flip" data-after={flip.after}>
              Verdict changed at <Link href={traceAt(flip.at)}>{formatUtc(flip.at)}</Link>: {verdictText(flip.before)} → {verdictText(flip.after)}. {flip.detail}
              <ul className="change-summary" aria-label={`Changes at ${formatUtc(flip.at)}`}>
                {shown.map((c) => (
                  <li key={`${c.node}|${c.namespace}|${c.kind}|${c.key}`} className="mono">
                    <Link href={changeDiffHref(c.node, flip.at)}>
                      {c.change.toLowerCase()} {c.kind.toLowerCase()} {c.key}
                    </Link>{' '}
                    ({c.node}
                    {c.namespace === 'host' ? '' : ` ${c.namespace}`})
                  </li>
                ))}
              </ul>
            </li>
          );
        })}
      </ol>
      {changes.complete ? null : <p className="card-note">Only the changes up to {formatUtc(changes.checkedThrough)} were traced.</p>}
    </div>
  );
}
