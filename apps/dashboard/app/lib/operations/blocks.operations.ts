import { graphql } from '../generated';

/** The block × node routing consistency matrix, now or at `at`. */
export const BlockMatrixQuery = graphql(`
  query BlockMatrix($at: DateTime) {
    blocks(at: $at) {
      at
      nodes
      blocks {
        cidr
        owner
        cells {
          node
          status
          detail
          evidence
        }
      }
    }
  }
`);
