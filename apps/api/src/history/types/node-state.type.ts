import { Field, GraphQLISODateTime, ObjectType } from '@nestjs/graphql';
import type { StoredFact } from '../fact-entry.mapper';
import { Node } from './node.type';

/**
 * What a node's network looked like at one instant: the facts valid then. Its lists are
 * resolved from `facts` by NodeStateResolver, each optionally filtered by namespace.
 */
@ObjectType({ description: 'The facts of one node valid at `at`; each list takes an optional namespace key (`host`, `pod:<netns name>`).' })
export class NodeState {
  @Field(() => GraphQLISODateTime)
  at!: Date;

  @Field({ description: 'whether the node was reporting at `at`; when false the lists hold the last known facts, not observed ones' })
  covered!: boolean;

  @Field(() => Node)
  node!: Node;

  /** The facts valid at `at`, ordered by namespace, kind and key; not exposed as such. */
  facts!: StoredFact[];
}
