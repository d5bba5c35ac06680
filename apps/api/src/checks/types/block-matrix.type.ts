import { Field, GraphQLISODateTime, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSON } from '../../history/types/json.scalar';

export enum BlockCellStatusValue {
  OWNER = 'OWNER',
  OK = 'OK',
  MISSING = 'MISSING',
  WRONG_NODE = 'WRONG_NODE',
  SPLIT = 'SPLIT',
  STALE = 'STALE',
}
registerEnumType(BlockCellStatusValue, {
  name: 'BlockCellStatus',
  valuesMap: {
    OWNER: { description: 'this node owns the block' },
    OK: { description: 'routed to the owner' },
    MISSING: { description: 'no route to the block' },
    WRONG_NODE: { description: 'routed via a node that does not own it' },
    SPLIT: { description: 'ECMP route whose next hops are not all the owner' },
    STALE: { description: 'routed to a node that no longer owns it or is gone' },
  },
});

@ObjectType()
export class BlockCell {
  @Field()
  node!: string;

  @Field(() => BlockCellStatusValue)
  status!: BlockCellStatusValue;

  @Field(() => String, { nullable: true, description: 'what is wrong, for a cell that is not OK' })
  detail!: string | null;

  @Field(() => GraphQLJSON, { description: 'the facts behind the cell: [{node, ns, kind, key, attrs}]' })
  evidence!: unknown;
}

@ObjectType()
export class BlockRow {
  @Field()
  cidr!: string;

  @Field()
  owner!: string;

  @Field(() => [BlockCell])
  cells!: BlockCell[];
}

@ObjectType({ description: 'How every Calico node routes every owned IPAM block, at one instant' })
export class BlockMatrix {
  @Field(() => GraphQLISODateTime)
  at!: Date;

  @Field(() => [String])
  nodes!: string[];

  @Field(() => [BlockRow])
  blocks!: BlockRow[];
}
