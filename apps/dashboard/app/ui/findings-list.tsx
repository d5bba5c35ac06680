import Link from 'next/link';
import type { ReactNode } from 'react';
import type { Finding, Rule } from '../lib/data';
import { changeDiffHref, diffHref, nodeHref } from '../lib/links';
import { podOfSubject } from '../lib/probe-format';
import { formatDuration, formatUtc } from '../lib/time';
import { SeverityBadge } from './badges';
import { EmptyState } from './empty-state';

const MINUTE = 60_000;

/**
 * Findings with their node, subject, and the times they opened and resolved; each links to what changed just before it opened.
 * `podAction` renders a control beside an open finding about a pod (the Verify proxy ARP button, where the page offers it).
 */
export function FindingsList({ findings, rules, showNode, emptyTitle, emptyText, now, podAction }: { findings: readonly Finding[]; rules?: Map<string, Rule>; showNode: boolean; emptyTitle: string; emptyText: string; now: Date; podAction?: (finding: Finding, pod: string) => ReactNode }) {
  if (findings.length === 0) return <EmptyState title={emptyTitle}>{emptyText}</EmptyState>;
  return (
    <ul className="findings-list" data-testid="findings-list">
      {findings.map((f) => {
        const opened = Date.parse(f.openedAt);
        const rule = rules?.get(f.rule);
        const pod = f.open && podAction ? podOfSubject(f.subject) : undefined;
        return (
          <li key={f.id} data-rule={f.rule} data-node={f.node} data-open={f.open}>
            <div className="finding-head">
              <SeverityBadge severity={f.severity} />
              <strong>{f.title}</strong>
              {showNode ? (
                <Link className="mono" href={nodeHref(f.node)}>
                  {f.node}
                </Link>
              ) : null}
              {!f.open ? <span className="badge neutral">resolved</span> : null}
              {pod && podAction ? podAction(f, pod) : null}
            </div>
            <p className="finding-message">{f.message}</p>
            <p className="finding-times">
              <code>{f.rule}</code> · {f.subject} · opened <time dateTime={f.openedAt}>{formatUtc(f.openedAt)}</time>
              {f.resolvedAt ? (
                <>
                  {' '}
                  · resolved <time dateTime={f.resolvedAt}>{formatUtc(f.resolvedAt)}</time> (after {formatDuration(Date.parse(f.resolvedAt) - opened)})
                </>
              ) : (
                ` · open for ${formatDuration(now.getTime() - opened)}`
              )}{' '}
              · <Link href={changeDiffHref(f.node, f.openedAt)}>the change that opened it</Link> · <Link href={diffHref(f.node, new Date(opened - 15 * MINUTE), new Date(opened))}>what changed before it opened</Link>
            </p>
            {rule ? (
              <details>
                <summary className="card-note">Why it matters and what to do</summary>
                <p className="finding-message">{rule.explanation}</p>
                <p className="finding-message">
                  <strong>Remediation:</strong> {rule.remediation}
                </p>
              </details>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
