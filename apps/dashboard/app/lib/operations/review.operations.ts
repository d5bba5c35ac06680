import { graphql } from '../generated';

/** The incident timeline: every change of every node in (from, to], in time order. */
export const ReviewChangesQuery = graphql(`
  query ReviewChanges($from: DateTime!, $to: DateTime!, $first: Int!, $after: String) {
    clusterChanges(from: $from, to: $to, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          at
          node
          namespace
          kind
          key
          change
          before
          after
          afterGap
        }
      }
    }
  }
`);
