import { Args, GraphQLISODateTime, Int, Query, Resolver } from '@nestjs/graphql';
import { RequireScope } from '../auth/scopes';
import { TraceChangesService } from './trace-changes.service';
import { TraceService } from './trace.service';
import { Trace, TraceChanges, TraceFrom, TraceWindow } from './types/trace.type';

/** The trace root fields. Resolvers only translate arguments; the services decide. */
@Resolver()
@RequireScope('read')
export class TraceResolver {
  constructor(
    private readonly traces: TraceService,
    private readonly changes: TraceChangesService,
  ) {}

  @Query(() => Trace, {
    description:
      'Walks a packet from a pod (or a node) to an address through the nodes’ recorded kernel state at `at` (default: now), both ways, with the facts each decision used. `size` is the whole IP packet (default 84, as ping sends). NOT_FOUND for an unknown node or pod, BAD_USER_INPUT for an address that is not one.',
  })
  trace(
    @Args('from', { type: () => TraceFrom }) from: TraceFrom,
    @Args('to') to: string,
    @Args('at', { type: () => GraphQLISODateTime, nullable: true }) at: Date | null,
    @Args('size', { type: () => Int, nullable: true }) size: number | null,
    @Args('dontFragment', { type: () => Boolean, nullable: true }) dontFragment: boolean | null,
  ): Promise<Trace> {
    return this.traces.trace({ from, to, at, size, dontFragment });
  }

  @Query(() => TraceChanges, {
    description:
      'The instants in `window` (from, to] where the trace’s verdict changed, each with the fact changes recorded at that instant (the ones the traces cite first). The window is at most 7 days; one call traces at most 500 change instants and says how far it got (`complete`, `checkedThrough`).',
  })
  traceChanges(
    @Args('from', { type: () => TraceFrom }) from: TraceFrom,
    @Args('to') to: string,
    @Args('window', { type: () => TraceWindow }) window: TraceWindow,
    @Args('size', { type: () => Int, nullable: true }) size: number | null,
    @Args('dontFragment', { type: () => Boolean, nullable: true }) dontFragment: boolean | null,
  ): Promise<TraceChanges> {
    return this.changes.traceChanges({ from, to, window, size, dontFragment });
  }
}
