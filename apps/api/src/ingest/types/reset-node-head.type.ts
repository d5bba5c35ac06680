import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'What resetNodeHead did (also written to the audit log).' })
export class ResetNodeHeadResult {
  @Field()
  node!: string;

  @Field(() => GraphQLISODateTime, { description: 'the `to` asked for' })
  to!: Date;

  @Field(() => GraphQLISODateTime, { description: 'the node’s head (takenAt of its newest snapshot) before the reset' })
  previousHead!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'the node’s head now, at or before `to`; null when the node had nothing at or before `to` and was removed' })
  head!: Date | null;

  @Field({ description: 'the node had no history at or before `to`: it was removed (its next snapshot creates it again)' })
  removed!: boolean;

  @Field(() => Int, { description: 'fact rows that began after `to`, deleted' })
  factsDeleted!: number;

  @Field(() => Int, { description: 'fact rows true at `to` and closed after it, open again' })
  factsReopened!: number;

  @Field(() => Int, { description: 'coverage intervals that began after `to`, deleted (one running past `to` ends at `to`)' })
  coverageDeleted!: number;

  @Field(() => Int, { description: 'snapshot records taken after `to`, deleted' })
  snapshotsDeleted!: number;

  @Field(() => Int, { description: 'findings opened after `to`, deleted (findings resolved after `to` are open again)' })
  findingsDeleted!: number;

  @Field(() => ID, { description: 'the audit_log row that records who did this, when and what' })
  auditId!: string;
}
