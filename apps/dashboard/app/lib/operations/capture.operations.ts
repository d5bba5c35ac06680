import { graphql } from '../generated';

export const CaptureFindingFields = graphql(`
  fragment CaptureFindingFields on CaptureFinding {
    rule
    severity
    title
    message
    node
    subject
    evidence
    lines
  }
`);

/** Pasted terminal output checked by the API: nothing is stored there, the text is not logged. */
export const CheckCaptureQuery = graphql(`
  query CheckCapture($text: String!, $context: CaptureContextInput) {
    checkCapture(text: $text, context: $context) {
      nodes {
        node
        cni
        mode
        namespaces
        facts
      }
      coverage {
        headerLine
        command
        ns
        node
        format
        status
        reason
      }
      findings {
        ...CaptureFindingFields
      }
      passed {
        ...CaptureFindingFields
      }
      notChecked
      unreadable
    }
  }
`);
