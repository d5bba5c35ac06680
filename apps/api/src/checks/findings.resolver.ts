import { Args, Context, GraphQLISODateTime, Int, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import { RequireScope } from '../auth/scopes';
import { ClusterChange } from '../history/types/fact-change.type';
import { Node } from '../history/types/node.type';
import { FindingChangesService } from './finding-changes.service';
import { FINDING_CHANGED, FindingEvents, type FindingChangedEvent } from './finding-events';
import { FindingsService } from './findings.service';
import { Finding, FindingChanged, FindingConnection, FindingFilter, FindingGroup, Rule } from './types/finding.type';

@Resolver(() => Finding)
@RequireScope('read')
export class FindingsResolver {
  constructor(
    private readonly service: FindingsService,
    private readonly events: FindingEvents,
    private readonly changes: FindingChangesService,
  ) {}

  @Query(() => FindingConnection, { description: 'findings, newest first; `filter.openAt: now` lists what is wrong now' })
  findings(
    @Args('filter', { type: () => FindingFilter, nullable: true }) filter: FindingFilter | null,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 100 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<FindingConnection> {
    return this.service.findings(filter, first, after);
  }

  @Query(() => [FindingGroup], {
    description: 'the findings `filter` selects, grouped by rule and subject kind and counted (in SQL, without loading them); by severity (critical first), then findingCount, largest first',
  })
  findingGroups(@Args('filter', { type: () => FindingFilter, nullable: true }) filter: FindingFilter | null): Promise<FindingGroup[]> {
    return this.service.groups(filter);
  }

  @ResolveField(() => [ClusterChange], {
    description: 'the changes of the finding’s node recorded at its openedAt (the snapshot whose change opened it; none when another node’s change did), those its evidence names first',
  })
  openingChanges(
    @Parent() finding: Finding,
    @Context() context: object,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number | null,
  ): Promise<ClusterChange[]> {
    return this.changes.changesAt(context, finding, finding.openedAt, first);
  }

  @ResolveField(() => [ClusterChange], { description: 'the changes of the finding’s node recorded at its resolvedAt, those its evidence names first; empty while it is open' })
  resolvingChanges(
    @Parent() finding: Finding,
    @Context() context: object,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number | null,
  ): Promise<ClusterChange[]> {
    return this.changes.changesAt(context, finding, finding.resolvedAt, first);
  }

  @Query(() => [Rule], { description: 'the rule catalogue, with why each rule matters and what to do' })
  rules(): Rule[] {
    return this.service.rules();
  }

  @Subscription(() => FindingChanged, {
    filter: (payload: { findingChanged: FindingChangedEvent }, variables: { node?: string | null }) => !variables.node || payload.findingChanged.node === variables.node,
  })
  findingChanged(@Args('node', { type: () => String, nullable: true }) _node: string | null) {
    return this.events.pubsub.asyncIterableIterator(FINDING_CHANGED);
  }
}

@Resolver(() => Node)
export class NodeFindingsResolver {
  constructor(private readonly service: FindingsService) {}

  @ResolveField(() => [Finding], { description: 'this node’s findings open at `openAt`, or all of them (open and resolved) when omitted' })
  findings(
    @Parent() node: Node,
    @Context() context: object,
    @Args('openAt', { type: () => GraphQLISODateTime, nullable: true }) openAt: Date | null,
  ): Promise<Finding[]> {
    return this.service.nodeFindings(context, node.nodeId, openAt);
  }
}
