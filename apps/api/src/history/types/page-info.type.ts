import { Field, ObjectType } from '@nestjs/graphql';

/** Relay page information; connections here page forward only (`first`/`after`). */
@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field({ description: 'always false: connections page forward only' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}
