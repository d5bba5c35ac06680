import { Fragment } from 'react';
import { describeChangedAttributes, formatFact, namespaceLabel, type FactKindName } from '../lib/fact-format';
import type { StateDiffQuery } from '../lib/generated/graphql';
import { formatUtc } from '../lib/time';
import { wordDiff, type Token } from '../lib/word-diff';
import { EmptyState } from './empty-state';

type StateDiff = StateDiffQuery['diff'];
type NamespaceDiff = StateDiff['host'];
type KindDiff = NamespaceDiff['routes'];
type Entry = KindDiff['added'][number];

const SECTIONS: ReadonlyArray<{ field: 'netns' | 'links' | 'addresses' | 'routes' | 'neighbors' | 'sysctls'; kind: FactKindName; title: string }> = [
  { field: 'netns', kind: 'NETNS', title: 'Namespace' },
  { field: 'links', kind: 'LINK', title: 'Links' },
  { field: 'addresses', kind: 'ADDRESS', title: 'Addresses' },
  { field: 'routes', kind: 'ROUTE', title: 'Routes' },
  { field: 'neighbors', kind: 'NEIGHBOR', title: 'Neighbours' },
  { field: 'sysctls', kind: 'SYSCTL', title: 'Sysctls' },
];

type Row = { change: 'added' | 'removed' | 'changed'; entry: Entry };

function rows(diff: KindDiff): Row[] {
  const all: Row[] = [
    ...diff.removed.map((entry) => ({ change: 'removed' as const, entry })),
    ...diff.added.map((entry) => ({ change: 'added' as const, entry })),
    ...diff.changed.map((entry) => ({ change: 'changed' as const, entry })),
  ];
  return all.sort((x, y) => x.entry.key.localeCompare(y.entry.key) || (x.change === 'removed' ? -1 : 1));
}

function Tokens({ tokens }: { tokens: Token[] }) {
  return (
    <code>
      {tokens.map((t, i) => (
        <Fragment key={i}>
          {i > 0 ? ' ' : ''}
          {t.changed ? <mark>{t.text}</mark> : t.text}
        </Fragment>
      ))}
    </code>
  );
}

function Line({ sign, tone, children }: { sign: '+' | '-'; tone: 'added' | 'removed'; children: React.ReactNode }) {
  return (
    <div className={`diff-line diff-${tone}`} data-testid={`diff-line-${tone}`}>
      <span className="diff-sign" aria-hidden="true">
        {sign === '-' ? '−' : '+'}
      </span>
      <span className="visually-hidden">{tone === 'added' ? 'after: ' : 'before: '}</span>
      {children}
    </div>
  );
}

function EntryRow({ kind, row }: { kind: FactKindName; row: Row }) {
  const { entry, change } = row;
  if (change === 'changed') {
    const before = formatFact(kind, entry.key, entry.before);
    const after = formatFact(kind, entry.key, entry.after);
    const words = wordDiff(before, after);
    return (
      <li className="diff-entry" data-change="changed" data-key={entry.key}>
        <Line sign="-" tone="removed">
          <Tokens tokens={words.before} />
        </Line>
        <Line sign="+" tone="added">
          <Tokens tokens={words.after} />
        </Line>
        <div className="diff-meta">changed: {describeChangedAttributes(entry.before, entry.after, entry.changedAttributes)}</div>
      </li>
    );
  }
  const attrs = change === 'added' ? entry.after : entry.before;
  return (
    <li className="diff-entry" data-change={change} data-key={entry.key}>
      <Line sign={change === 'added' ? '+' : '-'} tone={change}>
        <code>{formatFact(kind, entry.key, attrs)}</code>
      </Line>
    </li>
  );
}

