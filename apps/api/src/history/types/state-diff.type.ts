import { Field, GraphQLISODateTime, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSON } from './json.scalar';

export enum DiffMode {
  TIME = 'time',
  NODES = 'nodes',
}

registerEnumType(DiffMode, {
  name: 'DiffMode',
  valuesMap: {
    TIME: { description: 'one node at `from` (before) against itself at `to` (after)' },
    NODES: { description: '`node` (before) against `otherNode` (after), both at `at`' },
  },
});

export enum NamespacePresence {
  BOTH = 'both',
  BEFORE_ONLY = 'beforeOnly',
  AFTER_ONLY = 'afterOnly',
}

registerEnumType(NamespacePresence, { name: 'NamespacePresence' });

/** One fact key that differs between the two states. */
@ObjectType()
export class DiffEntry {
  @Field()
  key!: string;

  @Field(() => GraphQLJSON, { nullable: true })
  before!: unknown;

  @Field(() => GraphQLJSON, { nullable: true })
  after!: unknown;

  @Field(() => [String], { description: 'attribute names whose values differ (all attributes for an added or removed fact)' })
  changedAttributes!: string[];
}

@ObjectType()
export class KindDiff {
  @Field(() => [DiffEntry])
  added!: DiffEntry[];

  @Field(() => [DiffEntry])
  removed!: DiffEntry[];

  @Field(() => [DiffEntry])
  changed!: DiffEntry[];
}

/** The differences within one network namespace, per fact kind. */
@ObjectType()
export class NamespaceDiff {
  @Field({ description: '`host` or `pod:<netns name>`' })
  namespace!: string;

  @Field({ description: '`host` or the netns name' })
  name!: string;

  @Field(() => NamespacePresence)
  presence!: NamespacePresence;

  @Field(() => Int)
  changeCount!: number;

  @Field(() => KindDiff)
  netns!: KindDiff;

  @Field(() => KindDiff)
  links!: KindDiff;

  @Field(() => KindDiff)
  addresses!: KindDiff;

  @Field(() => KindDiff)
  routes!: KindDiff;

  @Field(() => KindDiff)
  neighbors!: KindDiff;

  @Field(() => KindDiff)
  sysctls!: KindDiff;
}

@ObjectType({
  description:
    'The difference between two states (before → after). Pod namespaces are matched by netns name; when comparing two nodes they rarely match, so a pod found on one side only is listed with its presence and its netns entry, not with every fact.',
})
export class StateDiff {
  @Field(() => DiffMode)
  mode!: DiffMode;

  @Field({ description: 'the node of the before state' })
  node!: string;

  @Field({ description: 'the node of the after state (equal to node for a time diff)' })
  otherNode!: string;

  @Field(() => GraphQLISODateTime, { description: 'time of the before state' })
  beforeAt!: Date;

  @Field(() => GraphQLISODateTime, { description: 'time of the after state' })
  afterAt!: Date;

  @Field({ description: 'whether the before node was reporting at beforeAt' })
  beforeCovered!: boolean;

  @Field({ description: 'whether the after node was reporting at afterAt' })
  afterCovered!: boolean;

  @Field(() => Int)
  changeCount!: number;

  @Field(() => NamespaceDiff)
  host!: NamespaceDiff;

  @Field(() => [NamespaceDiff], { description: 'pod namespaces with at least one difference, by namespace key' })
  pods!: NamespaceDiff[];
}
