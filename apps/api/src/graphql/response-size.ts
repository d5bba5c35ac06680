import type { ApolloServerPlugin } from '@apollo/server';
import { toPublicError } from '../errors/error-mapping';
import { GraphqlLimitError, GraphqlLimitErrorCode } from './graphql-limits.errors';

/**
 * Replaces a result larger than `maxBytes` of JSON with a RESPONSE_TOO_LARGE error. The cost
 * budget (query-cost.ts) bounds what is built from an estimate; this bounds what is sent when the
 * estimate is wrong (a node far larger than the state-list sizes assumed there).
 */
export function responseSizePlugin(maxBytes: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const bytes = Buffer.byteLength(JSON.stringify(response.body.singleResult), 'utf8');
          if (bytes <= maxBytes) return;
          const error = new GraphqlLimitError(
            GraphqlLimitErrorCode.ResponseTooLarge,
            `the response would be ${bytes} bytes, over the limit of ${maxBytes} (ROUTESCOPE_GRAPHQL_MAX_RESPONSE_BYTES): ask for fewer entries, fewer fields or one namespace at a time`,
          );
          const code = toPublicError(error)?.graphqlCode ?? 'RESPONSE_TOO_LARGE';
          response.body.singleResult = { data: null, errors: [{ message: error.message, extensions: { code, reason: error.code } }] };
        },
      };
    },
  };
}
