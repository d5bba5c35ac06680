import { Args, Context, GraphQLISODateTime, Mutation, Resolver } from '@nestjs/graphql';
import { RequireScope } from '../auth/scopes';
import type { GraphqlContext } from '../graphql/graphql-context';
import { NodeHeadRepairService } from './node-head-repair.service';
import { ResetNodeHeadResult } from './types/reset-node-head.type';

@Resolver()
export class NodeHeadRepairResolver {
  constructor(private readonly repair: NodeHeadRepairService) {}

  @Mutation(() => ResetNodeHeadResult, {
    description:
      'Admin: rolls a node back to `to`: facts, coverage, snapshot records and findings after `to` are removed and what was true at `to` is current again, so its head is at or before `to`. For nodes poisoned by a snapshot dated in the future before takenAt was bounded. Audited.',
  })
  @RequireScope('admin')
  resetNodeHead(
    @Args('node', { type: () => String }) node: string,
    @Args('to', { type: () => GraphQLISODateTime }) to: Date,
    @Context() context: GraphqlContext,
  ): Promise<ResetNodeHeadResult> {
    return this.repair.resetNodeHead(node, to, context.req.principal?.tokenName ?? 'unknown');
  }
}
