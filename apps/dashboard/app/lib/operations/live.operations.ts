import { graphql } from '../generated';

/** What the live-update proxy listens to (server side, with the read token). */
export const ChangesRecordedSubscription = graphql(`
  subscription ChangesRecorded($node: String) {
    changesRecorded(node: $node) {
      node
      takenAt
      changes
      stateVersion
    }
  }
`);
