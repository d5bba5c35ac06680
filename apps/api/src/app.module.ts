import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { Database } from '@routescope/db';
import { AuthModule } from './auth/auth.module';
import { AuthService } from './auth/auth.service';
import { ChecksModule } from './checks/checks.module';
import { ClusterModule } from './cluster/cluster.module';
import { API_CONFIG, type ApiConfig } from './config/api-config';
import { DatabaseModule } from './database/database.module';
import { buildGraphqlContext, authorizationFromConnectionParams } from './graphql/graphql-context';
import { formatGraphqlError } from './graphql/graphql-errors';
import { queryCostPlugin } from './graphql/query-cost';
import { argumentNamesInInputErrors, withDateTimeScalar } from './graphql/date-time.scalar';
import { knownOperationTypes, queryLimits, subscriptionsOverWebSocketOnly } from './graphql/query-limits';
import { responseSizePlugin } from './graphql/response-size';
import { websocketValidation } from './graphql/websocket-validation';
import { HealthModule } from './health/health.module';
import { HistoryModule } from './history/history.module';
import { IngestModule } from './ingest/ingest.module';
import { ProbesModule } from './probes/probes.module';
import { graphqlMetricsPlugin } from './metrics/graphql-metrics';
import { MetricsModule } from './metrics/metrics.module';
import { MetricsService } from './metrics/metrics.service';
import { RetentionModule } from './retention/retention.module';
import { SilencesModule } from './silences/silences.module';
import { TraceModule } from './trace/trace.module';
import { TransportModule } from './transport/transport.module';

@Module({})
export class ConfigModule {}

/** Nesting and root fields a GraphQL operation may have (graphql/query-limits.ts); a dashboard needs fewer. */
const MAX_DEPTH = 12;
const MAX_ROOT_FIELDS = 8;

export function appModule(config: ApiConfig, database: Database): DynamicModule {
  // one ChecksModule (one findings evaluator), shared with the probes that open findings
  const checks = ChecksModule.withCluster(ClusterModule.forRoot({ mode: config.kubernetes.mode, env: config.kubernetes.env }));
  return {
    module: AppModule,
    imports: [
      { module: ConfigModule, global: true, providers: [{ provide: API_CONFIG, useValue: config }], exports: [API_CONFIG] },
      DatabaseModule.forDatabase(database),
      MetricsModule,
      AuthModule,
      TransportModule,
      HealthModule,
      IngestModule,
      HistoryModule,
      checks,
      SilencesModule,
      ProbesModule.withChecks(checks),
      RetentionModule,
      TraceModule,
      GraphQLModule.forRootAsync<ApolloDriverConfig>({
        driver: ApolloDriver,
        imports: [AuthModule, MetricsModule],
        inject: [AuthService, MetricsService],
        useFactory: (auth: AuthService, metrics: MetricsService): ApolloDriverConfig => ({
          path: '/graphql',
          autoSchemaFile: true,
          sortSchema: true,
          // one DateTime scalar that refuses what is not a date-time (graphql/date-time.scalar.ts)
          transformSchema: withDateTimeScalar,
          // Every /graphql request carries a read token before it gets here (transport/request-gate.ts),
          // so introspection and "Did you mean …" suggestions answer only holders of one.
          introspection: config.graphql.introspection,
          hideSchemaDetailsFromClientErrors: !config.graphql.introspection,
          allowBatchedHttpRequests: false,
          // No landing page, whatever NODE_ENV says (Nest's default is a playground whose scripts
          // come from a CDN unless NODE_ENV=production): clients are the dashboard, the CLI and tools.
          playground: false,
          context: buildGraphqlContext,
          formatError: formatGraphqlError,
          validationRules: [argumentNamesInInputErrors, queryLimits(MAX_DEPTH, MAX_ROOT_FIELDS), knownOperationTypes],
          plugins: [
            // Apollo's default cache-control plugin wraps every field resolver to compute cache
            // hints nobody reads here: ~10% of a 1,500-fact state(at) (bench, issue #6).
            ApolloServerPluginCacheControlDisabled(),
            subscriptionsOverWebSocketOnly(),
            queryCostPlugin(config.graphql.maxCost),
            responseSizePlugin(config.graphql.maxResponseBytes),
            graphqlMetricsPlugin(metrics.metrics),
          ],
          subscriptions: {
            'graphql-ws': {
              path: '/graphql',
              // Nest's type names a subset of graphql-ws's options but hands them all to useServer (gql-subscription.service.js).
              ...({ validate: websocketValidation({ maxDepth: MAX_DEPTH, maxRootFields: MAX_ROOT_FIELDS, maxCost: config.graphql.maxCost, introspection: config.graphql.introspection }) } as object),
              // Refuse the socket itself without a read token, before any subscription starts.
              onConnect: async (ctx) => {
                try {
                  await auth.authorize(authorizationFromConnectionParams(ctx.connectionParams), 'read');
                  metrics.metrics.websocketConnections.inc();
                  return true;
                } catch {
                  return false;
                }
              },
              // graphql-ws calls onDisconnect only for sockets onConnect accepted: the gauge stays balanced.
              onDisconnect: () => metrics.metrics.websocketConnections.dec(),
            },
          },
        }),
      }),
    ],
  };
}

@Module({})
export class AppModule {}
