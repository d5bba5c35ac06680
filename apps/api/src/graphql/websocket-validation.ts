import { NoSchemaIntrospectionCustomRule, specifiedRules, validate, type DocumentNode, type GraphQLError, type GraphQLSchema, Kind } from 'graphql';
import { argumentNamesInInputErrors } from './date-time.scalar';
import { GraphqlLimitErrorCode } from './graphql-limits.errors';
import { operationCost } from './query-cost';
import { knownOperationTypes, limitViolation, queryLimits } from './query-limits';

export interface WebsocketLimits {
  maxDepth: number;
  maxRootFields: number;
  maxCost: number;
  introspection: boolean;
}

/**
 * The validation of operations sent over graphql-ws, which runs outside Apollo's pipeline (its
 * plugins and validation rules never see them): the same depth, root-field and cost limits, and
 * subscriptions only. graphql-ws would otherwise execute any query sent over an open socket,
 * a way around every limit of POST /graphql.
 */
export function websocketValidation(limits: WebsocketLimits) {
  const rules = [...specifiedRules, argumentNamesInInputErrors, queryLimits(limits.maxDepth, limits.maxRootFields), knownOperationTypes, ...(limits.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  return (schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[] => {
    const errors = validate(schema, document, rules);
    if (errors.length > 0) return errors;
    for (const definition of document.definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION && definition.operation !== 'subscription') {
        return [limitViolation(GraphqlLimitErrorCode.UnsupportedOperation, `${definition.operation} operations are served over HTTP (POST /graphql); WebSocket carries subscriptions only`, [definition])];
      }
    }
    let cost: number;
    try {
      // Variables are not known here; a size passed as a variable is costed at the argument's default.
      cost = operationCost(schema, document, undefined, {});
    } catch {
      return [];
    }
    if (cost > limits.maxCost) {
      return [limitViolation(GraphqlLimitErrorCode.QueryTooCostly, `the subscription costs ${cost} points per event, over the budget of ${limits.maxCost} (ROUTESCOPE_GRAPHQL_MAX_COST)`)];
    }
    return [];
  };
}
