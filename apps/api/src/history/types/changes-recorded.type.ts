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

  @Field(() => Int, { description: 'facts opened plus facts closed by the snapshot' })
  changes!: number;

  @Field(() => Int)
  stateVersion!: number;
}
