import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { load } from '../../lib/data';
import { nodeHref, reviewHref } from '../../lib/links';
import { formatUtc } from '../../lib/time';
import { ApiProblemPanel } from '../../ui/api-problem-panel';
import { LiveUpdates } from '../../ui/live-updates';
import { buildProbeLadder } from '../probe-ladder';
import { ProbeLadderView } from '../probe-ladder-view';
import { fetchProbe, type ProbeDetail } from '../probe-data';

export const metadata: Metadata = { title: 'Probe' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const STATE_TEXT: Record<ProbeDetail['state'], string> = {
  QUEUED: 'Queued: waiting for the node’s collector to take it…',
  DISPATCHED: 'Running: the collector is capturing…',
  DONE: 'Done',
  EXPIRED: 'Expired: no collector of the node took it in time (is its collector running with --probes?)',
  COLLECTOR_UNREACHABLE: 'Collector unreachable: it took the probe but sent no result in time',
};

const VERDICT_TEXT: Record<NonNullable<ProbeDetail['verdict']>, { text: string; good: boolean }> = {
  VERIFIED: { text: 'Verified: the pod’s ARP for 169.254.1.1 was answered is-at ee:ee:ee:ee:ee:ee by its host veth, and its pings were answered', good: true },
  NO_ARP_REPLY: { text: 'No ARP reply: the pod asked who-has 169.254.1.1 and nobody answered', good: false },
  WRONG_MAC: { text: 'Wrong MAC: 169.254.1.1 was answered with a MAC other than ee:ee:ee:ee:ee:ee', good: false },
  ARP_OK_NO_ECHO: { text: 'ARP answered, but no echo reply came back', good: false },
  NO_FRAMES: { text: 'No frames: no ARP request for 169.254.1.1 was captured', good: false },
  ANSWERED: { text: 'Answered: the target replied to the pod’s pings', good: true },
  NOT_ANSWERED: { text: 'Not answered: the target did not reply', good: false },
  UNAVAILABLE: { text: 'Unavailable: the probe could not run', good: false },
};

const KIND_TEXT: Record<ProbeDetail['kind'], string> = { PROXY_ARP: 'proxy-ARP probe', PATH: 'path probe' };

export default async function ProbePage(props: PageProps<'/probes/[id]'>) {
  const { id } = await props.params;
  if (!UUID.test(id)) notFound();
  const loaded = await load(() => fetchProbe(id));
  if (!loaded.ok) {
    return (
      <>
        <h1>Probe</h1>
        <ApiProblemPanel problem={loaded.problem} context="The probe could not load" />
      </>
    );
  }
  const probe = loaded.data;
  if (!probe) notFound();
  const running = probe.state === 'QUEUED' || probe.state === 'DISPATCHED';
  const verdict = probe.verdict ? VERDICT_TEXT[probe.verdict] : undefined;
  const ladder = buildProbeLadder(probe.captures);
  const at = probe.snapshotTakenAt ?? probe.requestedAt;
  const end = probe.finishedAt ?? probe.requestedAt;
  return (
    <>
      <div className="page-head">
        <h1>
          {KIND_TEXT[probe.kind]} of pod <span className="mono">{probe.pod}</span> on <Link href={nodeHref(probe.node)}>{probe.node}</Link>
          {probe.target ? (
            <>
              {' '}
              to <span className="mono">{probe.target}</span>
            </>
          ) : null}
        </h1>
        {running ? <LiveUpdates node={probe.node} /> : null}
      </div>
      <section className="card" aria-labelledby="probe-status-title">
        <h2 id="probe-status-title">Status</h2>
        <p role="status" data-testid="probe-state" data-state={probe.state}>
          {STATE_TEXT[probe.state]}
        </p>
        {verdict ? (
          <p className={`badge ${verdict.good ? 'ok' : 'bad'}`} data-testid="probe-verdict" data-verdict={probe.verdict}>
            {verdict.text}
          </p>
        ) : null}
        {probe.reason ? <p>{probe.reason}</p> : null}
        <dl className="probe-facts">
          <dt>Requested</dt>
          <dd>
            {formatUtc(probe.requestedAt)} by <span className="mono">{probe.requestedBy}</span>
          </dd>
          {probe.dispatchedAt ? (
            <>
              <dt>Taken by the collector</dt>
              <dd>{formatUtc(probe.dispatchedAt)}</dd>
            </>
          ) : null}
          {probe.finishedAt ? (
            <>
              <dt>Finished</dt>
              <dd>{formatUtc(probe.finishedAt)}</dd>
            </>
          ) : null}
          {probe.ping ? (
            <>
              <dt>Pings</dt>
              <dd>
                {probe.ping.received} of {probe.ping.sent} answered
              </dd>
            </>
          ) : null}
          {probe.path ? (
            <>
              <dt>Path</dt>
              <dd data-testid="probe-path" data-answered={probe.path.answered}>
                {probe.path.leftPod ? 'left the pod' : 'never left the pod'}
                {probe.path.egressDevice ? `; the route leaves by ${probe.path.egressDevice}` : '; no route to the target'}
                {probe.path.leftNode ? '; left the node' : ''}
                {probe.path.answered ? '; answered' : probe.path.stoppedAt ? `; stopped: ${probe.path.stoppedAt}` : ''}
              </dd>
            </>
          ) : null}
        </dl>
        <p>
          <Link href={nodeHref(probe.node, { at, tab: 'pods' })}>State of {probe.node} at {formatUtc(at)}</Link>
          {probe.stateVersionAt !== null ? ` (state version ${probe.stateVersionAt})` : ''} ·{' '}
          <Link href={reviewHref(new Date(Date.parse(probe.requestedAt) - 15 * 60_000), new Date(Date.parse(end) + 60_000))}>Changes and findings around it</Link>
        </p>
      </section>
      {probe.state === 'DONE' ? (
        <>
          <section className="card" aria-labelledby="probe-ladder-heading">
            <h2 id="probe-ladder-heading">Ladder</h2>
            <ProbeLadderView ladder={ladder} />
          </section>
          <section className="card" aria-labelledby="probe-raw-title">
            <h2 id="probe-raw-title">Raw tcpdump -e lines</h2>
            {probe.captures.map((capture) => (
              <div key={capture.point}>
                <h3>
                  {capture.point} · <span className="mono">{capture.device}</span>
                  {capture.netns ? (
                    <>
                      {' '}
                      in <span className="mono">{capture.netns}</span>
                    </>
                  ) : null}
                </h3>
                <pre className="probe-raw mono" data-testid={`probe-raw-${capture.point}`} tabIndex={0} aria-label={`tcpdump lines on ${capture.device}`}>
                  {capture.lines.join('\n') || '(nothing captured)'}
                </pre>
              </div>
            ))}
          </section>
        </>
      ) : null}
    </>
  );
}
