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

  /** The reporting interval as stored (status compares with it exactly as the SQL filter does); not exposed. */
  intervalMs!: number;

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

  @Field(() => Float, {
    nullable: true,
    description:
      "The collector's clock minus the API's, in milliseconds (positive: the collector is ahead), as measured from the API's Date header and reported in the latest snapshot that carried it; null if none did",
  })
  clockSkew!: number | null;
}

@InputType()
export class NodeFilter {
  @Field(() => String, { nullable: true, description: 'case-insensitive substring of the name' })
  nameContains?: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'only nodes whose newest snapshot was taken at or after this time' })
  seenSince?: Date | null;

  @Field(() => NodeStatus, { nullable: true, description: 'only nodes with this status (the same rule as Node.status)' })
  status?: NodeStatus | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only nodes with at least one open finding; false: only nodes without any' })
  hasOpenFindings?: boolean | null;
}

export enum NodeOrderField {
  NAME = 'NAME',
  STATUS = 'STATUS',
  LAST_SEEN = 'LAST_SEEN',
  OPEN_FINDINGS = 'OPEN_FINDINGS',
  CHANGES_24H = 'CHANGES_24H',
}

registerEnumType(NodeOrderField, {
  name: 'NodeOrderField',
  description: 'What `nodes` sorts by; nodes that tie are ordered by name (ascending), so every ordering is total and pages are stable.',
  valuesMap: {
    NAME: { description: 'the node name, byte order' },
    STATUS: { description: 'SILENT before REPORTING (ascending)' },
    LAST_SEEN: { description: 'lastSeenAt' },
    OPEN_FINDINGS: {
      description: 'open findings by severity: more critical ones first decide, then errors, then warnings, then infos (each count capped at 999); ascending puts nodes without findings first',
    },
    CHANGES_24H: { description: 'changes recorded in the 24 hours before the query (what `changeCount(from: now - 24 h)` counts)' },
  },
});

export enum OrderDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}

registerEnumType(OrderDirection, { name: 'OrderDirection' });

@InputType({ description: 'An ordering of `nodes`. A cursor belongs to the ordering it was issued for.' })
export class NodeOrder {
  @Field(() => NodeOrderField, { defaultValue: NodeOrderField.NAME })
  field!: NodeOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC })
  direction!: OrderDirection;
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

  @Field(() => GraphQLISODateTime, {
    description:
      'the instant the status filter, hasOpenFindings and the STATUS, OPEN_FINDINGS and CHANGES_24H orders were judged at: now on a first page, the first page’s instant on the pages after it (the cursor carries it)',
  })
  asOf!: Date;
}