function NamespaceBlock({ ns, beforeLabel, afterLabel }: { ns: NamespaceDiff; beforeLabel: string; afterLabel: string }) {
  const id = `diff-${ns.namespace.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
  return (
    <section className="diff-ns" aria-labelledby={id} data-namespace={ns.namespace}>
      <h2 id={id}>
        <span className="mono">{namespaceLabel(ns.namespace)}</span>
        <span className="card-note" style={{ margin: 0 }}>
          {ns.changeCount} difference{ns.changeCount === 1 ? '' : 's'}
          {ns.presence === 'BEFORE_ONLY' ? ` · only in ${beforeLabel}` : ns.presence === 'AFTER_ONLY' ? ` · only in ${afterLabel}` : ''}
        </span>
      </h2>
      {SECTIONS.map(({ field, kind, title }) => {
        const list = rows(ns[field]);
        if (list.length === 0) return null;
        const d = ns[field];
        return (
          <div className="diff-section" key={field} data-section={field}>
            <h3>
              {title}
              <span className="diff-stat-add">+{d.added.length}</span>
              <span className="diff-stat-del">−{d.removed.length}</span>
              {d.changed.length > 0 ? <span>~{d.changed.length} changed</span> : null}
            </h3>
            <ul className="diff-lines" aria-label={`${title} in ${namespaceLabel(ns.namespace)}`}>
              {list.map((row) => (
                <EntryRow key={`${row.change}:${row.entry.key}`} kind={kind} row={row} />
              ))}
            </ul>
          </div>
        );
      })}
    </section>
  );
}

/** A state diff shown like git: per namespace and section, removed facts in red (−), added in green (+), changed as both. */
export function DiffView({ diff }: { diff: StateDiff }) {
  const beforeLabel = diff.mode === 'NODES' ? diff.node : `${formatUtc(diff.beforeAt)}`;
  const afterLabel = diff.mode === 'NODES' ? diff.otherNode : `${formatUtc(diff.afterAt)}`;
  const namespaces = [diff.host, ...diff.pods].filter((ns) => ns.changeCount > 0);
  const count = (pick: (k: KindDiff) => number) => [diff.host, ...diff.pods].reduce((sum, ns) => sum + SECTIONS.reduce((s, { field }) => s + pick(ns[field]), 0), 0);
  return (
    <div className="diff-view" data-testid="diff-view">
      <ul className="diff-summary" aria-label="What is compared">
        <li>
          <span className="diff-stat-del mono" aria-hidden="true">
            −{' '}
          </span>
          before: <strong>{diff.node}</strong> at {formatUtc(diff.beforeAt)}
        </li>
        <li>
          <span className="diff-stat-add mono" aria-hidden="true">
            +{' '}
          </span>
          after: <strong>{diff.otherNode}</strong> at {formatUtc(diff.afterAt)}
        </li>
        <li data-testid="diff-counts">
          {diff.changeCount} difference{diff.changeCount === 1 ? '' : 's'}: <span className="diff-stat-add">{count((k) => k.added.length)} added</span>, <span className="diff-stat-del">{count((k) => k.removed.length)} removed</span>,{' '}
          {count((k) => k.changed.length)} changed
        </li>
      </ul>
      {!diff.beforeCovered || !diff.afterCovered ? (
        <div className="notice warn" role="note">
          <p>
            {!diff.beforeCovered ? `${diff.node} was not reporting at ${formatUtc(diff.beforeAt)}. ` : ''}
            {!diff.afterCovered ? `${diff.otherNode} was not reporting at ${formatUtc(diff.afterAt)}. ` : ''}
            Where a node was not reporting, its side shows the last facts it reported, not observed ones.
          </p>
        </div>
      ) : null}
      {namespaces.length === 0 ? (
        <EmptyState title="No differences">
          <p style={{ margin: 0 }}>
            {beforeLabel} and {afterLabel} have the same facts.
          </p>
        </EmptyState>
      ) : (
        namespaces.map((ns) => <NamespaceBlock key={ns.namespace} ns={ns} beforeLabel={beforeLabel} afterLabel={afterLabel} />)
      )}
    </div>
  );
}
