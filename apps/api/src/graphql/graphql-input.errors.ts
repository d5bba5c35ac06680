/** GraphQL argument values the schema's own scalars refuse (graphql/date-time.scalar.ts), before any resolver runs. */
export enum GraphqlInputErrorCode {
  /** a DateTime that is not an ISO 8601 date-time with a time zone */
  InvalidDateTime = 'INVALID_DATE_TIME',
}

export class GraphqlInputError extends Error {
  constructor(
    readonly code: GraphqlInputErrorCode,
    message: string,
  ) {
    super(message);
  }
}
