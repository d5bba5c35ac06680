import { graphql } from '../generated';

export const TraceEvidenceFieldsFragment = graphql(`
  fragment TraceEvidenceFields on TraceEvidence {
    node
    namespace
    kind
    key
    attributes
  }
`);

export const TraceLegFieldsFragment = graphql(`
  fragment TraceLegFields on TraceLeg {
    delivered
    hops {
      node
      namespace
      step
      detail
      evidence {
        ...TraceEvidenceFields
      }
    }
    stop {
      reason
      node
      namespace
      detail
      evidence {
        ...TraceEvidenceFields
      }
    }
  }
`);

export const StoredTraceQuery = graphql(`
  query StoredTrace($from: TraceFrom!, $to: String!, $at: DateTime, $size: Int, $dontFragment: Boolean) {
    trace(from: $from, to: $to, at: $at, size: $size, dontFragment: $dontFragment) {
      at
      fromNode
      fromPod
      to
      size
      dontFragment
      reachable
      verdict
      nodes
      forward {
        ...TraceLegFields
      }
      reply {
        ...TraceLegFields
      }
    }
  }
`);

export const TraceChangesQuery = graphql(`
  query TraceChanges($from: TraceFrom!, $to: String!, $size: Int, $dontFragment: Boolean, $window: TraceWindow!) {
    traceChanges(from: $from, to: $to, window: $window, size: $size, dontFragment: $dontFragment) {
      from
      to
      initial
      complete
      checkedThrough
      flips {
        at
        before
        after
        detail
        changes {
          node
          namespace
          kind
          key
          change
          cited
        }
      }
    }
  }
`);
