import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSON } from '../../history/types/json.scalar';
import { PageInfo } from '../../history/types/page-info.type';

// GraphQL enum names cannot hold "-": each enum maps its NAME to the contract's value.
export enum ProbeKindValue {
  PROXY_ARP = 'proxy-arp',
  PATH = 'path',
}
registerEnumType(ProbeKindValue, { name: 'ProbeKind', description: 'PROXY_ARP: the pod ARPs for 169.254.1.1 and pings its node, watched with tcpdump -e on both ends of its veth; PATH: the pod pings a target, watched on its veth and on the device the route to the target leaves by' });

export enum ProbeStateValue {
  QUEUED = 'queued',
  DISPATCHED = 'dispatched',
  DONE = 'done',
  EXPIRED = 'expired',
  COLLECTOR_UNREACHABLE = 'collector-unreachable',
}
registerEnumType(ProbeStateValue, {
  name: 'ProbeState',
  description: 'QUEUED: waiting for the node’s collector; DISPATCHED: the collector took it; DONE: its result is in; EXPIRED: no collector took it in time; COLLECTOR_UNREACHABLE: taken, but no result came back in time',
});

export enum ProbeVerdictValue {
  VERIFIED = 'verified',
  NO_ARP_REPLY = 'no-arp-reply',
  WRONG_MAC = 'wrong-mac',
  ARP_OK_NO_ECHO = 'arp-ok-no-echo',
  NO_FRAMES = 'no-frames',
  ANSWERED = 'answered',
  NOT_ANSWERED = 'not-answered',
  UNAVAILABLE = 'unavailable',
}
registerEnumType(ProbeVerdictValue, { name: 'ProbeVerdict', description: 'what the frames showed (libs/probe); UNAVAILABLE: the probe could not run, `reason` says why' });

@ObjectType({ description: 'what tcpdump -e saw at one point of the path' })
export class ProbeCapture {
  @Field({ description: 'pod (its eth0), host-veth (the cali veth on the node) or egress (the device the route to the target leaves by)' })
  point!: string;

  @Field()
  device!: string;

  @Field(() => String, { nullable: true })
  netns?: string | null;

  @Field(() => [String], { description: 'raw tcpdump -e -n -l lines, bounded' })
  lines!: string[];

  @Field(() => GraphQLJSON, { description: 'the lines as parsed frames: [{line, ns, time, interface, srcMac, dstMac, ethertype, arp?, ip?}]' })
  frames!: unknown;
}

@ObjectType()
export class ProbePing {
  @Field(() => Int)
  sent!: number;

  @Field(() => Int)
  received!: number;
}

@ObjectType({ description: 'how far a path probe’s packets got' })
export class ProbePath {
  @Field()
  leftPod!: boolean;

  @Field(() => String, { nullable: true })
  egressDevice!: string | null;

  @Field()
  leftNode!: boolean;

  @Field()
  answered!: boolean;

  @Field(() => String, { nullable: true })
  stoppedAt!: string | null;
}

@ObjectType({ description: 'A live probe run by a node’s collector on request, kept as timed evidence' })
export class Probe {
  @Field(() => ID)
  id!: string;

  @Field()
  node!: string;

  @Field({ description: 'the pod’s network namespace name' })
  pod!: string;

  @Field(() => ProbeKindValue)
  kind!: ProbeKindValue;

  @Field(() => String, { nullable: true })
  target!: string | null;

  @Field(() => ProbeStateValue)
  state!: ProbeStateValue;

  @Field(() => ProbeVerdictValue, { nullable: true })
  verdict!: ProbeVerdictValue | null;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field({ description: 'the name of the token that asked' })
  requestedBy!: string;

  @Field(() => GraphQLISODateTime)
  requestedAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  dispatchedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'when the collector started capturing (its clock)' })
  startedAt!: Date | null;

  @Field(() => Int, { description: 'capture time limit' })
  timeoutMs!: number;

  @Field(() => [ProbeCapture])
  captures!: ProbeCapture[];

  @Field(() => ProbePing, { nullable: true })
  ping!: ProbePing | null;

  @Field(() => ProbePath, { nullable: true })
  path!: ProbePath | null;

  @Field(() => Int, { nullable: true, description: 'the node’s state version when the probe was asked' })
  stateVersionAt!: number | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'takenAt of the node’s latest snapshot when the probe was asked: its state at that instant is what the probe tested' })
  snapshotTakenAt!: Date | null;
}

@ObjectType()
export class ProbeEdge {
  @Field()
  cursor!: string;

  @Field(() => Probe)
  node!: Probe;
}

@ObjectType()
export class ProbeConnection {
  @Field(() => [ProbeEdge])
  edges!: ProbeEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@InputType()
export class ProbeFilter {
  @Field(() => String, { nullable: true })
  node?: string | null;

  @Field(() => String, { nullable: true })
  pod?: string | null;

  @Field(() => ProbeKindValue, { nullable: true })
  kind?: ProbeKindValue | null;

  @Field(() => ProbeVerdictValue, { nullable: true })
  verdict?: ProbeVerdictValue | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'requested at or after' })
  from?: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'requested at or before' })
  to?: Date | null;
}

@InputType()
export class RequestProbeInput {
  @Field()
  node!: string;

  @Field({ description: 'the pod’s network namespace name, as in the node’s state (NodeState.pods.name)' })
  pod!: string;

  @Field(() => ProbeKindValue)
  kind!: ProbeKindValue;

  @Field(() => String, { nullable: true, description: 'PATH only: the IP address to ping (another pod, a node, a service IP)' })
  target?: string | null;
}
