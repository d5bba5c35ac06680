import type { BreakingChange } from './graphql-diff';

/**
 * A small OpenAPI 3 diff for what breaks an existing client: an operation, response status or
 * response header removed; a request that used to be accepted now refused (a field newly
 * required or no longer allowed, a type, enum, const or pattern changed, a bound tightened); a
 * response field removed, made optional or changed in type. Additions a client never sends or
 * reads are not breaking (a new enum value in a response is not reported: clients should
 * tolerate unknown values, as GraphQL's "dangerous" changes).
 */
type Json = Record<string, unknown>;
interface Schema extends Json {
  $ref?: string;
  type?: unknown;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: unknown;
  items?: Schema;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
/** Bounds a request may not tighten: an upper bound may not shrink, a lower one may not grow. */
const UPPER_BOUNDS = ['maxLength', 'maximum', 'maxItems'] as const;
const LOWER_BOUNDS = ['minLength', 'minimum', 'minItems'] as const;

export function openapiBreakingChanges(previous: Json, current: Json): BreakingChange[] {
  const changes: BreakingChange[] = [];
  const report = (path: string, message: string) => changes.push({ path, message });
  const oldPaths = (previous.paths ?? {}) as Record<string, Json>;
  const newPaths = (current.paths ?? {}) as Record<string, Json>;
  for (const [route, oldItem] of Object.entries(oldPaths)) {
    for (const method of METHODS) {
      const oldOp = oldItem[method] as Json | undefined;
      if (!oldOp) continue;
      const id = `${method.toUpperCase()} ${route}`;
      const newOp = newPaths[route]?.[method] as Json | undefined;
      if (!newOp) {
        report(id, `operation ${id} was removed`);
        continue;
      }
      const resolveOld = (s: Schema | undefined) => resolve(previous, s);
      const resolveNew = (s: Schema | undefined) => resolve(current, s);
      const oldBody = oldOp.requestBody as Json | undefined;
      const newBody = newOp.requestBody as Json | undefined;
      if (newBody?.required === true && oldBody?.required !== true) report(`${id} request`, `${id} now requires a request body`);
      const oldRequest = jsonSchemaOf(oldBody);
      const newRequest = jsonSchemaOf(newBody);
      if (oldRequest && newRequest) compareRequest(resolveOld, resolveNew, oldRequest, newRequest, `${id} request`, report);
      const oldResponses = (oldOp.responses ?? {}) as Record<string, Json>;
      const newResponses = (newOp.responses ?? {}) as Record<string, Json>;
      for (const [status, oldResponse] of Object.entries(oldResponses)) {
        const newResponse = newResponses[status];
        const at = `${id} ${status}`;
        if (!newResponse) {
          report(at, `${id} no longer documents status ${status}`);
          continue;
        }
        const newHeaders = (newResponse.headers ?? {}) as Json;
        for (const header of Object.keys((oldResponse.headers ?? {}) as Json)) {
          if (!(header in newHeaders)) report(`${at} ${header}`, `${at} no longer sends the ${header} header`);
        }
        const oldSchema = jsonSchemaOf(oldResponse);
        const newSchema = jsonSchemaOf(newResponse);
        if (oldSchema && newSchema) compareResponse(resolveOld, resolveNew, oldSchema, newSchema, at, report);
        else if (oldSchema && !newSchema) report(at, `${at} no longer has a JSON body`);
      }
    }
  }
  return changes;
}

type Resolver = (schema: Schema | undefined) => Schema | undefined;
type Report = (path: string, message: string) => void;

function jsonSchemaOf(holder: Json | undefined): Schema | undefined {
  const content = holder?.content as Record<string, { schema?: Schema }> | undefined;
  return content?.['application/json']?.schema;
}

/** Follows local `#/components/…` references. */
function resolve(document: Json, schema: Schema | undefined): Schema | undefined {
  let current = schema;
  for (let hops = 0; current?.$ref && hops < 32; hops++) {
    const target = current.$ref.replace(/^#\//, '').split('/').reduce<unknown>((node, key) => (node as Json | undefined)?.[key], document);
    current = target as Schema | undefined;
  }
  return current;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function commonChecks(oldSchema: Schema, newSchema: Schema, path: string, report: Report): void {
  if (oldSchema.type !== undefined && newSchema.type !== undefined && !same(oldSchema.type, newSchema.type)) {
    report(path, `${path} changed type from ${JSON.stringify(oldSchema.type)} to ${JSON.stringify(newSchema.type)}`);
  }
}

function compareRequest(resolveOld: Resolver, resolveNew: Resolver, oldRaw: Schema, newRaw: Schema, path: string, report: Report): void {
  const oldSchema = resolveOld(oldRaw);
  const newSchema = resolveNew(newRaw);
  if (!oldSchema || !newSchema) return;
  commonChecks(oldSchema, newSchema, path, report);
  const allowed = newSchema.enum;
  if (allowed) {
    const refused = oldSchema.enum ? oldSchema.enum.filter((v) => !allowed.some((n) => same(n, v))) : ['(any value)'];
    if (refused.length > 0) report(path, `${path} no longer accepts ${refused.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  if (newSchema.const !== undefined && !same(oldSchema.const, newSchema.const)) report(path, `${path} now must be ${JSON.stringify(newSchema.const)}`);
  if (newSchema.pattern !== undefined && newSchema.pattern !== oldSchema.pattern) report(path, `${path} has a new pattern ${newSchema.pattern}`);
  for (const bound of UPPER_BOUNDS) {
    const was = oldSchema[bound] as number | undefined;
    const is = newSchema[bound] as number | undefined;
    if (is !== undefined && (was === undefined || is < was)) report(path, `${path} ${bound} tightened from ${was ?? 'none'} to ${is}`);
  }
  for (const bound of LOWER_BOUNDS) {
    const was = oldSchema[bound] as number | undefined;
    const is = newSchema[bound] as number | undefined;
    if (is !== undefined && (was === undefined || is > was)) report(path, `${path} ${bound} tightened from ${was ?? 'none'} to ${is}`);
  }
  const oldRequired = new Set(oldSchema.required ?? []);
  for (const field of newSchema.required ?? []) {
    if (!oldRequired.has(field)) report(`${path}.${field}`, `${path}.${field} is now required`);
  }
  const oldProperties = oldSchema.properties ?? {};
  const newProperties = newSchema.properties ?? {};
  for (const [field, oldProperty] of Object.entries(oldProperties)) {
    const newProperty = newProperties[field];
    if (!newProperty) {
      if (newSchema.additionalProperties === false) report(`${path}.${field}`, `${path}.${field} is no longer accepted`);
      continue;
    }
    compareRequest(resolveOld, resolveNew, oldProperty, newProperty, `${path}.${field}`, report);
  }
  if (oldSchema.items && newSchema.items) compareRequest(resolveOld, resolveNew, oldSchema.items, newSchema.items, `${path}[]`, report);
}

function compareResponse(resolveOld: Resolver, resolveNew: Resolver, oldRaw: Schema, newRaw: Schema, path: string, report: Report): void {
  const oldSchema = resolveOld(oldRaw);
  const newSchema = resolveNew(newRaw);
  if (!oldSchema || !newSchema) return;
  commonChecks(oldSchema, newSchema, path, report);
  const newRequired = new Set(newSchema.required ?? []);
  for (const field of oldSchema.required ?? []) {
    if (!newRequired.has(field) && newSchema.properties?.[field]) report(`${path}.${field}`, `${path}.${field} may now be absent`);
  }
  const newProperties = newSchema.properties ?? {};
  for (const [field, oldProperty] of Object.entries(oldSchema.properties ?? {})) {
    const newProperty = newProperties[field];
    if (!newProperty) report(`${path}.${field}`, `${path}.${field} was removed`);
    else compareResponse(resolveOld, resolveNew, oldProperty, newProperty, `${path}.${field}`, report);
  }
  if (oldSchema.items && newSchema.items) compareResponse(resolveOld, resolveNew, oldSchema.items, newSchema.items, `${path}[]`, report);
}
