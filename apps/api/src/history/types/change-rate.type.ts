import { Field, GraphQLISODateTime, Int, ObjectType } from '@nestjs/graphql';

/** One bar of the cluster's rate of change: the changes of every node recorded in (start, end]. */
@ObjectType({ description: 'The changes of every node recorded in (start, end]: one bucket of clusterChangeRate' })
export class ChangeRateBucket {
  @Field(() => GraphQLISODateTime, { description: 'exclusive; rounded down to the millisecond' })
  start!: Date;

  @Field(() => GraphQLISODateTime, { description: 'inclusive; rounded down to the millisecond' })
  end!: Date;

  @Field(() => Int, { description: 'changes, counted like the edges of clusterChanges over the same window: a node’s first snapshot is not a change (see firstSeen)' })
  count!: number;

  @Field(() => Int, { description: 'distinct nodes with at least one change in the bucket' })
  nodeCount!: number;

  @Field(() => Int, { description: 'nodes first seen in the bucket: their first snapshot is in it (its facts are not counted as changes)' })
  firstSeen!: number;
}
