import { graphql } from '../generated';

/**
 * One page of the block × node routing consistency matrix, now or at `at`: the blocks of the
 * page with only their cells that need attention (a node not listed is OK, or the owner), and
 * the counts of the whole matrix. No evidence: BlockEvidenceQuery fetches it for one block.
 */
export const BlockMatrixQuery = graphql(`
  query BlockMatrix($at: DateTime, $first: Int, $after: String, $problemsOnly: Boolean) {
    blocks(at: $at, first: $first, after: $after, filter: { problemsOnly: $problemsOnly }) {
      at
      nodes
      nodeCount
      blockCount
      problemBlockCount
      totalCount
      counts {
        owner
        ok
        missing
        wrongNode
        split
        stale
        problems
      }
      blocks {
        cidr
        owner
        counts {
          ok
          problems
        }
        problems {
          node
          status
          detail
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

/** One block of the matrix with the evidence of its owner and of each cell that needs attention. */
export const BlockEvidenceQuery = graphql(`
  query BlockEvidence($at: DateTime, $cidr: String!) {
    blocks(at: $at, first: 1, filter: { cidrs: [$cidr] }) {
      at
      nodes
      blocks {
        cidr
        owner
        ownerSource
        ownerEvidence
        problems {
          node
          status
          detail
          evidence
        }
      }
    }
  }
`);
