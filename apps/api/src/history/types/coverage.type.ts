import { Field, GraphQLISODateTime, Int, ObjectType } from '@nestjs/graphql';

/**
 * A stretch of time in which the node was reporting, clipped to the requested window. `end`
 * is the last snapshot plus the grace a silence is allowed (gap factor x reporting interval),
 * never later than now or the next interval's start.
 */
@ObjectType()
export class CoverageInterval {
  @Field(() => GraphQLISODateTime)
  start!: Date;

  @Field(() => GraphQLISODateTime)
  end!: Date;

  @Field(() => GraphQLISODateTime, { description: 'takenAt of the last snapshot in this interval (not clipped)' })
  lastSnapshotAt!: Date;

  @Field(() => Int, { description: 'snapshots received in this interval (changed or not)' })
  snapshots!: number;
}

/** A stretch of time without data: the node was not reporting, so nothing is known about it. */
@ObjectType()
export class CoverageGap {
  @Field(() => GraphQLISODateTime)
  start!: Date;

  @Field(() => GraphQLISODateTime)
  end!: Date;
}
