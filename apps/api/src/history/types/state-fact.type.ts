import { Field, ObjectType } from '@nestjs/graphql';
import { FactKindValue } from './fact-change.type';
import { GraphQLJSON } from './json.scalar';

@ObjectType({ description: 'A fact as stored: its namespace, kind, key and normalised attributes (libs/snapshot README lists them)' })
export class StateFact {
  @Field({ description: '`host` or `pod:<netns name>`' })
  namespace!: string;

  @Field(() => FactKindValue)
  kind!: FactKindValue;

  @Field()
  key!: string;

  @Field(() => GraphQLJSON)
  attrs!: Record<string, unknown>;
}
