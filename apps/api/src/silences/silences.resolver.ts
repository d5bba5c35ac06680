import { Args, Context, GraphQLISODateTime, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { RequireScope } from '../auth/scopes';
import { Finding } from '../checks/types/finding.type';
import type { GraphqlContext } from '../graphql/graphql-context';
import { SilencesService } from './silences.service';
import { Silence, SilenceInput } from './types/silence.type';

@Resolver(() => Silence)
export class SilencesResolver {
  constructor(private readonly service: SilencesService) {}

  @Query(() => [Silence], { description: 'silences active at `activeAt`, or every silence (expired and revoked too) when it is null; newest first' })
  @RequireScope('read')
  silences(@Args('activeAt', { type: () => GraphQLISODateTime, nullable: true }) activeAt: Date | null): Promise<Silence[]> {
    return this.service.list(activeAt);
  }

  @Mutation(() => Silence, {
    description: 'Triage: silences the findings of `rule` on `node` (every node when null) whose subject matches `subjectPattern` (every subject when null), until expiresAt (at most 90 days ahead). Audited.',
  })
  @RequireScope('triage')
  silenceFindings(@Args('input', { type: () => SilenceInput }) input: SilenceInput, @Context() context: GraphqlContext): Promise<Silence> {
    return this.service.silence(input, context.req.principal?.tokenName ?? 'unknown');
  }

  @Mutation(() => Silence, { description: 'Triage: ends a silence now (one already expired or revoked is returned as it is). Audited.' })
  @RequireScope('triage')
  revokeSilence(@Args('id', { type: () => ID }) id: string, @Context() context: GraphqlContext): Promise<Silence> {
    return this.service.revoke(id, context.req.principal?.tokenName ?? 'unknown');
  }
}

@Resolver(() => Finding)
@RequireScope('read')
export class FindingSilenceResolver {
  constructor(private readonly silences: SilencesService) {}

  @ResolveField(() => Silence, { nullable: true, description: 'the active silence covering this finding now (the newest, if several), or null' })
  silencedBy(@Parent() finding: Finding, @Context() context: object): Promise<Silence | null> {
    return this.silences.silencing(context, finding);
  }
}
