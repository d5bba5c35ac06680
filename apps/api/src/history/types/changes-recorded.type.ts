import { Field, GraphQLISODateTime, Int, ObjectType } from '@nestjs/graphql';

/** Published after every ingested snapshot that changed a node's state. */
@ObjectType()
export class ChangesRecorded {
  @Field()
  node!: string;

  @Field()
  snapshotId!: string;

  @Field(() => GraphQLISODateTime)
  takenAt!: Date;

  @Field(() => Int, { description: 'fact keys the snapshot added, removed or changed: what Node.changes lists at takenAt' })
  changes!: number;

  @Field(() => Int)
  stateVersion!: number;
}
