import { Field, Float, GraphQLISODateTime, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PageInfo } from './page-info.type';

export enum NodeStatus {
  REPORTING = 'REPORTING',
  SILENT = 'SILENT',
}

registerEnumType(NodeStatus, {
  name: 'NodeStatus',
  description: 'SILENT when the newest snapshot is older than gap factor (default 3) x the reporting interval',
  valuesMap: { REPORTING: { description: 'posting snapshots' }, SILENT: { description: 'no snapshot for longer than the gap threshold' } },
});

/** A node that has posted at least one snapshot. */
@ObjectType()
export class Node {
  /** The database id, for loaders; not exposed. */
  nodeId!: number;

  @Field()
  name!: string;

  @Field(() => GraphQLISODateTime, { description: 'takenAt of its first snapshot' })
  firstSeenAt!: Date;

  @Field(() => GraphQLISODateTime, { description: 'takenAt of its newest snapshot' })
  lastSeenAt!: Date;

  @Field(() => GraphQLISODateTime, { description: 'when the API received its newest snapshot' })
  lastReceivedAt!: Date;

  @Field(() => Float, { description: 'estimated from consecutive snapshots' })
  reportingIntervalSeconds!: number;

  @Field(() => Int, { description: 'increments with every snapshot that changed something' })
  stateVersion!: number;

  @Field(() => String, { nullable: true })
  kernel!: string | null;

  @Field(() => String, { nullable: true })
  iproute2!: string | null;

  @Field(() => String, { nullable: true })
  collectorVersion!: string | null;
}

@InputType()
export class NodeFilter {
  @Field(() => String, { nullable: true, description: 'case-insensitive substring of the name' })
  nameContains?: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'only nodes whose newest snapshot was taken at or after this time' })
  seenSince?: Date | null;
}

@ObjectType()
export class NodeEdge {
  @Field()
  cursor!: string;

  @Field(() => Node)
  node!: Node;
}

@ObjectType()
export class NodeConnection {
  @Field(() => [NodeEdge])
  edges!: NodeEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'nodes matching the filter, over all pages' })
  totalCount!: number;
}
