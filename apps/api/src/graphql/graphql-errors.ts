import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { toPublicError } from '../errors/error-mapping';

/** Domain errors keep their message and get `extensions.code`; anything unexpected is masked. */
export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  // Resolver errors carry the domain error as originalError: its message is the answer.
  const mapped = toPublicError(unwrapResolverError(error));
  if (mapped) {
    return { ...formatted, message: mapped.message, extensions: { code: mapped.graphqlCode, reason: mapped.reason } };
  }
  // So do the API's own validation/limit errors and refused argument values, whose message
  // graphql-js composed with where they stood (`Variable "$at" got invalid value …`): kept.
  const wrapped = toPublicError(domainCause(error));
  if (wrapped) {
    return { ...formatted, extensions: { code: wrapped.graphqlCode, reason: wrapped.reason } };
  }
  const code = formatted.extensions?.code;
  if (code === 'INTERNAL_SERVER_ERROR' || code === undefined) {
    return { message: 'internal error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  // GraphQL's own validation and parse errors (GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT, ...) pass through.
  return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
}

/** The first cause under the GraphQLErrors wrapped around it (variable coercion wraps the scalar's own GraphQLError). */
function domainCause(error: unknown): unknown {
  let cause = error instanceof GraphQLError ? error.originalError : undefined;
  while (cause instanceof GraphQLError) cause = cause.originalError;
  return cause;
}
