import type { ApolloServerPlugin } from '@apollo/server';
import { getNamedType, getNullableType, isLeafType, isListType, type GraphQLOutputType } from 'graphql';
import { toPublicError } from '../errors/error-mapping';
import { GraphqlLimitError, GraphqlLimitErrorCode } from './graphql-limits.errors';

/**
 * Caps a GraphQL response at `maxBytes` of JSON, while it is being built. The cost budget
 * (query-cost.ts) bounds what is asked from estimated list sizes; when the data is larger than
 * estimated (a node with 5,000 routes, not the 1,000 assumed), this stops building: every field
 * resolved adds the bytes it will take in the JSON, and once the sum passes the cap each further
 * field fails at once (the non-null lists above it fail with it), so the result stops growing.
 * The answer is then one RESPONSE_TOO_LARGE error and no data. Results the running sum puts near
 * the cap are measured exactly before they are sent.
 */
export function responseSizePlugin(maxBytes: number): ApolloServerPlugin {
  const refusal = (detail: string) =>
    new GraphqlLimitError(
      GraphqlLimitErrorCode.ResponseTooLarge,
      `the response ${detail} over the limit of ${maxBytes} bytes (ROUTESCOPE_GRAPHQL_MAX_RESPONSE_BYTES): ask for fewer entries, fewer fields or one namespace at a time`,
    );
  return {
    async requestDidStart() {
      let estimated = 0;
      let exceeded = false;
      return {
        async executionDidStart() {
          return {
            willResolveField({ info }) {
              if (exceeded) throw refusal('is');
              return (error, result) => {
                if (error) return;
                estimated += info.fieldName.length + 4 + jsonBytes(result, info.returnType);
                if (estimated > maxBytes) exceeded = true;
              };
            },
          };
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          let error: GraphqlLimitError | undefined;
          if (exceeded) error = refusal('is');
          else if (estimated > maxBytes / 2) {
            const bytes = Buffer.byteLength(JSON.stringify(response.body.singleResult), 'utf8');
            if (bytes > maxBytes) error = refusal(`would be ${bytes} bytes,`);
          }
          if (!error) return;
          const code = toPublicError(error)?.graphqlCode ?? 'RESPONSE_TOO_LARGE';
          response.body.singleResult = { data: null, errors: [{ message: error.message, extensions: { code, reason: error.code } }] };
        },
      };
    },
  };
}

/**
 * About the bytes a resolved value takes in the JSON response, without serialising it: objects
 * and lists of objects count their brackets here and their fields as those resolve; scalars and
 * lists of scalars count in full (a JSON scalar such as a fact's attrs is measured by stringifying).
 */
function jsonBytes(value: unknown, type: GraphQLOutputType): number {
  if (value === null || value === undefined) return 4;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return 2;
    // brackets, and per object its braces and comma (its fields count as they resolve)
    if (!isLeafType(getNamedType(nullable))) return 2 + 3 * value.length;
    let bytes = 2;
    for (const item of value) bytes += scalarBytes(item) + 1;
    return bytes;
  }
  return isLeafType(nullable) ? scalarBytes(value) : 2;
}

function scalarBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
    case 'bigint':
      return String(value).length;
    case 'boolean':
      return 5;
    case 'object':
      if (value === null) return 4;
      if (value instanceof Date) return 26;
      return JSON.stringify(value)?.length ?? 4;
    default:
      return 4;
  }
}
