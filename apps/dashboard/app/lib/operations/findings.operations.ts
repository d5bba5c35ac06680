import { graphql } from '../generated';

export const FindingFields = graphql(`
  fragment FindingFields on Finding {
    id
    node
    rule
    severity
    title
    message
    subject
    openedAt
    resolvedAt
    open
  }
`);

/** What is wrong now, across the cluster (newest first from the API). */
export const OpenFindingsQuery = graphql(`
  query OpenFindings($now: DateTime!, $first: Int!) {
    findings(filter: { openAt: $now }, first: $first) {
      pageInfo {
        hasNextPage
      }
      edges {
        node {
          ...FindingFields
        }
      }
    }
  }
`);

/** Findings open at some time in [from, to]: the incident review. */
export const WindowFindingsQuery = graphql(`
  query WindowFindings($from: DateTime!, $to: DateTime!, $first: Int!) {
    findings(filter: { from: $from, to: $to }, first: $first) {
      pageInfo {
        hasNextPage
      }
      edges {
        node {
          ...FindingFields
        }
      }
    }
  }
`);

/** The rule catalogue: why each rule matters and what to do. */
export const RulesQuery = graphql(`
  query Rules {
    rules {
      id
      severity
      title
      explanation
      remediation
    }
  }
`);

/** Live: a finding opened or resolved (server side, with the read token). */
export const FindingChangedSubscription = graphql(`
  subscription FindingChanged($node: String) {
    findingChanged(node: $node) {
      change
      node
      rule
      subject
      severity
      at
    }
  }
`);

/** The findings page: one filtered page of findings, with their evidence. */
export const FindingsPageQuery = graphql(`
  query FindingsPage($filter: FindingFilter, $first: Int!) {
    findings(filter: $filter, first: $first) {
      pageInfo {
        hasNextPage
      }
      edges {
        node {
          ...FindingFields
          evidence
        }
      }
    }
  }
`);
