/** GraphQL operations refused for their shape or size, before or after they run (graphql/query-*.ts). */
export enum GraphqlLimitErrorCode {
  QueryTooDeep = 'QUERY_TOO_DEEP',
  TooManyRootFields = 'TOO_MANY_ROOT_FIELDS',
  /** the estimated cost exceeds ROUTESCOPE_GRAPHQL_MAX_COST */
  QueryTooCostly = 'QUERY_TOO_COSTLY',
  /** a mutation or subscription where the schema has none (or a subscription over HTTP) */
  UnsupportedOperation = 'UNSUPPORTED_OPERATION',
  /** the result is larger than ROUTESCOPE_GRAPHQL_MAX_RESPONSE_BYTES */
  ResponseTooLarge = 'RESPONSE_TOO_LARGE',
}

export class GraphqlLimitError extends Error {
  constructor(
    readonly code: GraphqlLimitErrorCode,
    message: string,
  ) {
    super(message);
  }
}
