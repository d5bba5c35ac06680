import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, getNamedType, getNullableType, isLeafType, isListType, type DocumentNode, type GraphQLSchema } from 'graphql';
import { getComplexity, type ComplexityEstimatorArgs } from 'graphql-query-complexity';
import { GraphqlLimitError, GraphqlLimitErrorCode } from './graphql-limits.errors';

/**
 * How many entries a list without a size argument is assumed to hold. A node's state lists are
 * the big ones: a node with 110 pods has about 1,000 routes, neighbours, links and addresses
 * in its host namespace together, and the largest seen (issue #12) had 5,000 routes. Costing each state list at 1,000
 * entries lets a page ask for a whole state while 1,000 aliases of `state { routes }` (a 305 MB
 * response at 2.6 GB RSS) cost ~10,000 times the budget.
 */
const KNOWN_LIST_SIZES: Readonly<Record<string, number>> = {
  'NodeState.addresses': 1000,
  'NodeState.facts': 1000,
  'NodeState.links': 1000,
  'NodeState.neighbors': 1000,
  'NodeState.routes': 1000,
  'NodeState.sysctls': 1000,
  // Kubernetes' default limit of pods per node; each pod's own lists are short (a /32, two routes, the gateway neighbour).
  'NodeState.pods': 110,
  'StateDiff.pods': 110,
  'Pod.addresses': 2,
  'Pod.links': 2,
  'Pod.neighbors': 2,
  'Pod.routes': 4,
  'Pod.sysctls': 4,
};

/** Lists sized by a `first` argument of the field above them (the connection or page), counted there. */
const PAGED_BY_PARENT = new Set(['BlockMatrix.blocks']);

/** Any other list of objects (findings of a node, coverage intervals, …). */
const DEFAULT_LIST_SIZE = 10;

/** Arguments that say how many entries a field returns. */
const SIZE_ARGUMENTS = ['first', 'buckets'] as const;

/**
 * Cost of one field: 1 for itself, plus its selection times the number of entries it returns.
 * Connections and pages are sized by `first` (its default when omitted, applied by graphql-js),
 * buckets by `buckets`, state lists by KNOWN_LIST_SIZES; a list of scalars costs like a scalar.
 * Aliases are separate fields, so each costs in full.
 */
export function fieldCost({ type, field, args, childComplexity }: ComplexityEstimatorArgs): number {
  const key = `${type.name}.${field.name}`;
  for (const name of SIZE_ARGUMENTS) {
    const size = args[name];
    if (typeof size === 'number') return 1 + Math.max(0, size) * childComplexity;
  }
  const returned = getNullableType(field.type);
  if (!isListType(returned) || isLeafType(getNamedType(returned)) || field.name === 'edges' || PAGED_BY_PARENT.has(key)) return 1 + childComplexity;
  return 1 + (KNOWN_LIST_SIZES[key] ?? DEFAULT_LIST_SIZE) * childComplexity;
}

export function operationCost(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown> | undefined): number {
  return getComplexity({ schema, query: document, operationName, variables, estimators: [fieldCost] });
}

/**
 * Refuses an operation whose estimated cost exceeds the budget before it runs (400,
 * QUERY_TOO_COSTLY), with the cost and the budget in the message.
 */
export function queryCostPlugin(maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request }) {
          let cost: number;
          try {
            cost = operationCost(schema, document, request.operationName ?? undefined, request.variables);
          } catch {
            // Variables that do not coerce: execution refuses them before any resolver runs, with its own message.
            return;
          }
          if (cost > maxCost) {
            const message = `the query costs ${cost} points, over the budget of ${maxCost} (ROUTESCOPE_GRAPHQL_MAX_COST): ask for fewer entries (first), fewer aliases or fewer state lists`;
            throw new GraphQLError(message, { originalError: new GraphqlLimitError(GraphqlLimitErrorCode.QueryTooCostly, message), extensions: { http: { status: 400 } } });
          }
        },
      };
    },
  };
}
