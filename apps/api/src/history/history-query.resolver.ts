import { Args, Context, GraphQLISODateTime, Int, Query, Resolver } from '@nestjs/graphql';
import { RequireScope } from '../auth/scopes';
import type { GraphqlContext } from '../graphql/graphql-context';
import { FactChangeService } from './fact-change.service';
import { HistoryLoaderRegistry } from './history-loaders';
import { NodeDirectoryService } from './node-directory.service';
import { StateDiffService } from './state-diff.service';
import { ClusterChangeConnection } from './types/fact-change.type';
import { ChangeRateBucket } from './types/change-rate.type';
import { Node, NodeConnection, NodeFilter, NodeOrder } from './types/node.type';
import { StateDiff } from './types/state-diff.type';

/** The history root fields. Resolvers only translate arguments; services decide. */
@Resolver()
@RequireScope('read')
export class HistoryQueryResolver {
  constructor(
    private readonly loaders: HistoryLoaderRegistry,
    private readonly directory: NodeDirectoryService,
    private readonly changes: FactChangeService,
    private readonly diffs: StateDiffService,
  ) {}

  @Query(() => NodeConnection, {
    description:
      'Nodes in `orderBy` order (default: by name), ties by name; 50 per page by default, at most 500. A cursor continues the ordering it came from, judged at the first page’s instant (`asOf`).',
  })
  nodes(
    @Args('filter', { type: () => NodeFilter, nullable: true }) filter: NodeFilter | null,
    @Args('orderBy', { type: () => NodeOrder, nullable: true }) orderBy: NodeOrder | null,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Context() context: GraphqlContext,
  ): Promise<NodeConnection> {
    return this.directory.list(this.loaders.for(context), filter, orderBy, first, after);
  }

  @Query(() => Node, { description: 'One node by name; NOT_FOUND when it never posted a snapshot.' })
  node(@Args('name') name: string, @Context() context: GraphqlContext): Promise<Node> {
    return this.directory.get(this.loaders.for(context), name);
  }

  @Query(() => StateDiff, {
    description:
      'What differs between two states: `diff(node, from, to)` compares one node at two times, `diff(node, otherNode, at)` two nodes at one time. Any other combination is BAD_USER_INPUT.',
  })
  diff(
    @Args('node') node: string,
    @Args('from', { type: () => GraphQLISODateTime, nullable: true }) from: Date | null,
    @Args('to', { type: () => GraphQLISODateTime, nullable: true }) to: Date | null,
    @Args('otherNode', { type: () => String, nullable: true }) otherNode: string | null,
    @Args('at', { type: () => GraphQLISODateTime, nullable: true }) at: Date | null,
    @Context() context: GraphqlContext,
  ): Promise<StateDiff> {
    return this.diffs.diff(this.loaders.for(context), { node, from, to, otherNode, at });
  }

  @Query(() => ClusterChangeConnection, {
    description:
      'Every change of every node in (from, to], ordered by (at, node, namespace, kind, key): the incident timeline. A node’s first snapshot is its first-seen event, not changes: its facts are left out unless `includeFirstSeen` (so the edges add up to clusterChangeRate’s counts). The window is at most 31 days; 100 per page by default, at most 1000.',
  })
  clusterChanges(
    @Args('from', { type: () => GraphQLISODateTime }) from: Date,
    @Args('to', { type: () => GraphQLISODateTime }) to: Date,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 100 }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
    @Args('includeFirstSeen', { type: () => Boolean, nullable: true, defaultValue: false, description: 'also list the facts of nodes’ first snapshots in the window (as ADDED)' })
    includeFirstSeen: boolean | null,
  ): Promise<ClusterChangeConnection> {
    return this.changes.clusterChanges(from, to, first, after, includeFirstSeen ?? false);
  }

  @Query(() => [ChangeRateBucket], {
    description:
      'The rate of change of the whole cluster: changes of every node in (from, to] counted in `buckets` equal buckets (every bucket listed, empty ones with 0), bucket i covering (from + i·w, from + (i+1)·w] with w = (to − from) / buckets. Counts add up to the edges of clusterChanges(from, to); nodes first seen are counted apart (firstSeen). The window is at most 31 days; 1 to 1000 buckets, none shorter than 1 ms.',
  })
  clusterChangeRate(
    @Args('from', { type: () => GraphQLISODateTime }) from: Date,
    @Args('to', { type: () => GraphQLISODateTime }) to: Date,
    @Args('buckets', { type: () => Int }) buckets: number,
  ): Promise<ChangeRateBucket[]> {
    return this.changes.clusterChangeRate(from, to, buckets);
  }
}
