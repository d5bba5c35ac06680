import type { ApolloServerPlugin } from '@apollo/server';
import type { ApiMetrics } from './api-metrics';

/**
 * GraphQL operation latency by operation name and type over HTTP (subscriptions run over
 * graphql-ws and are counted as connections). Names are client-chosen: ApiMetrics.operationLabel
 * bounds them; an operation that never parsed is `invalid`.
 */
export function graphqlMetricsPlugin(metrics: ApiMetrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operation, operationName }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const labels = operation ? { operation: metrics.operationLabel(operationName), type: operation.operation } : { operation: 'invalid', type: 'unknown' };
          metrics.graphqlDuration.observe(labels, seconds);
        },
      };
    },
  };
}
