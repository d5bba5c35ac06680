import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type ASTNode, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';
import { toPublicError } from '../errors/error-mapping';
import { GraphqlLimitError, GraphqlLimitErrorCode } from './graphql-limits.errors';

/** A validation error whose code and reason come from the error mapper (errors/error-mapping.ts). */
export function limitViolation(code: GraphqlLimitErrorCode, message: string, nodes?: ASTNode | readonly ASTNode[]): GraphQLError {
  const error = new GraphqlLimitError(code, message);
  // extensions for transports that send errors as they are (graphql-ws); Apollo's formatError maps originalError again.
  return new GraphQLError(message, { nodes, originalError: error, extensions: { code: toPublicError(error)?.graphqlCode, reason: code } });
}

/**
 * Rejects queries nested deeper than `maxDepth` or asking for more than `maxRootFields` root
 * fields, before they run: history queries are expensive and a dashboard never needs more.
 */
export function queryLimits(maxDepth: number, maxRootFields: number) {
  return (context: ValidationContext) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
      if (!set) return 0;
      let deepest = 0;
      for (const selection of set.selections) {
        // Introspection (__schema, __type) nests ofType by design and only reads the schema: its cost is counted (query-cost.ts), not its depth.
        if (selection.kind === Kind.FIELD) deepest = Math.max(deepest, selection.name.value.startsWith('__') ? 0 : 1 + depthOf(selection.selectionSet, seen));
        else if (selection.kind === Kind.INLINE_FRAGMENT) deepest = Math.max(deepest, depthOf(selection.selectionSet, seen));
        else if (!seen.has(selection.name.value)) {
          const fragment = fragments.get(selection.name.value);
          deepest = Math.max(deepest, depthOf(fragment?.selectionSet, new Set([...seen, selection.name.value])));
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node: ASTNode) {
        if (node.kind !== Kind.OPERATION_DEFINITION) return;
        const depth = depthOf(node.selectionSet, new Set());
        if (depth > maxDepth) context.reportError(limitViolation(GraphqlLimitErrorCode.QueryTooDeep, `query depth ${depth} exceeds the limit of ${maxDepth}`, [node]));
        const roots = node.selectionSet.selections.filter((s) => s.kind === Kind.FIELD && !s.name.value.startsWith('__')).length;
        if (roots > maxRootFields) context.reportError(limitViolation(GraphqlLimitErrorCode.TooManyRootFields, `${roots} root fields exceed the limit of ${maxRootFields}`, [node]));
      },
    };
  };
}

/**
 * Refuses an operation whose root type the schema lacks (`mutation { x }` on a schema without
 * mutations) during validation, as GraphQL 17 does: graphql-js 16 lets it through to execution,
 * which fails without a code (the client saw "internal error").
 */
export function knownOperationTypes(context: ValidationContext) {
  const schema = context.getSchema();
  return {
    OperationDefinition(node: ASTNode) {
      if (node.kind !== Kind.OPERATION_DEFINITION) return;
      const root = node.operation === 'query' ? schema.getQueryType() : node.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
      if (!root) context.reportError(limitViolation(GraphqlLimitErrorCode.UnsupportedOperation, `this API has no ${node.operation} operations`, [node]));
    },
  };
}

/**
 * Subscriptions run over graphql-ws (WebSocket) only; Apollo's HTTP pipeline, which is all this
 * plugin sees, would execute one as a query and fail without a code ("internal error").
 */
export function subscriptionsOverWebSocketOnly(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          const message = 'subscriptions are served over WebSocket (graphql-ws) at /graphql, not over HTTP';
          throw new GraphQLError(message, { originalError: new GraphqlLimitError(GraphqlLimitErrorCode.UnsupportedOperation, message), extensions: { http: { status: 400 } } });
        },
      };
    },
  };
}
