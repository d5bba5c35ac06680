import { Args, Context, GraphQLISODateTime, Int, Query, Resolver } from '@nestjs/graphql';
import { RequireScope } from '../auth/scopes';
import type { GraphqlContext } from '../graphql/graphql-context';
import { FactChangeService } from './fact-change.service';
import { HistoryLoaderRegistry } from './history-loaders';
import { NodeDirectoryService } from './node-directory.service';
import { StateDiffService } from './state-diff.service';
import { ClusterChangeConnection } from './types/fact-change.type';
import { Node, NodeConnection, NodeFilter } from './types/node.type';
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

  @Query(() => NodeConnection, { description: 'Nodes ordered by name (50 per page by default, at most 500).' })
  nodes(
    @Args('filter', { type: () => NodeFilter, nullable: true }) filter: NodeFilter | null,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<NodeConnection> {
    return this.directory.list(filter, first, after);
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
      'Every change of every node in (from, to], ordered by (at, node, namespace, kind, key): the incident timeline. The window is at most 31 days; 100 per page by default, at most 1000.',
  })
  clusterChanges(
    @Args('from', { type: () => GraphQLISODateTime }) from: Date,
    @Args('to', { type: () => GraphQLISODateTime }) to: Date,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 100 }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<ClusterChangeConnection> {
    return this.changes.clusterChanges(from, to, first, after);
  }
}
