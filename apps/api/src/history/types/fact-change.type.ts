import { Field, GraphQLISODateTime, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSON } from './json.scalar';
import { PageInfo } from './page-info.type';

export enum FactKindValue {
  NETNS = 'netns',
  LINK = 'link',
  ADDRESS = 'address',
  ROUTE = 'route',
  NEIGHBOR = 'neighbor',
  SYSCTL = 'sysctl',
}

registerEnumType(FactKindValue, {
  name: 'FactKind',
  valuesMap: {
    NETNS: { description: 'a network namespace (host, or a pod\'s)' },
    LINK: { description: 'an interface' },
    ADDRESS: { description: 'an address on an interface' },
    ROUTE: { description: 'a route in any table' },
    NEIGHBOR: { description: 'a neighbour (ARP/NDP) entry' },
    SYSCTL: { description: 'a sysctl below /proc/sys/net' },
  },
});

export enum FactChangeType {
  ADDED = 'added',
  REMOVED = 'removed',
  CHANGED = 'changed',
}

registerEnumType(FactChangeType, { name: 'FactChangeType' });

/** One fact that appeared, disappeared or changed its attributes at `at`. */
@ObjectType()
export class FactChange {
  @Field(() => GraphQLISODateTime, { description: 'takenAt of the snapshot that recorded the change' })
  at!: Date;

  @Field({
    description: 'true when that snapshot ended a gap in coverage (or was the first): the change happened at an unknown time in the gap, not at `at`',
  })
  afterGap!: boolean;

  @Field({ description: '`host` or `pod:<netns name>`' })
  namespace!: string;

  @Field(() => FactKindValue)
  kind!: FactKindValue;

  @Field()
  key!: string;

  @Field(() => FactChangeType)
  change!: FactChangeType;

  @Field(() => GraphQLJSON, { nullable: true, description: 'attributes before (null when ADDED)' })
  before!: unknown;

  @Field(() => GraphQLJSON, { nullable: true, description: 'attributes after (null when REMOVED)' })
  after!: unknown;
}

@ObjectType()
export class FactChangeEdge {
  @Field()
  cursor!: string;

  @Field(() => FactChange)
  node!: FactChange;
}

@ObjectType({ description: 'Changes ordered by (at, namespace, kind, key).' })
export class FactChangeConnection {
  @Field(() => [FactChangeEdge])
  edges!: FactChangeEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

/** A change of any node: the incident timeline's unit. */
@ObjectType()
export class ClusterChange extends FactChange {
  @Field({ description: 'the node\'s name' })
  node!: string;
}

@ObjectType()
export class ClusterChangeEdge {
  @Field()
  cursor!: string;

  @Field(() => ClusterChange)
  node!: ClusterChange;
}

@ObjectType({ description: 'Changes of every node, ordered by (at, node, namespace, kind, key).' })
export class ClusterChangeConnection {
  @Field(() => [ClusterChangeEdge])
  edges!: ClusterChangeEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
