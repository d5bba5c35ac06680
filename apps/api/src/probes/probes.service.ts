import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { probeFinding, type ProbeOutcome } from '@routescope/checks';
import { PROBE_KINDS, PROBE_LIMITS, validateProbeResult, type ProbeJob, type ProbeKind, type ProbeResult } from '@routescope/probe';
import type { Principal } from '../auth/scopes';
import { FindingEvents } from '../checks/finding-events';
import { FindingsRepository } from '../checks/findings.repository';
import { API_CONFIG, type ApiConfig } from '../config/api-config';
import { FactStore } from '../history/fact-store.service';
import { ProbeEvents } from './probe-events';
import { ProbeMetrics } from './probe-metrics';
import { ProbeError, ProbeErrorCode } from './probes.errors';
import { ProbesRepository, type ProbeQuery, type ProbeRow } from './probes.repository';

/** Capture time of a probe, by kind (the contract allows at most 5 s): a path through a tunnel gets the most. */
export const PROBE_TIMEOUT_MS: Record<ProbeKind, number> = { 'proxy-arp': PROBE_LIMITS.defaultTimeoutMs, path: PROBE_LIMITS.maxTimeoutMs };
/** A dispatched probe whose result is this much later than its timeout is collector-unreachable (time to enter namespaces and post). */
export const PROBE_RESULT_MARGIN_MS = 15_000;
/** How often each replica gives up on overdue probes. */
const SWEEP_MS = 1000;
/** A long-poll also looks again this often: a wake-up lost with a Redis outage delays a job, never loses it. */
const RECHECK_MS = 5000;
export const MAX_WAIT_SECONDS = 30;
export const DEFAULT_WAIT_SECONDS = 25;

export interface ProbeRequest {
  node: string;
  pod: string;
  kind: ProbeKind;
  target?: string | null;
}

