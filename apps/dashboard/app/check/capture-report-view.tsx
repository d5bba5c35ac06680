'use client';

import { memo, useEffect, useMemo, useRef, useState } from 'react';
import type { CaptureFinding, CaptureReport } from '../lib/data';
import { formatFact, type FactKindName } from '../lib/fact-format';
import { SeverityBadge } from '../ui/badges';
import { EmptyState } from '../ui/empty-state';
import { buildLadders, describeFrame, framesOf } from './arp-ladder';
import { ArpLadderView } from './arp-ladder-view';
import { captureLines, formatLineRanges } from './capture-text';

type SectionStatus = CaptureReport['coverage'][number]['status'];

const STATUS: Record<SectionStatus, { label: string; tone: string }> = {
  READ: { label: 'Read', tone: 'ok' },
  PARTIAL: { label: 'Partial', tone: 'warn' },
  UNSUPPORTED: { label: 'Unsupported', tone: 'neutral' },
};

/** What is highlighted in the pasted text, and why. */
interface Highlight {
  key: string;
  lines: number[];
  what: string;
}

const FACT_KINDS = new Set(['netns', 'link', 'address', 'route', 'neighbor', 'sysctl']);

/** One evidence item in words: facts as the node pages print them, frames and peers as captured. */
function describeEvidence(item: unknown): string {
  const e = item && typeof item === 'object' ? (item as { kind?: unknown; key?: unknown; attrs?: unknown; ns?: unknown }) : {};
  const kind = typeof e.kind === 'string' ? e.kind : 'evidence';
  const key = typeof e.key === 'string' ? e.key : '';
  const ns = typeof e.ns === 'string' && e.ns !== 'host' ? ` (${e.ns})` : '';
  if (FACT_KINDS.has(kind)) return `${e.attrs === null ? `absent: ${key}` : formatFact(kind.toUpperCase() as FactKindName, key, e.attrs)}${ns}`;
  if (kind === 'frame') {
    const [frame] = framesOf([item]);
    if (frame) return `line ${frame.line}: ${frame.time ? `${frame.time} ` : ''}${frame.interface ? `${frame.interface} ` : ''}${describeFrame(frame)}`;
  }
  if (kind === 'bgp-peer' && e.attrs && typeof e.attrs === 'object') {
    const p = e.attrs as Record<string, unknown>;
    return `BGP peer ${String(p.peer)} (${String(p.type)}): ${String(p.state)}${p.info ? ` — ${String(p.info)}` : ''}`;
  }
  if (kind === 'assumption') {
    const reason = e.attrs && typeof e.attrs === 'object' ? (e.attrs as { reason?: unknown }).reason : undefined;
    return `assumed: ${typeof reason === 'string' ? reason : key}`;
  }
  return `${kind} ${key}${ns}`;
}

function findingKey(list: string, f: CaptureFinding, i: number): string {
  return `${list}|${f.rule}|${f.node}|${f.subject}|${i}`;
}

