import { Field, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSON } from '../../history/types/json.scalar';
import { RuleScopeValue, SeverityValue } from './finding.type';

export enum CaptureSectionStatusValue {
  READ = 'READ',
  PARTIAL = 'PARTIAL',
  UNSUPPORTED = 'UNSUPPORTED',
}
registerEnumType(CaptureSectionStatusValue, {
  name: 'CaptureSectionStatus',
  valuesMap: {
    READ: { description: 'read whole' },
    PARTIAL: { description: 'filtered (grep/head/tail), masked, cut short or prefixed: its facts are used, nothing is concluded missing from it' },
    UNSUPPORTED: { description: 'not a format Routescope reads (see reason)' },
  },
});

@ObjectType({ description: 'What the import made of one section of the pasted text' })
export class CaptureSectionCoverage {
  @Field(() => Int, { description: '1-based line of the section’s header in the pasted text' })
  headerLine!: number;

  @Field({ description: 'the command as written (without prompt and node/pod qualifier)' })
  command!: string;

  @Field({ description: '`host` or `pod:<name>`: the namespace it ran in' })
  ns!: string;

  @Field(() => String, { nullable: true })
  node!: string | null;

  @Field(() => String, { nullable: true, description: 'the format recognised: `ip route`, `tcpdump`, `calicoctl node status`, `route -n`…' })
  format!: string | null;

  @Field(() => CaptureSectionStatusValue)
  status!: CaptureSectionStatusValue;

  @Field(() => String, { nullable: true, description: 'why partial or unsupported, one sentence' })
  reason!: string | null;
}

@ObjectType({ description: 'One node of the capture, as parsed' })
export class CaptureNodeSummary {
  @Field({ description: 'from a `node NAME` qualifier or a shell prompt, else `imported` (one node) / `node-N`' })
  node!: string;

  @Field({ description: 'calico, canal, flannel, cilium or unknown' })
  cni!: string;

  @Field(() => String, { nullable: true, description: 'ipip, vxlan, bgp, wireguard or ebpf, when it could be told' })
  mode!: string | null;

  @Field(() => Int, { description: 'network namespaces (the host and each pod) with sections in the capture' })
  namespaces!: number;

  @Field(() => Int, { description: 'facts read (links, addresses, routes, neighbours, sysctls)' })
  facts!: number;
}

@ObjectType({ description: 'A finding (or passed evidence) about a pasted capture; not stored' })
export class CaptureFinding {
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

  @Field()
  node!: string;

  @Field({ description: 'what it is about: `veth:<name>`, `pod:<netns>`, `block:<cidr>`, `bgp-peer:<ip>`, `node`…' })
  subject!: string;

  @Field(() => GraphQLJSON, {
    description:
      'what made it fire: [{node, ns, kind, key, attrs, line?}] — facts (attrs null: absent), frames and BGP peer rows (with the `line` of the pasted text), or a stated assumption (kind `assumption`)',
  })
  evidence!: unknown;

  @Field(() => [Int], { description: 'lines of the pasted text the evidence was read from (frames, BGP peer rows), for highlighting' })
  lines!: number[];
}

@ObjectType({ description: 'The result of checking a pasted capture: what was read, what was found, what could not be checked' })
export class CaptureReport {
  @Field(() => [CaptureNodeSummary])
  nodes!: CaptureNodeSummary[];

  @Field(() => [CaptureSectionCoverage], { description: 'every section of the text, in order' })
  coverage!: CaptureSectionCoverage[];

  @Field(() => [CaptureFinding], { description: 'node rules per node, cross-node rules over all nodes, rules over frames / BGP sessions / ip monitor events' })
  findings!: CaptureFinding[];

  @Field(() => [CaptureFinding], { description: 'passed evidence (severity info), e.g. CALICO_PROXY_ARP_VERIFIED' })
  passed!: CaptureFinding[];

  @Field(() => [String], { description: 'what could not be checked, one sentence each (partial or unread sections, sections not captured)' })
  notChecked!: string[];

  @Field(() => String, { nullable: true, description: 'set when no section could be read at all: why, in one line' })
  unreadable!: string | null;
}

@InputType({ description: 'A pod of the cluster: its addresses name it in findings' })
export class CapturePodInput {
  @Field()
  namespace!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  node?: string | null;

  @Field(() => [String])
  ips!: string[];
}

@InputType({ description: 'A node of the cluster and its InternalIPs (the next hops of its blocks)' })
export class CaptureClusterNodeInput {
  @Field()
  name!: string;

  @Field(() => [String])
  internalIPs!: string[];
}

export enum CapturePoolEncapsulationValue {
  IPIP = 'IPIP',
  VXLAN = 'VXLAN',
  None = 'None',
}
registerEnumType(CapturePoolEncapsulationValue, { name: 'CapturePoolEncapsulation' });

@InputType({ description: 'A Calico IP pool' })
export class CaptureIpPoolInput {
  @Field()
  name!: string;

  @Field()
  cidr!: string;

  @Field(() => CapturePoolEncapsulationValue)
  encapsulation!: CapturePoolEncapsulationValue;

  @Field(() => Int, { nullable: true })
  mtu?: number | null;

  @Field(() => Int, { nullable: true, description: 'IPAM block prefix length (Calico’s default: 26, or 122 for IPv6)' })
  blockSize?: number | null;
}

@InputType({ description: 'A Calico block affinity: the block belongs to the node' })
export class CaptureBlockAffinityInput {
  @Field()
  cidr!: string;

  @Field()
  node!: string;
}

@InputType({ description: 'What the checks may know about the cluster beyond the capture; every part optional (kubectl listings in the text are added to it)' })
export class CaptureContextInput {
  @Field(() => [CapturePodInput], { nullable: true })
  pods?: CapturePodInput[] | null;

  @Field(() => [CaptureClusterNodeInput], { nullable: true })
  nodes?: CaptureClusterNodeInput[] | null;

  @Field(() => [CaptureIpPoolInput], { nullable: true })
  ipPools?: CaptureIpPoolInput[] | null;

  @Field(() => [CaptureBlockAffinityInput], { nullable: true })
  blockAffinities?: CaptureBlockAffinityInput[] | null;
}
