import { GraphQLScalarType, Kind, valueFromASTUntyped, type ValueNode } from 'graphql';

/**
 * Any JSON value, passed through as is: the attributes of a fact (`before`/`after` of a change
 * or a diff entry), whose layout depends on the fact's kind (libs/snapshot/README.md).
 */
export const GraphQLJSON = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value (a fact\'s attributes; the layout per kind is in libs/snapshot/README.md).',
  serialize: (value: unknown) => value,
  parseValue: (value: unknown) => value,
  parseLiteral: (ast: ValueNode, variables?: { [name: string]: unknown } | null) =>
    ast.kind === Kind.NULL ? null : valueFromASTUntyped(ast, variables ?? undefined),
});
