import { Field, GraphQLISODateTime, ObjectType, registerEnumType } from '@nestjs/graphql';
import { SCOPES, type Scope } from './scopes';

/** GraphQL enum names cannot hold "-": the scope `probe-runner` is the enum value `probe_runner`. */
export const TokenScope = Object.fromEntries(SCOPES.map((s) => [s.replace(/-/g, '_'), s])) as Record<string, Scope>;
registerEnumType(TokenScope, {
  name: 'TokenScope',
  description:
    'what a token may do: ingest (post snapshots), read (queries, subscriptions), triage (silence and revoke silences of findings), probe (request live probes), probe_runner (the probe-runner scope: pull and answer probes, held by collectors), admin (everything, token administration)',
});

/** A token as operators see it: never its secret, never its hash. */
@ObjectType({ description: 'an API token (the secret is shown once, when it is created or rotated)' })
export class ApiToken {
  @Field({ description: 'unique among the tokens not revoked; a rotated token keeps its name' })
  name!: string;

  @Field(() => [TokenScope])
  scopes!: Scope[];

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'null: never expires' })
  expiresAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'last accepted use, at most a minute behind per API replica; null: never used' })
  lastUsedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'null: not revoked' })
  revokedAt!: Date | null;
}

@ObjectType({ description: 'a new token and its secret, which the API never shows again' })
export class CreatedToken {
  @Field(() => ApiToken)
  token!: ApiToken;

  @Field({ description: 'the bearer token to use (Authorization: Bearer <secret>)' })
  secret!: string;
}
