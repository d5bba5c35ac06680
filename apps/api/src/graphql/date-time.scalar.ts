import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { GraphQLError, GraphQLScalarType, Kind, type ASTVisitor, type GraphQLSchema, type ValidationContext } from 'graphql';
import { toPublicError } from '../errors/error-mapping';
import { GraphqlInputError, GraphqlInputErrorCode } from './graphql-input.errors';

// The schema's one DateTime scalar. Nest's built-in (GraphQLISODateTime) reads any string with
// `new Date(text)`: "yesterday" became an Invalid Date that resolvers met as an internal error.
// This one refuses it while the request is validated, as BAD_USER_INPUT naming the argument.

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/i;
const EXAMPLE = 'an ISO 8601 date-time with a time zone, such as 2026-12-06T03:12:00Z';

/** An ISO 8601 date-time with a zone (`Z` or `±hh:mm`); throws GraphqlInputError saying why not. */
export function parseDateTime(text: string): Date {
  const fail = (why: string) => {
    throw new GraphqlInputError(GraphqlInputErrorCode.InvalidDateTime, `${JSON.stringify(text)} is not a date-time${why}: expected ${EXAMPLE}`);
  };
  const parts = DATE_TIME.exec(text.trim());
  if (!parts) return fail('');
  if (!parts[7]) return fail(' (no time zone: add Z for UTC)');
  const date = new Date(text.trim());
  // Date rolls 2026-02-30 over into March: a calendar date must come back as it was written.
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map((p) => Number(p ?? 0)) as [number, number, number, number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (Number.isNaN(date.getTime()) || calendar.getUTCDate() !== day || calendar.getUTCMonth() !== month - 1 || hour > 23 || minute > 59 || second > 59) return fail('');
  return date;
}

/** Refusals are thrown as GraphQLErrors, so graphql-js keeps where it stood (the variable's name); the domain error maps them (errors/error-mapping.ts). */
function refuse(message: string): never {
  throw new GraphQLError(message, { originalError: new GraphqlInputError(GraphqlInputErrorCode.InvalidDateTime, message) });
}

function parseOrRefuse(text: string): Date {
  try {
    return parseDateTime(text);
  } catch (error) {
    if (error instanceof GraphqlInputError) return refuse(error.message);
    throw error;
  }
}

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  // as Nest's, so the committed SDL stays the same
  description: 'A date-time string at UTC, such as 2019-12-03T09:54:33Z, compliant with the date-time format.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : null),
  parseValue: (value) => (typeof value === 'string' ? parseOrRefuse(value) : refuse(`a ${value === null ? 'null' : typeof value} is not a date-time: expected ${EXAMPLE}, as a string`)),
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? parseOrRefuse(ast.value) : refuse(`${ast.kind === Kind.NULL ? 'null' : 'a non-string literal'} is not a date-time: expected ${EXAMPLE}, as a string`)),
});

/** The schema Nest built, with every use of its DateTime replaced by DateTimeScalar (GraphQLModule's transformSchema). */
export function withDateTimeScalar(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, { [MapperKind.SCALAR_TYPE]: (type) => (type.name === DateTimeScalar.name ? DateTimeScalar : type) });
}

/**
 * A validation rule that names the argument in the errors of refused literals: graphql-js reports
 * a scalar's refusal of `blocks(at: "yesterday")` without saying which argument it was. It asks
 * the validation context, which is at that argument when the refusal is reported.
 */
export function argumentNamesInInputErrors(context: ValidationContext): ASTVisitor {
  const report = context.reportError.bind(context);
  context.reportError = (error: GraphQLError) => {
    const argument = context.getArgument();
    if (!(error.originalError instanceof GraphqlInputError) || !argument) return report(error);
    const directive = context.getDirective();
    const where = directive ? `@${directive.name}` : `"${context.getFieldDef()?.name ?? '?'}"`;
    // extensions for transports that send errors as they are (graphql-ws), as limitViolation does
    const extensions = { code: toPublicError(error.originalError)?.graphqlCode, reason: error.originalError.code };
    report(new GraphQLError(`Argument "${argument.name}" of ${where}: ${error.originalError.message}`, { nodes: error.nodes, originalError: error.originalError, extensions }));
  };
  return {};
}
