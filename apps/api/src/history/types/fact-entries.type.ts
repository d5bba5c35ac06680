import { Field, Float, Int, ObjectType } from '@nestjs/graphql';

// Typed views of the facts of one state, one class per kind. Every entry names its namespace
// (`host` or `pod:<netns name>`) and its fact key; the attribute layouts follow
// libs/snapshot/README.md ("Facts: keys and attributes").

@ObjectType()
export class VxlanInfo {
  @Field(() => Int, { nullable: true })
  id!: number | null;

  @Field(() => String, { nullable: true })
  local!: string | null;

  @Field(() => String, { nullable: true })
  dev!: string | null;

  @Field(() => Int, { nullable: true })
  port!: number | null;

  @Field(() => Boolean, { nullable: true })
  learning!: boolean | null;
}

@ObjectType()
export class Link {
  @Field({ description: '`host` or `pod:<netns name>`' })
  namespace!: string;

  @Field({ description: 'the interface name' })
  name!: string;

  @Field(() => Int, { nullable: true })
  ifindex!: number | null;

  @Field(() => String, { nullable: true, description: 'rtnl link kind (veth, vxlan, bridge, ...)' })
  kind!: string | null;

  @Field(() => String, { nullable: true })
  mac!: string | null;

  @Field(() => Int, { nullable: true })
  mtu!: number | null;

  @Field(() => String, { nullable: true })
  operState!: string | null;

  @Field(() => [String])
  flags!: string[];

  @Field(() => String, { nullable: true })
  master!: string | null;

  @Field(() => Int, { nullable: true, description: 'the veth peer\'s ifindex (`@ifNN`)' })
  peerIfindex!: number | null;

  @Field(() => String, { nullable: true, description: 'the peer\'s name when it lives in the same namespace (`@eth0`)' })
  peerName!: string | null;

  @Field()
  peerInOtherNetns!: boolean;

  @Field(() => VxlanInfo, { nullable: true })
  vxlan!: VxlanInfo | null;

  @Field(() => [String], { description: 'fields masked in a pasted capture: present but unknown' })
  redacted!: string[];
}

@ObjectType()
export class Address {
  @Field()
  namespace!: string;

  @Field({ description: 'fact key: `dev|address/prefixlen`' })
  key!: string;

  @Field()
  dev!: string;

  @Field()
  family!: string;

  @Field()
  local!: string;

  @Field(() => Int)
  prefixlen!: number;

  @Field()
  scope!: string;

  @Field(() => String, { nullable: true })
  broadcast!: string | null;

  @Field(() => String, { nullable: true })
  peer!: string | null;

  @Field(() => String, { nullable: true })
  label!: string | null;

  @Field(() => [String])
  flags!: string[];

  @Field(() => [String])
  redacted!: string[];
}

@ObjectType()
export class Nexthop {
  @Field(() => String, { nullable: true })
  gateway!: string | null;

  @Field(() => String, { nullable: true })
  dev!: string | null;

  @Field(() => Int)
  weight!: number;

  @Field(() => [String])
  flags!: string[];
}

@ObjectType()
export class Route {
  @Field()
  namespace!: string;

  @Field({ description: 'fact key: `table|family|type|dst|metric` (+ `|tos=X`)' })
  key!: string;

  @Field()
  table!: string;

  @Field()
  family!: string;

  @Field({ description: 'unicast, local, blackhole, ...' })
  type!: string;

  @Field({ description: 'canonical prefix: `default` is 0.0.0.0/0 or ::/0, a host route has /32 or /128' })
  dst!: string;

  @Field(() => Float, { description: 'a 32-bit unsigned number, hence Float' })
  metric!: number;

  @Field(() => String, { nullable: true })
  gateway!: string | null;

  @Field(() => String, { nullable: true })
  dev!: string | null;

  @Field()
  protocol!: string;

  @Field()
  scope!: string;

  @Field(() => String, { nullable: true })
  prefsrc!: string | null;

  @Field(() => String, { nullable: true })
  tos!: string | null;

  @Field(() => [String])
  flags!: string[];

  @Field(() => String, { nullable: true })
  pref!: string | null;

  @Field(() => Int, { nullable: true })
  mtu!: number | null;

  @Field(() => [Nexthop])
  nexthops!: Nexthop[];

  @Field(() => [String])
  redacted!: string[];
}

@ObjectType()
export class Neighbor {
  @Field()
  namespace!: string;

  @Field({ description: 'fact key: `dev|dst`, or `proxy|dev|dst` for proxy entries' })
  key!: string;

  @Field()
  family!: string;

  @Field()
  dst!: string;

  @Field()
  dev!: string;

  @Field(() => String, { nullable: true })
  lladdr!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'resolved (REACHABLE/STALE/DELAY/PROBE), permanent, noarp, incomplete, failed or none; null for proxy entries',
  })
  state!: string | null;

  @Field()
  router!: boolean;

  @Field()
  proxy!: boolean;

  @Field(() => [String])
  redacted!: string[];
}

@ObjectType()
export class Sysctl {
  @Field()
  namespace!: string;

  @Field({ description: 'below /proc/sys, with `/` separators (net/ipv4/conf/cali1234/proxy_arp)' })
  path!: string;

  @Field()
  value!: string;
}

/** One pod's network namespace, with its facts. */
@ObjectType()
export class Pod {
  @Field({ description: 'the netns name (cni-<uuid>, or pid:<pid> when unnamed)' })
  name!: string;

  @Field({ description: 'the namespace key: `pod:<netns name>`' })
  namespace!: string;

  @Field(() => String, { nullable: true, description: 'the node-side veth its eth0 is paired with' })
  hostVeth!: string | null;

  @Field(() => [String], { description: 'sections the collector captured (an absent section was not captured)' })
  captured!: string[];

  @Field(() => [Link])
  links!: Link[];

  @Field(() => [Address])
  addresses!: Address[];

  @Field(() => [Route])
  routes!: Route[];

  @Field(() => [Neighbor])
  neighbors!: Neighbor[];

  @Field(() => [Sysctl])
  sysctls!: Sysctl[];
}