function FindingItems({ list, findings, highlight, onHighlight }: { list: 'finding' | 'passed'; findings: readonly CaptureFinding[]; highlight?: Highlight; onHighlight: (h: Highlight) => void }) {
  return (
    <ul className="findings-list" data-testid={list === 'finding' ? 'capture-findings' : 'capture-passed'}>
      {findings.map((f, i) => {
        const key = findingKey(list, f, i);
        const selected = highlight?.key === key;
        return (
          <li key={key} data-rule={f.rule} data-node={f.node} data-selected={selected ? 'true' : undefined}>
            <div className="finding-head">
              {list === 'passed' ? <span className="badge ok">Passed</span> : <SeverityBadge severity={f.severity} />}
              <strong>{f.title}</strong>
              <span className="mono">{f.node}</span>
            </div>
            <p className="finding-message">{f.message}</p>
            <p className="finding-times">
              <code>{f.rule}</code> · {f.subject}
              {f.lines.length > 0 ? (
                <>
                  {' · '}
                  <button type="button" className="linkish" aria-pressed={selected} onClick={() => onHighlight({ key, lines: f.lines, what: `${f.rule} on ${f.node}` })}>
                    show {formatLineRanges(f.lines)} in the capture
                  </button>
                </>
              ) : (
                ' · read from the parsed sections (no single line)'
              )}
            </p>
            {Array.isArray(f.evidence) && f.evidence.length > 0 ? (
              <details>
                <summary className="card-note">Evidence ({f.evidence.length})</summary>
                <ul className="evidence-lines">
                  {(f.evidence as unknown[]).map((item, j) => (
                    <li key={j}>
                      <code>{describeEvidence(item)}</code>
                    </li>
                  ))}
                </ul>
              </details>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

const CaptureLine = memo(function CaptureLine({ number, text, highlighted }: { number: number; text: string; highlighted: boolean }) {
  return (
    <li id={`capture-line-${number}`} className={highlighted ? 'hl' : undefined} data-line={number} data-highlighted={highlighted ? 'true' : undefined}>
      <span className="ln" aria-hidden="true">
        {number}
      </span>
      {highlighted ? <mark>{text || ' '}</mark> : <span>{text || ' '}</span>}
    </li>
  );
});

/** The pasted text with line numbers; highlighted lines are marked and the first is scrolled into view. */
function CaptureTextView({ lines, highlight }: { lines: readonly string[]; highlight?: Highlight }) {
  const marked = useMemo(() => new Set(highlight?.lines ?? []), [highlight]);
  const listRef = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const first = highlight?.lines[0];
    if (first === undefined) return;
    listRef.current?.querySelector(`#capture-line-${first}`)?.scrollIntoView?.({ block: 'center', behavior: 'smooth' });
  }, [highlight]);
  return (
    <section className="card capture-text-card" aria-labelledby="capture-text-title">
      <h2 id="capture-text-title">Pasted text</h2>
      <p className="card-note" aria-live="polite" data-testid="highlight-status">
        {highlight ? `Highlighted: ${formatLineRanges(highlight.lines)} (${highlight.what}).` : 'Select a finding, a frame or a section to light up its lines.'}
      </p>
      {/* Scrollable region: focusable so keyboard users can scroll it. */}
      <div className="capture-text" tabIndex={0} role="region" aria-label="Pasted text with line numbers">
        <ol ref={listRef} className="capture-lines" data-testid="capture-lines">
          {lines.map((text, i) => (
            <CaptureLine key={i} number={i + 1} text={text} highlighted={marked.has(i + 1)} />
          ))}
        </ol>
      </div>
    </section>
  );
}

/** The API's report on a pasted capture, next to the text it was made from (line numbers refer to it). */
export function CaptureReportView({ report, text }: { report: CaptureReport; text: string }) {
  const [highlight, setHighlight] = useState<Highlight | undefined>();
  const lines = useMemo(() => captureLines(text), [text]);
  const ladders = useMemo(() => buildLadders([...report.passed, ...report.findings]), [report]);
  const showLine = (line: number, what: string) => setHighlight({ key: `line|${line}|${what}`, lines: [line], what });
  const counts = report.coverage.reduce<Record<SectionStatus, number>>((c, s) => ({ ...c, [s.status]: c[s.status] + 1 }), { READ: 0, PARTIAL: 0, UNSUPPORTED: 0 });

  return (
    <div className="capture-report" data-testid="capture-report">
      {report.unreadable ? (
        <section className="notice warn" role="status" aria-labelledby="unreadable-title">
          <h2 id="unreadable-title">No section of this text could be read</h2>
          <p>{report.unreadable}</p>
        </section>
      ) : null}
      <div className="grid-2 capture-grid">
        <div>
          <section className="card" aria-labelledby="capture-findings-title">
            <h2 id="capture-findings-title">Findings</h2>
            {report.findings.length === 0 ? (
              <EmptyState title="No finding">Nothing in what could be read departs from the Calico proxy-ARP model{report.notChecked.length > 0 ? ' (see what could not be checked below)' : ''}.</EmptyState>
            ) : (
              <FindingItems list="finding" findings={report.findings} highlight={highlight} onHighlight={setHighlight} />
            )}
          </section>

          {report.passed.length > 0 ? (
            <section className="card" aria-labelledby="capture-passed-title">
              <h2 id="capture-passed-title">Passed evidence</h2>
              <FindingItems list="passed" findings={report.passed} highlight={highlight} onHighlight={setHighlight} />
            </section>
          ) : null}

          {ladders.length > 0 ? (
            <section className="card" aria-labelledby="capture-ladder-title">
              <h2 id="capture-ladder-title">ARP exchange</h2>
              <p className="card-note">The frames the findings quote, in capture order: the pod’s eth0 on the left, its host veth on the right.</p>
              {ladders.map((ladder) => (
                <ArpLadderView key={ladder.id} ladder={ladder} onShowLine={(line) => showLine(line, `frame on ${ladder.host.label}`)} />
              ))}
            </section>
          ) : null}

          <section className="card" aria-labelledby="capture-nodes-title">
            <h2 id="capture-nodes-title">Nodes</h2>
            <div className="table-wrap" tabIndex={0}>
              <table className="data" data-testid="capture-nodes">
                <thead>
                  <tr>
                    <th scope="col">Node</th>
                    <th scope="col">CNI</th>
                    <th scope="col">Mode</th>
                    <th scope="col" className="num">Namespaces</th>
                    <th scope="col" className="num">Facts</th>
                  </tr>
                </thead>
                <tbody>
                  {report.nodes.map((n) => (
                    <tr key={n.node} data-node={n.node}>
                      <th scope="row" className="mono">
                        {n.node}
                      </th>
                      <td>{n.cni}</td>
                      <td>{n.mode ?? 'not told'}</td>
                      <td className="num">{n.namespaces}</td>
                      <td className="num">{n.facts}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>

          <section className="card" aria-labelledby="capture-coverage-title">
            <h2 id="capture-coverage-title">Coverage</h2>
            <p className="card-note" data-testid="coverage-summary">
              {report.coverage.length} section{report.coverage.length === 1 ? '' : 's'}: {counts.READ} read, {counts.PARTIAL} partial, {counts.UNSUPPORTED} unsupported
            </p>
            <ul className="coverage-list" data-testid="capture-coverage">
              {report.coverage.map((s) => (
                <li key={`${s.headerLine}|${s.command}|${s.node ?? ''}`} data-status={s.status} data-line={s.headerLine}>
                  <span className={`badge ${STATUS[s.status].tone}`}>{STATUS[s.status].label}</span>{' '}
                  {s.headerLine > 0 ? (
                    <button type="button" className="linkish" onClick={() => showLine(s.headerLine, `section ${s.command}`)}>
                      line {s.headerLine}
                    </button>
                  ) : (
                    <span className="card-note">no header</span>
                  )}{' '}
                  <code>{s.command}</code>
                  {s.node ? <span className="card-note"> · node {s.node}</span> : null}
                  {s.ns !== 'host' ? <span className="card-note"> · {s.ns}</span> : null}
                  {s.format && s.status !== 'UNSUPPORTED' ? <span className="card-note"> · read as {s.format}</span> : null}
                  {s.reason ? <span className="coverage-reason">{s.reason}</span> : null}
                </li>
              ))}
            </ul>
            {report.notChecked.length > 0 ? (
              <>
                <h3>Not checked</h3>
                <ul className="not-checked" data-testid="capture-not-checked">
                  {report.notChecked.map((sentence) => (
                    <li key={sentence}>{sentence}</li>
                  ))}
                </ul>
              </>
            ) : null}
          </section>
        </div>
        <CaptureTextView lines={lines} highlight={highlight} />
      </div>
    </div>
  );
}