/** Live probes: requested over GraphQL, pulled and answered by the node's collector over REST. */
@Injectable()
export class ProbesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProbesService.name);
  private sweeper?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  /**
   * Until when this replica sweeps: while a probe it queued or dispatched could still become
   * overdue (requested + queue time + the longest capture + the result margin). Idle, the API
   * sends no probe statement at all; the replica that queued a probe covers its whole life even
   * when another one dispatched it.
   */
  private sweepUntil = 0;
  private closing = false;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly repository: ProbesRepository,
    private readonly history: FactStore,
    private readonly findings: FindingsRepository,
    private readonly findingEvents: FindingEvents,
    private readonly events: ProbeEvents,
    private readonly metrics: ProbeMetrics,
  ) {}

  onApplicationBootstrap(): void {
    // one sweep after start: probes left queued or dispatched by replicas that stopped
    this.sweepUntil = Date.now() + SWEEP_MS;
    this.sweeper = setInterval(() => {
      if (Date.now() > this.sweepUntil) return;
      this.sweeping ??= this.expireOverdue()
        .catch((error: Error) => this.logger.warn(`probe expiry failed: ${error.message}`))
        .finally(() => (this.sweeping = undefined));
    }, SWEEP_MS);
    this.sweeper.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    this.events.wakeAll();
    clearInterval(this.sweeper);
    await this.sweeping;
  }

  /** Queues a probe after checking that the node and pod exist in the node's current state. */
  async request(input: ProbeRequest, principal: Principal | undefined): Promise<ProbeRow> {
    const invalid = (path: string, message: string) => new ProbeError(ProbeErrorCode.InvalidProbeRequest, `${path}: ${message}`, [{ path, message }]);
    if (!(PROBE_KINDS as readonly string[]).includes(input.kind)) throw invalid('kind', `"${input.kind}" is not a probe kind (${PROBE_KINDS.join(', ')})`);
    const target = input.target ?? null;
    if (input.kind === 'path') {
      if (target === null || target === '') throw invalid('target', 'a path probe needs a target IP address');
      if (isIP(target) === 0) throw invalid('target', `"${target.slice(0, 80)}" is not an IP address literal (IPv4 or IPv6)`);
    } else if (target !== null) {
      throw invalid('target', 'a proxy-arp probe takes no target (it pings the node from the pod)');
    }
    const node = await this.history.node(input.node);
    if (!node) throw invalid('node', `no node called "${input.node.slice(0, 80)}" has reported`);
    const facts = await this.history.stateAt(node.id, node.lastSeenAt);
    const pods = [...new Set(facts.filter((f) => f.ns.startsWith('pod:')).map((f) => f.ns.slice('pod:'.length)))].sort();
    if (!pods.includes(input.pod)) {
      const known = pods.length === 0 ? 'it has no pods' : `its pods: ${pods.slice(0, 10).join(', ')}${pods.length > 10 ? ', …' : ''}`;
      throw invalid('pod', `node ${node.name} has no pod network namespace "${input.pod.slice(0, 80)}" in its current state (${known})`);
    }
    const inserted = await this.repository.insert({
      id: randomUUID(),
      node: node.name,
      pod: input.pod,
      kind: input.kind,
      target,
      requestedBy: principal?.tokenName ?? 'unknown',
      requestedAt: new Date(),
      timeoutMs: PROBE_TIMEOUT_MS[input.kind],
      maxPackets: PROBE_LIMITS.defaultMaxPackets,
      stateVersionAt: node.stateVersion,
      snapshotTakenAt: node.lastSeenAt,
    });
    if (inserted === 'busy') {
      const active = await this.repository.active(node.name);
      throw new ProbeError(
        ProbeErrorCode.ProbeBusy,
        `node ${node.name} is already running a probe${active ? ` (${active.id}, ${active.kind} of ${active.pod}, ${active.state})` : ''}: one probe at a time per node; ask again when it is done`,
      );
    }
    this.metrics.requested.inc({ kind: inserted.kind });
    this.sweepWhileActive();
    await this.events.queued({ id: inserted.id, node: inserted.node });
    this.events.updated({ id: inserted.id, node: inserted.node, state: inserted.state });
    return inserted;
  }

  /**
   * The long-poll of a node's collector: the next queued job (now dispatched), or undefined when
   * none arrived within `waitSeconds` or the client went away.
   */
  async next(node: string, waitSeconds: number, gone: AbortSignal): Promise<ProbeJob | undefined> {
    await this.events.listen();
    const deadline = Date.now() + waitSeconds * 1000;
    this.metrics.waiting.inc();
    try {
      while (!gone.aborted && !this.closing) {
        const wait = this.events.waitForQueued(node);
        try {
          const claimed = await this.repository.claimNext(node, new Date());
          if (claimed) {
            this.sweepWhileActive();
            this.metrics.dispatchSeconds.observe({ kind: claimed.kind }, ((claimed.dispatchedAt ?? new Date()).getTime() - claimed.requestedAt.getTime()) / 1000);
            this.events.updated({ id: claimed.id, node: claimed.node, state: claimed.state });
            return toProbeJob(claimed);
          }
          const left = deadline - Date.now();
          if (left <= 0) return undefined;
          await wakeOrTimeout(wait.woken, Math.min(left, RECHECK_MS), gone);
        } finally {
          wait.cancel();
        }
      }
      return undefined;
    } finally {
      this.metrics.waiting.dec();
    }
  }

  /** A collector's result for a dispatched probe: validated with the contract, stored, judged by the rules. */
  async result(id: string, body: unknown): Promise<ProbeRow> {
    if (!UUID.test(id)) throw new ProbeError(ProbeErrorCode.ProbeNotFound, `no probe has the id "${id.slice(0, 80)}"`);
    const parsed = validateProbeResult(body);
    if (!parsed.ok) {
      const [first] = parsed.issues;
      throw new ProbeError(ProbeErrorCode.InvalidProbeResult, `the result does not follow the probe contract: ${first ? `${first.path}: ${first.message}` : 'invalid'}`, parsed.issues);
    }
    const existing = await this.repository.get(id);
    if (!existing) throw new ProbeError(ProbeErrorCode.ProbeNotFound, `no probe has the id "${id}"`);
    const mismatch = (['kind', 'node', 'pod'] as const).find((field) => parsed.value[field] !== existing[field]);
    if (mismatch) {
      throw new ProbeError(ProbeErrorCode.InvalidProbeResult, `${mismatch}: the result says "${String(parsed.value[mismatch])}", probe ${id} is for "${existing[mismatch]}"`, [{ path: mismatch, message: 'does not match the probe' }]);
    }
    const now = new Date();
    const finished = await this.repository.finish(id, { verdict: parsed.value.verdict, reason: parsed.value.reason ?? null, result: parsed.value, at: now });
    if (!finished) {
      throw new ProbeError(ProbeErrorCode.ProbeNotDispatched, `probe ${id} is ${existing.state}, not waiting for a result${existing.state === 'done' ? ' (it already has one)' : ''}`);
    }
    this.metrics.finished.inc({ kind: finished.kind, state: finished.state, verdict: finished.verdict ?? '' });
    this.events.updated({ id: finished.id, node: finished.node, state: finished.state });
    await this.judge(finished, parsed.value, now);
    return finished;
  }

  get(id: string): Promise<ProbeRow | undefined> {
    return UUID.test(id) ? this.repository.get(id) : Promise.resolve(undefined);
  }

  find(query: ProbeQuery): Promise<ProbeRow[]> {
    return this.repository.find(query);
  }

  /** Keeps sweeping until a probe queued or dispatched now can no longer become overdue. */
  private sweepWhileActive(): void {
    const lastDeadline = Date.now() + this.config.probes.queueSeconds * 1000 + PROBE_LIMITS.maxTimeoutMs + PROBE_RESULT_MARGIN_MS + 2 * SWEEP_MS;
    this.sweepUntil = Math.max(this.sweepUntil, lastDeadline);
  }

  /** Overdue probes given up (every replica sweeps; each row changes once). */
  async expireOverdue(now = new Date()): Promise<void> {
    const changed = await this.repository.expire(now, new Date(now.getTime() - this.config.probes.queueSeconds * 1000), PROBE_RESULT_MARGIN_MS);
    for (const row of changed) {
      this.metrics.finished.inc({ kind: row.kind, state: row.state, verdict: '' });
      this.events.updated({ id: row.id, node: row.node, state: row.state });
    }
  }

  /** PROBE_PROXY_ARP_FAILED opened by a failed proxy-arp probe, resolved by a passing one (libs/checks judgeProbe). */
  private async judge(row: ProbeRow, result: ProbeResult, at: Date): Promise<void> {
    const outcome: ProbeOutcome = { id: row.id, node: row.node, pod: row.pod, kind: row.kind, verdict: result.verdict, reason: result.reason, captures: result.captures };
    const judgement = probeFinding(outcome);
    if (judgement.kind === 'none') return;
    const changed = await this.findings.transaction(async (tx) => {
      const ids = await this.findings.nodeIds(tx, [row.node]);
      const nodeId = ids.get(row.node);
      if (nodeId === undefined) return undefined;
      const open = (await this.findings.openFindings(tx, 'probe', nodeId)).find(
        (f) => f.rule === (judgement.kind === 'open' ? judgement.finding.rule : judgement.rule) && f.subject === (judgement.kind === 'open' ? judgement.finding.subject : judgement.subject),
      );
      if (judgement.kind === 'open') {
        if (open) {
          await this.findings.refresh(tx, open.id, judgement.finding);
          return undefined;
        }
        await this.findings.open(tx, 'probe', nodeId, judgement.finding, at);
        return { change: 'OPENED' as const, rule: judgement.finding.rule, subject: judgement.finding.subject, severity: judgement.finding.severity };
      }
      if (!open) return undefined;
      await this.findings.resolve(tx, open.id, at);
      return { change: 'RESOLVED' as const, rule: open.rule, subject: open.subject, severity: open.severity };
    });
    if (changed) this.findingEvents.changed(changed.change, { node: row.node, rule: changed.rule, subject: changed.subject, severity: changed.severity, at });
  }
}

/** The job as the collector receives it (libs/probe's ProbeJob). */
export function toProbeJob(row: ProbeRow): ProbeJob {
  return { id: row.id, kind: row.kind, node: row.node, pod: row.pod, ...(row.target ? { target: row.target } : {}), timeoutMs: row.timeoutMs, maxPackets: row.maxPackets };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function wakeOrTimeout(woken: Promise<void>, ms: number, gone: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      gone.removeEventListener('abort', done);
      resolve();
    }
    gone.addEventListener('abort', done);
    void woken.then(done);
  });
}
