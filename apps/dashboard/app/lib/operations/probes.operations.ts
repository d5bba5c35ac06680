import { graphql } from '../generated';

export const ProbeFieldsFragment = graphql(`
  fragment ProbeFields on Probe {
    id
    node
    pod
    kind
    target
    state
    verdict
    reason
    requestedBy
    requestedAt
    dispatchedAt
    finishedAt
    startedAt
    timeoutMs
    stateVersionAt
    snapshotTakenAt
    ping {
      sent
      received
    }
    path {
      leftPod
      egressDevice
      leftNode
      answered
      stoppedAt
    }
    captures {
      point
      device
      netns
      lines
      frames
    }
  }
`);

export const RequestProbeMutation = graphql(`
  mutation RequestProbe($input: RequestProbeInput!) {
    requestProbe(input: $input) {
      id
      state
    }
  }
`);

export const ProbeQuery = graphql(`
  query Probe($id: ID!) {
    probe(id: $id) {
      ...ProbeFields
    }
  }
`);

/** The probes of one node over a window (the node page lists them beside its timeline). */
export const NodeProbesQuery = graphql(`
  query NodeProbes($node: String!, $from: DateTime!, $to: DateTime!, $first: Int!) {
    probes(filter: { node: $node, from: $from, to: $to }, first: $first) {
      edges {
        node {
          id
          pod
          kind
          target
          state
          verdict
          requestedAt
          requestedBy
        }
      }
    }
  }
`);

/** What the live-update proxy listens to for probe pages: only the id and state travel to browsers. */
export const ProbeUpdatedSubscription = graphql(`
  subscription ProbeUpdated {
    probeUpdated {
      id
      node
      state
    }
  }
`);

/** Every node's probes over a window (the incident review lists them and tells them in its story). */
export const WindowProbesQuery = graphql(`
  query WindowProbes($from: DateTime!, $to: DateTime!, $first: Int!) {
    probes(filter: { from: $from, to: $to }, first: $first) {
      edges {
        node {
          id
          node
          pod
          kind
          target
          state
          verdict
          requestedAt
          requestedBy
        }
      }
      pageInfo {
        hasNextPage
      }
    }
  }
`);
