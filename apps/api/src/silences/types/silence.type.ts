import { Field, GraphQLISODateTime, ID, InputType, ObjectType } from '@nestjs/graphql';

@ObjectType({
  description:
    'An acknowledged group of findings: `rule` on `node` (null = every node) for subjects matching `subjectPattern` (null = every subject), with a reason, until expiresAt or revokedAt. Silenced findings are still evaluated and listed (Finding.silencedBy).',
})
export class Silence {
  @Field(() => ID)
  id!: string;

  @Field()
  rule!: string;

  @Field(() => String, { nullable: true, description: 'the node it covers; null = every node' })
  node!: string | null;

  @Field(() => String, { nullable: true, description: 'a subject with `*` wildcards (e.g. `address:*`); null = every subject' })
  subjectPattern!: string | null;

  @Field()
  reason!: string;

  @Field({ description: 'the name of the token that created it' })
  createdBy!: string;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime)
  expiresAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  revokedAt!: Date | null;

  @Field({ description: 'active now: created, not expired, not revoked' })
  active!: boolean;
}

@InputType()
export class SilenceInput {
  @Field({ description: 'a rule id of the catalogue (Query.rules)' })
  rule!: string;

  @Field(() => String, { nullable: true, description: 'one node by name; null = every node' })
  node?: string | null;

  @Field(() => String, { nullable: true, description: 'a subject with `*` wildcards, e.g. `address:*`; null = every subject' })
  subjectPattern?: string | null;

  @Field({ description: 'why (shown with the silenced findings); not empty' })
  reason!: string;

  @Field(() => GraphQLISODateTime, { description: 'in the future, at most 90 days ahead' })
  expiresAt!: Date;
}
