import { graphql } from '../generated';

export const KindDiffFields = graphql(`
  fragment KindDiffFields on KindDiff {
    added {
      key
      before
      after
      changedAttributes
    }
    removed {
      key
      before
      after
      changedAttributes
    }
    changed {
      key
      before
      after
      changedAttributes
    }
  }
`);

export const NamespaceDiffFields = graphql(`
  fragment NamespaceDiffFields on NamespaceDiff {
    namespace
    name
    presence
    changeCount
    netns {
      ...KindDiffFields
    }
    links {
      ...KindDiffFields
    }
    addresses {
      ...KindDiffFields
    }
    routes {
      ...KindDiffFields
    }
    neighbors {
      ...KindDiffFields
    }
    sysctls {
      ...KindDiffFields
    }
  }
`);

/** `diff(node, from, to)` (one node, two times) or `diff(node, otherNode, at)` (two nodes, one time). */
export const StateDiffQuery = graphql(`
  query StateDiff($node: String!, $from: DateTime, $to: DateTime, $otherNode: String, $at: DateTime) {
    diff(node: $node, from: $from, to: $to, otherNode: $otherNode, at: $at) {
      mode
      node
      otherNode
      beforeAt
      afterAt
      beforeCovered
      afterCovered
      changeCount
      host {
        ...NamespaceDiffFields
      }
      pods {
        ...NamespaceDiffFields
      }
    }
  }
`);
