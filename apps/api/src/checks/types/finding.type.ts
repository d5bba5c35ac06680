import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSON } from '../../history/types/json.scalar';
import { PageInfo } from '../../history/types/page-info.type';

export enum SeverityValue {
  INFO = 'info',
  WARNING = 'warning',
  ERROR = 'error',
  CRITICAL = 'critical',
}
registerEnumType(SeverityValue, { name: 'Severity' });

export enum RuleScopeValue {
  NODE = 'node',
  CLUSTER = 'cluster',
  HISTORY = 'history',
  CAPTURE = 'capture',
  PROBE = 'probe',
}
registerEnumType(RuleScopeValue, {
  name: 'RuleScope',
  description: 'node: one node’s facts; cluster: all nodes’ current facts; history: one node’s recent changes; capture: what a pasted capture observed (tcpdump frames, BGP sessions), checked by checkCapture only; probe: the verdict of a live probe (requestProbe)',
});

@ObjectType({ description: 'A departure from the expected model, open from openedAt until resolvedAt' })
export class Finding {
  @Field(() => ID)
  id!: string;

  @Field()
  node!: string;

  @Field()
  rule!: string;

  @Field(() => RuleScopeValue)
  scope!: RuleScopeValue;

  @Field(() => SeverityValue)
  severity!: SeverityValue;

  @Field()
  title!: string;

  @Field()
  message!: string;

  @Field({ description: 'what it is about: `veth:<name>`, `pod:<netns>`, `block:<cidr>`, `address:<ip>`, `node`…' })
  subject!: string;

  @Field(() => GraphQLJSON, { description: 'the facts that triggered it: [{node, ns, kind, key, attrs}] (attrs null = the fact is absent)' })
  evidence!: unknown;

  @Field(() => GraphQLISODateTime)
  openedAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  resolvedAt!: Date | null;

  @Field()
  open!: boolean;

  /** the node's id, for the fields resolved from history (not in the schema) */
  nodeId?: number;
}

@ObjectType()
export class FindingEdge {
  @Field()
  cursor!: string;

  @Field(() => Finding)
  node!: Finding;
}

@ObjectType()
export class FindingConnection {
  @Field(() => [FindingEdge])
  edges!: FindingEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@InputType()
export class FindingFilter {
  @Field(() => String, { nullable: true })
  node?: string | null;

  @Field(() => String, { nullable: true })
  rule?: string | null;

  @Field(() => [SeverityValue], { nullable: true, description: 'any of these severities' })
  severity?: SeverityValue[] | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'only findings open at this instant' })
  openAt?: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'only findings open at some time in [from, to]' })
  from?: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  to?: Date | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only findings an active silence covers now; false: only those none covers; null: both' })
  silenced?: boolean | null;
}

@ObjectType({ description: 'Findings of one rule about one kind of subject, counted: "56 addresses × 200 nodes"' })
export class FindingGroup {
  @Field()
  rule!: string;

  @Field(() => SeverityValue, { description: 'the highest severity among the group’s findings' })
  severity!: SeverityValue;

  @Field({ description: 'the rule’s title' })
  title!: string;

  @Field({ description: 'the subjects’ prefix before the first `:` (`address`, `veth`, `pod`, `block`…; `node` for the subject `node`)' })
  subjectKind!: string;

  @Field(() => Int)
  findingCount!: number;

  @Field(() => Int, { description: 'distinct nodes' })
  nodeCount!: number;

  @Field(() => Int, { description: 'distinct subjects' })
  subjectCount!: number;

  @Field(() => Int, { description: 'findings an active silence covers now' })
  silencedCount!: number;

  @Field(() => Finding, { description: 'the group’s newest finding' })
  sample!: Finding;
}

@ObjectType({ description: 'A rule of the catalogue' })
export class Rule {
  @Field()
  id!: string;

  @Field(() => RuleScopeValue)
  scope!: RuleScopeValue;

  @Field(() => SeverityValue)
  severity!: SeverityValue;

  @Field()
  title!: string;

  @Field({ description: 'why it matters in the proxy-ARP model' })
  explanation!: string;

  @Field()
  remediation!: string;
}

export enum FindingChangeValue {
  OPENED = 'OPENED',
  RESOLVED = 'RESOLVED',
}
registerEnumType(FindingChangeValue, { name: 'FindingChange' });

@ObjectType()
export class FindingChanged {
  @Field(() => FindingChangeValue)
  change!: FindingChangeValue;

  @Field()
  node!: string;

  @Field()
  rule!: string;

  @Field()
  subject!: string;

  @Field(() => SeverityValue)
  severity!: SeverityValue;

  @Field(() => GraphQLISODateTime)
  at!: Date;
}
