import { graphql } from '../generated';

/** The overview's node table: one server-side page of the nodes connection. */
export const OverviewNodesQuery = graphql(`
  query OverviewNodes($first: Int!, $after: String, $filter: NodeFilter, $since: DateTime!, $now: DateTime!) {
    nodes(first: $first, after: $after, filter: $filter) {
      totalCount
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
          changes(from: $since, to: $now, first: 100) {
            edges {
              cursor
            }
            pageInfo {
              hasNextPage
            }
          }
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

/** Every change of the cluster in a window, light: enough to count changes per bucket. */
export const ClusterChangeTimesQuery = graphql(`
  query ClusterChangeTimes($from: DateTime!, $to: DateTime!, $first: Int!, $after: String) {
    clusterChanges(from: $from, to: $to, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          at
          node
        }
      }
    }
  }
`);
