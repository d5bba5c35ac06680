import { Field, GraphQLISODateTime, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PageInfo } from '../../history/types/page-info.type';
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

export enum BlockOwnerSourceValue {
  AFFINITY = 'AFFINITY',
  BLACKHOLE = 'BLACKHOLE',
  INFERRED = 'INFERRED',
}
registerEnumType(BlockOwnerSourceValue, {
  name: 'BlockOwnerSource',
  description: 'How the owner of a block was decided',
  valuesMap: {
    AFFINITY: { description: 'the Calico block affinity (the API watches the cluster)' },
    BLACKHOLE: { description: 'the only node with a blackhole route for the block' },
    INFERRED: { description: 'the only node whose pods use addresses of the block (no blackhole route)' },
  },
});

@ObjectType({ description: 'Cells by status' })
export class BlockStatusCounts {
  @Field(() => Int)
  owner!: number;

  @Field(() => Int)
  ok!: number;

  @Field(() => Int)
  missing!: number;

  @Field(() => Int)
  wrongNode!: number;

  @Field(() => Int)
  split!: number;

  @Field(() => Int)
  stale!: number;

  @Field(() => Int, { description: 'cells that need attention: missing + wrongNode + split + stale' })
  problems!: number;
}

@ObjectType({ description: 'How one node routes one block' })
export class BlockCell {
  @Field()
  node!: string;

  @Field(() => BlockCellStatusValue)
  status!: BlockCellStatusValue;

  @Field(() => String, { nullable: true, description: 'what is wrong (the finding’s message), for a cell that is not OK' })
  detail!: string | null;

  @Field(() => GraphQLJSON, { description: 'the facts behind the cell: [{node, ns, kind, key, attrs}] (attrs null: the fact is absent)' })
  evidence!: unknown;
}

@ObjectType({ description: 'One owned IPAM block: its owner, and the nodes that do not route it to its owner' })
export class BlockRow {
  @Field()
  cidr!: string;

  @Field()
  owner!: string;

  @Field(() => BlockOwnerSourceValue)
  ownerSource!: BlockOwnerSourceValue;

  @Field(() => GraphQLJSON, { description: 'the facts that make `owner` the owner (the OWNER cell’s evidence): its blackhole route, or the pod addresses ownership was inferred from; empty for an affinity' })
  ownerEvidence!: unknown;

  @Field(() => BlockStatusCounts, { description: 'this block’s cells by status (one cell per node of BlockMatrix.nodes)' })
  counts!: BlockStatusCounts;

  @Field(() => [BlockCell], {
    description:
      'The cells that need attention (MISSING, WRONG_NODE, SPLIT, STALE), in node order, with their evidence. Sparse: a node of BlockMatrix.nodes that is not listed here is the owner (OWNER) or routes the block to its owner (OK).',
  })
  problems!: BlockCell[];
}

@InputType()
export class BlockFilter {
  @Field(() => Boolean, { nullable: true, description: 'true: only blocks with at least one cell that needs attention' })
  problemsOnly?: boolean | null;

  @Field(() => [String], { nullable: true, description: 'only these blocks (CIDRs, at most 100), e.g. to fetch one block’s evidence' })
  cidrs?: string[] | null;
}

@ObjectType({
  description:
    'How every Calico node routes every owned IPAM block, at one instant: a page of the blocks (in address order, see `blocks`) with the counts of the whole matrix. Cells are listed only where they need attention.',
})
export class BlockMatrix {
  @Field(() => GraphQLISODateTime)
  at!: Date;

  @Field(() => [String], { description: 'the columns: every node where Calico is detected, by name' })
  nodes!: string[];

  @Field(() => Int, { description: 'the number of `nodes`' })
  nodeCount!: number;

  @Field(() => Int, { description: 'blocks with a single owner (the rows of the whole matrix)' })
  blockCount!: number;

  @Field(() => Int, { description: 'blocks with at least one cell that needs attention' })
  problemBlockCount!: number;

  @Field(() => BlockStatusCounts, { description: 'every cell of the whole matrix (not only this page) by status' })
  counts!: BlockStatusCounts;

  @Field(() => Int, { description: 'blocks matching the filter, over all pages' })
  totalCount!: number;

  @Field(() => [BlockRow], { description: 'this page of the blocks matching the filter, in address order' })
  blocks!: BlockRow[];

  @Field(() => PageInfo, { description: 'endCursor continues after this page (`after`)' })
  pageInfo!: PageInfo;
}
