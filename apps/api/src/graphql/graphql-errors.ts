import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { toPublicError } from '../errors/error-mapping';

/** Domain errors keep their message and get `extensions.code`; anything unexpected is masked. */
export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  // Resolver errors and the API's own validation/limit errors carry the domain error as originalError.
  const mapped = toPublicError(unwrapResolverError(error)) ?? (error instanceof GraphQLError ? toPublicError(error.originalError) : undefined);
  if (mapped) {
    return { ...formatted, message: mapped.message, extensions: { code: mapped.graphqlCode, reason: mapped.reason } };
  }
  const code = formatted.extensions?.code;
  if (code === 'INTERNAL_SERVER_ERROR' || code === undefined) {
    return { message: 'internal error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  // GraphQL's own validation and parse errors (GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT, ...) pass through.
  return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
}
