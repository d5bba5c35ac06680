import { graphql } from '../generated';

export const RouteFields = graphql(`
  fragment RouteFields on Route {
    key
    namespace
    family
    table
    type
    dst
    gateway
    dev
    protocol
    scope
    metric
    prefsrc
    flags
    mtu
    nexthops {
      gateway
      dev
      weight
    }
  }
`);

export const LinkFields = graphql(`
  fragment LinkFields on Link {
    namespace
    name
    ifindex
    kind
    mac
    mtu
    operState
    flags
    master
    peerIfindex
    peerName
    peerInOtherNetns
    vxlan {
      id
      local
      dev
      port
    }
  }
`);

export const AddressFields = graphql(`
  fragment AddressFields on Address {
    key
    namespace
    dev
    family
    local
    prefixlen
    scope
    flags
  }
`);

export const NeighborFields = graphql(`
  fragment NeighborFields on Neighbor {
    key
    namespace
    dev
    dst
    family
    lladdr
    state
    proxy
    router
  }
`);

export const SysctlFields = graphql(`
  fragment SysctlFields on Sysctl {
    namespace
    path
    value
  }
`);

/** A node's header, its findings (all, and those open at `openAt`: the state's instant), its state at `at` (host lists, and every pod) and its coverage over the window. */
export const NodeStateQuery = graphql(`
  query NodeState($name: String!, $at: DateTime, $openAt: DateTime!, $from: DateTime!, $to: DateTime!) {
    node(name: $name) {
      name
      status
      firstSeenAt
      lastSeenAt
      kernel
      iproute2
      collectorVersion
      reportingIntervalSeconds
      stateVersion
      coverage(from: $from, to: $to) {
        start
        end
      }
      gaps(from: $from, to: $to) {
        start
        end
      }
      findings {
        ...FindingFields
      }
      openFindings: findings(openAt: $openAt) {
        ...FindingFields
        evidence
      }
      state(at: $at) {
        at
        covered
        routes(namespace: "host") {
          ...RouteFields
        }
        links(namespace: "host") {
          ...LinkFields
        }
        addresses(namespace: "host") {
          ...AddressFields
        }
        neighbors(namespace: "host") {
          ...NeighborFields
        }
        sysctls(namespace: "host") {
          ...SysctlFields
        }
        pods {
          name
          namespace
          hostVeth
          captured
          links {
            ...LinkFields
          }
          addresses {
            ...AddressFields
          }
          routes {
            ...RouteFields
          }
          neighbors {
            ...NeighborFields
          }
          sysctls {
            ...SysctlFields
          }
        }
      }
    }
  }
`);

/** One page of a node's changes in (from, to], for the timeline. */
export const NodeChangesQuery = graphql(`
  query NodeChanges($name: String!, $from: DateTime!, $to: DateTime!, $first: Int!, $after: String) {
    node(name: $name) {
      changes(from: $from, to: $to, first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            at
            change
            kind
            namespace
            key
            afterGap
          }
        }
      }
    }
  }
`);
