import { Args, Context, ID, Int, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import type { ProbeResult } from '@routescope/probe';
import { RequireScope } from '../auth/scopes';
import type { GraphqlContext } from '../graphql/graphql-context';
import { HistoryError, HistoryErrorCode } from '../history/history.errors';
import { forwardPage } from '../history/relay-connection';
import { PROBE_UPDATED, ProbeEvents, type ProbeUpdatedEvent } from './probe-events';
import { ProbeError, ProbeErrorCode } from './probes.errors';
import type { ProbeRow } from './probes.repository';
import { ProbesService } from './probes.service';
import { Probe, ProbeConnection, ProbeFilter, RequestProbeInput, type ProbeKindValue, type ProbeStateValue, type ProbeVerdictValue } from './types/probe.type';

const PAGE = { default: 50, max: 500 };

@Resolver(() => Probe)
@RequireScope('read')
export class ProbesResolver {
  constructor(
    private readonly service: ProbesService,
    private readonly events: ProbeEvents,
  ) {}

  @Mutation(() => Probe, { description: 'queue a live probe for the node’s collector (needs the probe scope); one at a time per node' })
  @RequireScope('probe')
  async requestProbe(@Args('input', { type: () => RequestProbeInput }) input: RequestProbeInput, @Context() context: GraphqlContext): Promise<Probe> {
    return toProbe(await this.service.request({ node: input.node, pod: input.pod, kind: input.kind, target: input.target }, context.req.principal));
  }

  @Query(() => Probe, { description: 'one probe, with its state, verdict and captures' })
  async probe(@Args('id', { type: () => ID }) id: string): Promise<Probe> {
    const row = await this.service.get(id);
    if (!row) throw new ProbeError(ProbeErrorCode.ProbeNotFound, `no probe has the id "${id.slice(0, 80)}"`);
    return toProbe(row);
  }

  @Query(() => ProbeConnection, { description: 'probes, newest request first' })
  async probes(
    @Args('filter', { type: () => ProbeFilter, nullable: true }) filter: ProbeFilter | null,
    @Args('first', { type: () => Int, nullable: true, defaultValue: PAGE.default }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<ProbeConnection> {
    const size = first ?? PAGE.default;
    if (!Number.isInteger(size) || size < 1 || size > PAGE.max) throw new HistoryError(HistoryErrorCode.InvalidArgument, `first must be between 1 and ${PAGE.max}`);
    if (filter?.from && filter.to && filter.from > filter.to) throw new HistoryError(HistoryErrorCode.InvalidTimeRange, 'filter.from must not be after filter.to');
    const rows = await this.service.find({
      node: filter?.node ?? undefined,
      pod: filter?.pod ?? undefined,
      kind: filter?.kind ?? undefined,
      verdict: filter?.verdict ?? undefined,
      from: filter?.from ?? undefined,
      to: filter?.to ?? undefined,
      after: after ? decodeProbeCursor(after) : undefined,
      limit: size + 1,
    });
    return forwardPage(rows, size, (row) => ({ cursor: encodeProbeCursor(row), node: toProbe(row) }));
  }

  @Subscription(() => Probe, {
    description: 'a probe changed state (queued, dispatched, done, expired, collector-unreachable); only the probe `id` when given',
    filter: (payload: { probeUpdated: ProbeUpdatedEvent }, variables: { id?: string | null }) => !variables.id || payload.probeUpdated.id === variables.id,
    async resolve(this: ProbesResolver, payload: { probeUpdated: ProbeUpdatedEvent }): Promise<Probe | null> {
      const row = await this.service.get(payload.probeUpdated.id);
      return row ? toProbe(row) : null;
    },
  })
  probeUpdated(@Args('id', { type: () => ID, nullable: true }) _id: string | null) {
    return this.events.pubsub.asyncIterableIterator(PROBE_UPDATED);
  }
}

export function toProbe(row: ProbeRow): Probe {
  const result = (row.result ?? null) as ProbeResult | null;
  return {
    id: row.id,
    node: row.node,
    pod: row.pod,
    kind: row.kind as ProbeKindValue,
    target: row.target,
    state: row.state as ProbeStateValue,
    verdict: row.verdict as ProbeVerdictValue | null,
    reason: row.reason,
    requestedBy: row.requestedBy,
    requestedAt: row.requestedAt,
    dispatchedAt: row.dispatchedAt,
    finishedAt: row.finishedAt,
    startedAt: result ? new Date(result.startedAt) : null,
    timeoutMs: row.timeoutMs,
    captures: result?.captures.map((c) => ({ point: c.point, device: c.device, netns: c.netns ?? null, lines: c.lines, frames: c.frames })) ?? [],
    ping: result?.ping ?? null,
    path: result?.path ?? null,
    stateVersionAt: row.stateVersionAt,
    snapshotTakenAt: row.snapshotTakenAt,
  };
}

function encodeProbeCursor(row: ProbeRow): string {
  return Buffer.from(`${row.requestedAt.toISOString()}|${row.id}`).toString('base64url');
}

function decodeProbeCursor(cursor: string): { requestedAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const requestedAt = new Date(at ?? '');
  if (Number.isNaN(requestedAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id ?? '')) throw new HistoryError(HistoryErrorCode.InvalidCursor, `after: "${cursor}" is not a probes cursor`);
  return { requestedAt, id: id ?? '' };
}
