import { graphql } from '../generated';

/**
 * The overview's node table: one server-side page of the nodes connection, sorted and filtered
 * by the API (so sorting and filters apply to every node, not to the page shown).
 */
export const OverviewNodesQuery = graphql(`
  query OverviewNodes($first: Int!, $after: String, $filter: NodeFilter, $orderBy: NodeOrder, $since: DateTime!, $now: DateTime!) {
    nodes(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      asOf
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          name
          status
          firstSeenAt
          lastSeenAt
          reportingIntervalSeconds
          gaps(from: $since, to: $now) {
            start
            end
          }
          findings(openAt: $now) {
            severity
          }
          changeCount(from: $since, to: $now)
        }
      }
    }
  }
`);

/** Node names for pickers ("compare with another node"). */
export const NodeNamesQuery = graphql(`
  query NodeNames($first: Int!, $filter: NodeFilter) {
    nodes(first: $first, filter: $filter) {
      totalCount
      edges {
        node {
          name
        }
      }
    }
  }
`);

/** The cluster's rate of change: changes per bucket, counted by the API (never the individual changes). */
export const ClusterChangeRateQuery = graphql(`
  query ClusterChangeRate($from: DateTime!, $to: DateTime!, $buckets: Int!) {
    clusterChangeRate(from: $from, to: $to, buckets: $buckets) {
      start
      end
      count
      nodeCount
      firstSeen
    }
  }
`);

/** Nodes that stopped reporting, for "What is wrong now": since when (their last snapshot). */
export const SilentNodesQuery = graphql(`
  query SilentNodes($first: Int!) {
    nodes(first: $first, filter: { status: SILENT }, orderBy: { field: LAST_SEEN, direction: ASC }) {
      totalCount
      edges {
        node {
          name
          lastSeenAt
        }
      }
    }
  }
`);

/** Whether a node exists (it posted a snapshot) and since when: cheap, for the 404 of unknown nodes. */
export const NodeHeaderQuery = graphql(`
  query NodeHeader($name: String!) {
    node(name: $name) {
      name
      firstSeenAt
    }
  }
`);
