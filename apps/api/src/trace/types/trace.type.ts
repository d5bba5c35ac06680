import { Field, GraphQLISODateTime, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { FactChangeType, FactKindValue } from '../../history/types/fact-change.type';
import { GraphQLJSON } from '../../history/types/json.scalar';

/** libs/trace's verdicts, as GraphQL enum values (REACHABLE, NO_ROUTE, NO_ARP_REPLY, …). */
export enum TraceVerdictValue {
  REACHABLE = 'reachable',
  NO_ROUTE = 'no-route',
  BLACKHOLE = 'blackhole',
  UNREACHABLE = 'unreachable',
  PROHIBIT = 'prohibit',
  NO_ARP_REPLY = 'no-arp-reply',
  FORWARDING_OFF = 'forwarding-off',
  RP_FILTER = 'rp_filter',
  MTU = 'mtu',
  LINK_DOWN = 'link-down',
  UNKNOWN_NEXT_HOP_NODE = 'unknown-next-hop-node',
  NOT_CAPTURED = 'not-captured',
  TTL = 'ttl',
  MISDELIVERED = 'misdelivered',
}

registerEnumType(TraceVerdictValue, {
  name: 'TraceVerdict',
  description: 'REACHABLE (request and reply both delivered), or why and where a leg stopped.',
  valuesMap: {
    REACHABLE: { description: 'the request reached the destination and the reply came back' },
    NO_ROUTE: { description: 'no route for the address in the tables consulted' },
    BLACKHOLE: { description: 'a blackhole route dropped it' },
    UNREACHABLE: { description: 'an unreachable route rejected it' },
    PROHIBIT: { description: 'a prohibit route rejected it' },
    NO_ARP_REPLY: { description: 'the next hop would not be resolved (no neighbour entry, no proxy ARP answer)' },
    FORWARDING_OFF: { description: 'the node would have to forward it with forwarding off' },
    RP_FILTER: { description: 'reverse-path filtering dropped it on the input device' },
    MTU: { description: 'too large for a link on the path with DF set' },
    LINK_DOWN: { description: 'the output link (or the route) is down' },
    UNKNOWN_NEXT_HOP_NODE: { description: 'the next hop is an address no recorded node held at the instant' },
    NOT_CAPTURED: { description: 'the decision needs state that was not captured (policy rules, other tables, a missing section)' },
    TTL: { description: 'the walk went round a loop until the TTL ran out' },
    MISDELIVERED: { description: 'delivered, but to a namespace other than the one meant (another holds the same address)' },
  },
});

@InputType('TraceFrom', { description: 'Where a trace starts: a node, or a pod on it (its netns name, cni-…, or its Kubernetes name).' })
export class TraceFrom {
  @Field()
  node!: string;

  @Field(() => String, { nullable: true, description: 'a pod on the node; absent: the node itself (host namespace)' })
  pod?: string | null;
}

@InputType('TraceWindow', { description: 'An interval (from, to] of time.' })
export class TraceWindow {
  @Field(() => GraphQLISODateTime)
  from!: Date;

  @Field(() => GraphQLISODateTime)
  to!: Date;
}

@ObjectType({ description: 'A fact a trace decision used, as stored for the node at the trace instant (open the node’s state at `Trace.at` to see it among the others).' })
export class TraceEvidence {
  @Field()
  node!: string;

  @Field({ description: '`host` or `pod:<netns name>`' })
  namespace!: string;

  @Field(() => FactKindValue)
  kind!: FactKindValue;

  @Field()
  key!: string;

  @Field(() => GraphQLJSON, { nullable: true, description: 'the fact’s attributes at the instant; null when the decision cites a fact that was absent (e.g. a missing sysctl)' })
  attributes!: unknown;
}

@ObjectType({ description: 'One step of the walk: a route lookup, a neighbour resolution, a forwarding decision, an encapsulation, a delivery.' })
export class TraceHop {
  @Field()
  node!: string;

  @Field({ description: '`host` or `pod:<netns name>`' })
  namespace!: string;

  @Field({ description: 'what the kernel did there: `route`, `rp_filter`, `forward`, `mtu`, `neighbour`, `proxy-arp`, `encapsulate`, `decapsulate` or `deliver` (libs/trace TRACE_STEPS)' })
  step!: string;

  @Field()
  detail!: string;

  @Field(() => [TraceEvidence])
  evidence!: TraceEvidence[];
}

@ObjectType({ description: 'Where and why a leg stopped.' })
export class TraceStop {
  @Field(() => TraceVerdictValue)
  reason!: TraceVerdictValue;

  @Field()
  node!: string;

  @Field()
  namespace!: string;

  @Field()
  detail!: string;

  @Field(() => [TraceEvidence])
  evidence!: TraceEvidence[];
}

@ObjectType({ description: 'A namespace of a node.' })
export class TraceLocation {
  @Field()
  node!: string;

  @Field({ description: '`host` or `pod:<netns name>`' })
  namespace!: string;
}

@ObjectType({ description: 'One direction of the trace: the request (forward) or the reply.' })
export class TraceLeg {
  @Field()
  delivered!: boolean;

  @Field(() => TraceLocation, { nullable: true, description: 'where the packet was delivered (also when it was the wrong namespace: MISDELIVERED)' })
  deliveredTo!: TraceLocation | null;

  @Field(() => [TraceHop])
  hops!: TraceHop[];

  @Field(() => TraceStop, { nullable: true, description: 'null when delivered' })
  stop!: TraceStop | null;
}

@ObjectType({ description: 'A packet walked through the nodes’ recorded kernel state at one instant, both ways.' })
export class Trace {
  @Field(() => GraphQLISODateTime, { description: 'the instant whose state was walked' })
  at!: Date;

  @Field()
  fromNode!: string;

  @Field(() => String, { nullable: true })
  fromPod!: string | null;

  @Field({ description: 'the destination address, canonical' })
  to!: string;

  @Field(() => Int, { description: 'the whole IP packet in bytes' })
  size!: number;

  @Field()
  dontFragment!: boolean;

  @Field()
  reachable!: boolean;

  @Field(() => TraceVerdictValue)
  verdict!: TraceVerdictValue;

  @Field(() => TraceLeg)
  forward!: TraceLeg;

  @Field(() => TraceLeg)
  reply!: TraceLeg;

  @Field(() => [String], { description: 'the nodes whose state at `at` was read: the source, then the holders of the addresses the walk needed' })
  nodes!: string[];
}

@ObjectType({ description: 'A fact change at a verdict flip.' })
export class TraceFactChange {
  @Field()
  node!: string;

  @Field()
  namespace!: string;

  @Field(() => FactKindValue)
  kind!: FactKindValue;

  @Field()
  key!: string;

  @Field(() => FactChangeType)
  change!: FactChangeType;

  @Field(() => GraphQLJSON, { nullable: true })
  before!: unknown;

  @Field(() => GraphQLJSON, { nullable: true })
  after!: unknown;

  @Field({ description: 'the trace before or after the flip cites this fact: it decided the flip' })
  cited!: boolean;
}

@ObjectType({ description: 'An instant where the verdict changed, and the changes recorded at it.' })
export class TraceFlip {
  @Field(() => GraphQLISODateTime)
  at!: Date;

  @Field(() => TraceVerdictValue)
  before!: TraceVerdictValue;

  @Field(() => TraceVerdictValue)
  after!: TraceVerdictValue;

  @Field({ description: 'where the trace stops after the flip (or REACHABLE), in words' })
  detail!: string;

  @Field(() => [TraceFactChange], { description: 'the changes at `at` the traces cite first, then the others of the involved nodes at that instant' })
  changes!: TraceFactChange[];
}

@ObjectType({ description: 'The verdict of a trace over a window: where it started, every flip, and how far the scan got.' })
export class TraceChanges {
  @Field(() => GraphQLISODateTime)
  from!: Date;

  @Field(() => GraphQLISODateTime)
  to!: Date;

  @Field(() => TraceVerdictValue, { description: 'the verdict at `from`' })
  initial!: TraceVerdictValue;

  @Field(() => [TraceFlip])
  flips!: TraceFlip[];

  @Field(() => [String], { description: 'the nodes whose changes were replayed (involved in the trace at `from` or at `to`)' })
  nodes!: string[];

  @Field(() => Int, { description: 'instants with changes that were traced' })
  instantsTraced!: number;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'the source pod’s namespace was gone at this instant: the scan stopped there' })
  sourceGoneAt!: Date | null;

  @Field({ description: 'false when the window held more change instants than one call traces, or the source pod went away: flips after `checkedThrough` are not listed' })
  complete!: boolean;

  @Field(() => GraphQLISODateTime, { description: 'the scan covered (from, checkedThrough]; ask again from here when not complete' })
  checkedThrough!: Date;
}
