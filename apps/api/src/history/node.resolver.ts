import { Args, Context, GraphQLISODateTime, Int, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphqlContext } from '../graphql/graphql-context';
import { CoverageService } from './coverage.service';
import { FactChangeService } from './fact-change.service';
import { HistoryLoaderRegistry } from './history-loaders';
import { NodeDirectoryService } from './node-directory.service';
import { NodeStateService } from './node-state.service';
import { CoverageGap, CoverageInterval } from './types/coverage.type';
import { FactChangeConnection } from './types/fact-change.type';
import { Node, NodeStatus } from './types/node.type';
import { NodeState } from './types/node-state.type';

/** Node's computed fields; each goes through the operation's loaders, so lists stay batched. */
@Resolver(() => Node)
export class NodeResolver {
  constructor(
    private readonly loaders: HistoryLoaderRegistry,
    private readonly directory: NodeDirectoryService,
    private readonly coverageService: CoverageService,
    private readonly states: NodeStateService,
    private readonly changeService: FactChangeService,
  ) {}

  @ResolveField(() => NodeStatus)
  status(@Parent() node: Node, @Context() context: GraphqlContext): NodeStatus {
    return this.directory.status(node, this.loaders.for(context).now);
  }

  @ResolveField(() => [CoverageInterval], {
    description:
      'When the node was reporting, clipped to [from, to] (default: first seen until now). An interval lasts until its last snapshot plus gap factor x the reporting interval.',
  })
  coverage(
    @Parent() node: Node,
    @Args('from', { type: () => GraphQLISODateTime, nullable: true }) from: Date | null,
    @Args('to', { type: () => GraphQLISODateTime, nullable: true }) to: Date | null,
    @Context() context: GraphqlContext,
  ): Promise<CoverageInterval[]> {
    return this.coverageService.intervals(this.loaders.for(context), node, from, to);
  }

  @ResolveField(() => [CoverageGap], { description: 'Stretches of [from, to] (default: first seen until now) without data: the complement of coverage.' })
  gaps(
    @Parent() node: Node,
    @Args('from', { type: () => GraphQLISODateTime, nullable: true }) from: Date | null,
    @Args('to', { type: () => GraphQLISODateTime, nullable: true }) to: Date | null,
    @Context() context: GraphqlContext,
  ): Promise<CoverageGap[]> {
    return this.coverageService.gaps(this.loaders.for(context), node, from, to);
  }

  @ResolveField(() => NodeState, { description: 'The facts valid at `at` (default: now).' })
  state(
    @Parent() node: Node,
    @Args('at', { type: () => GraphQLISODateTime, nullable: true }) at: Date | null,
    @Context() context: GraphqlContext,
  ): Promise<NodeState> {
    return this.states.stateAt(this.loaders.for(context), node, at);
  }

  @ResolveField(() => Int, {
    description:
      'How many changes `changes(from, to)` lists over all its pages, less the facts of the node’s first snapshot (its first-seen event, not changes): changes in (from, to] after firstSeenAt, `to` defaulting to now. The window is at most 31 days. Batched: one statement for every node of a list.',
  })
  changeCount(
    @Parent() node: Node,
    @Args('from', { type: () => GraphQLISODateTime }) from: Date,
    @Args('to', { type: () => GraphQLISODateTime, nullable: true }) to: Date | null,
    @Context() context: GraphqlContext,
  ): Promise<number> {
    return this.changeService.nodeChangeCount(this.loaders.for(context), node, from, to);
  }

  @ResolveField(() => FactChangeConnection, {
    description: 'Changes in (from, to], ordered by (at, namespace, kind, key). The window is at most 31 days; 100 per page by default, at most 1000.',
  })
  changes(
    @Parent() node: Node,
    @Args('from', { type: () => GraphQLISODateTime }) from: Date,
    @Args('to', { type: () => GraphQLISODateTime }) to: Date,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 100 }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Context() context: GraphqlContext,
  ): Promise<FactChangeConnection> {
    return this.changeService.nodeChanges(this.loaders.for(context), node, from, to, first, after);
  }
}
