import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, getNamedType, isEnumType, isInputObjectType, isNonNullType, Kind, parse, typeFromAST, type DefinitionNode, type DocumentNode, type GraphQLInputType, type OperationDefinitionNode } from 'graphql';
import { loadApiConfig } from '../config/api-config';
import { operationCost } from './query-cost';

// The cost model against the committed schema: what the dashboard asks fits the default budget
// with room to spare, and what hurt the API in issue #12 is far over it.

const schema = buildSchema(readFileSync(join(__dirname, '..', '..', 'schema.graphql'), 'utf8'));
const budget = loadApiConfig({}).graphql.maxCost;
const cost = (query: string, variables: Record<string, unknown> = {}) => operationCost(schema, parse(query), undefined, variables);

/** Every operation the dashboard sends, as codegen recorded them (apps/dashboard/app/lib/generated/gql.ts). */
function dashboardOperations(): Array<{ name: string; document: DocumentNode }> {
  const source = readFileSync(join(__dirname, '..', '..', '..', 'dashboard', 'app', 'lib', 'generated', 'gql.ts'), 'utf8');
  const typeBlock = source.slice(source.indexOf('type Documents = {'), source.indexOf('};', source.indexOf('type Documents = {')));
  const texts = [...typeBlock.matchAll(/^\s+("(?:\\.|[^"\\])*"): typeof types\.\w+,?$/gm)].map((m) => JSON.parse(m[1]) as string);
  const definitions: DefinitionNode[] = texts.flatMap((text) => parse(text).definitions);
  const fragments = definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  return definitions
    .filter((d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === 'query')
    .map((operation) => ({ name: operation.kind === Kind.OPERATION_DEFINITION ? (operation.name?.value ?? '?') : '?', document: { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] } }));
}

/**
 * Variables for a dashboard operation: page sizes at 1,000, the largest page any dashboard view
 * asks for (changes, review; nodes and findings ask for fewer), and a plausible value for the rest.
 */
function largestVariables(operation: OperationDefinitionNode): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type as never);
    if (!type) continue;
    if (['first', 'size', 'limit'].includes(name)) values[name] = 1000;
    else if (isNonNullType(type)) values[name] = plausibleValue(type as GraphQLInputType);
  }
  return values;
}

/** A plausible value of a required input: input objects get their required fields (the trace's `from`, `window`). */
function plausibleValue(type: GraphQLInputType): unknown {
  const named = getNamedType(type);
  if (named.name === 'DateTime') return '2026-12-01T00:00:00.000Z';
  if (named.name === 'Int' || named.name === 'Float') return 10;
  if (named.name === 'Boolean') return false;
  if (isEnumType(named)) return named.getValues()[0].name;
  if (isInputObjectType(named)) {
    const fields = Object.values(named.getFields()).filter((field) => isNonNullType(field.type));
    return Object.fromEntries(fields.map((field) => [field.name, plausibleValue(field.type)]));
  }
  return 'node-a';
}

describe('GraphQL query cost', () => {
  it('reads every dashboard query from the codegen output', () => {
    expect(dashboardOperations().length).toBeGreaterThanOrEqual(8);
  });

  it.each(dashboardOperations().map((o) => [o.name, o.document] as const))('the dashboard query %s fits half the default budget even at 1,000 entries a page', (_name, document) => {
    expect(operationCost(schema, document, undefined, largestVariables(document.definitions[0] as OperationDefinitionNode))).toBeLessThanOrEqual(budget / 2);
  });

  it('costs a page of a connection by its first argument', () => {
    expect(cost('{ nodes(first: 200) { edges { node { name } } } }')).toBe(4 * cost('{ nodes(first: 50) { edges { node { name } } } }') - 3);
  });

  it('uses the argument default when first is omitted', () => {
    expect(cost('{ nodes { edges { node { name } } } }')).toBe(cost('{ nodes(first: 50) { edges { node { name } } } }'));
  });

  it('costs each alias in full', () => {
    const one = cost('{ node(name: "a") { state { routes { dst } } } }');
    const aliases = Array.from({ length: 10 }, (_, i) => `s${i}: state { routes { dst } }`).join(' ');
    expect(cost(`{ node(name: "a") { ${aliases} } }`)).toBeGreaterThan(9 * one);
  });

  it('puts the 1,000-alias state { routes } query of issue #12 far over the default budget', () => {
    const aliases = Array.from({ length: 1000 }, (_, i) => `s${i}: state { routes { dst gateway dev protocol flags } }`).join(' ');
    expect(cost(`{ node(name: "n") { ${aliases} } }`)).toBeGreaterThan(10 * budget);
  });

  it('lets a whole node state (every list, every field) through', () => {
    const state = `{ node(name: "n") { state { at covered namespaces
      routes { key namespace family table type dst gateway dev protocol scope metric prefsrc flags mtu nexthops { gateway dev weight } }
      links { namespace name ifindex kind mac mtu operState flags master peerIfindex peerName }
      addresses { key namespace dev family local prefixlen scope flags }
      neighbors { key namespace dev dst family lladdr state proxy router }
      sysctls { namespace path value } } } }`;
    expect(cost(state)).toBeLessThanOrEqual(budget);
  });
});
