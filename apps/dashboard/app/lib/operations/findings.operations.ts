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
          silencedBy {
            id
            reason
            createdBy
            expiresAt
          }
        }
      }
    }
  }
`);

export const SilenceFields = graphql(`
  fragment SilenceFields on Silence {
    id
    rule
    node
    subjectPattern
    reason
    createdBy
    createdAt
    expiresAt
    revokedAt
    active
  }
`);

/** The findings page's groups, counted by the API over every matching finding. */
export const FindingGroupsQuery = graphql(`
  query FindingGroups($filter: FindingFilter) {
    findingGroups(filter: $filter) {
      rule
      severity
      title
      subjectKind
      findingCount
      nodeCount
      subjectCount
      silencedCount
    }
  }
`);

/** The silences active now: the findings page's "Silenced" section. */
export const ActiveSilencesQuery = graphql(`
  query ActiveSilences($activeAt: DateTime!) {
    silences(activeAt: $activeAt) {
      ...SilenceFields
    }
  }
`);

/** Triage: silence a group of findings (needs the `triage` scope). */
export const SilenceFindingsMutation = graphql(`
  mutation SilenceFindings($input: SilenceInput!) {
    silenceFindings(input: $input) {
      ...SilenceFields
    }
  }
`);

/** Triage: end a silence now. */
export const RevokeSilenceMutation = graphql(`
  mutation RevokeSilence($id: ID!) {
    revokeSilence(id: $id) {
      ...SilenceFields
    }
  }
`);
