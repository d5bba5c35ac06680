import type { z } from 'zod';
import { addressSchema, CONTRACT_RULE_OF_CHECK, linkSchema, neighborSchema, routeSchema, snapshotSchema, sysctlSchema } from './snapshot-schema';

/**
 * Writes the contract's zod-free fast path (snapshot-fast-path.generated.ts) from the zod
 * schema, so the contract has one source. It walks each schema's definition and emits the
 * matching block of fast-path-runtime.ts; a construct it does not know (a new zod type, a
 * transform, an unnamed refinement) stops it with an error rather than being guessed at.
 * snapshot-fast-path.spec.ts fails while the committed file differs from what this returns.
 */

export const GENERATED_FILE = 'snapshot-fast-path.generated.ts';
export const UPDATE_COMMAND = 'ROUTESCOPE_UPDATE_CONTRACT=1 npx jest -c libs/snapshot/jest.config.cjs snapshot-fast-path';

/** The schemas the generated module exports, by the name it exports them under (entries first: the snapshot reuses them). */
const ROOTS: Record<string, z.ZodType> = {
  link: linkSchema,
  address: addressSchema,
  route: routeSchema,
  neighbor: neighborSchema,
  sysctl: sysctlSchema,
  snapshot: snapshotSchema,
};

interface CheckDef {
  check: string;
  format?: string;
  pattern?: RegExp;
  minimum?: number;
  maximum?: number;
  value?: number;
  inclusive?: boolean;
}

interface SchemaDef {
  type: string;
  checks?: Array<{ _zod: { def: CheckDef } }>;
  format?: string;
  pattern?: RegExp;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  innerType?: z.ZodType;
  values?: unknown[];
  entries?: Record<string, unknown>;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** A part of a zod definition that its type implies (a string check's bound, an array's element). */
function part<T>(value: T | undefined, where: string, what: string): T {
  if (value === undefined) throw new Error(`fast-path-generator: ${where}: the zod definition has no ${what}`);
  return value;
}

/** The source text of snapshot-fast-path.generated.ts (of a module exporting `roots`, by name). */
export function generateFastPath(roots: Record<string, z.ZodType> = ROOTS): string {
  const constants: string[] = [];
  const nameOfExpression = new Map<string, string>();
  const RUNTIME_NAMES = ['array', 'boolean', 'ipv6Syntax', 'matches', 'number', 'oneOf', 'optional', 'optionalValue', 'required', 'rule', 'strictObject', 'string', 'union', 'withSnapshotRule', 'Check'];
  const usedNames = new Set<string>(RUNTIME_NAMES);

  /** Hoists an expression into a named constant, once per distinct expression. */
  function hoist(expression: string, hint: string): string {
    const existing = nameOfExpression.get(expression);
    if (existing) return existing;
    const base = hint.replace(/[^A-Za-z0-9]/g, '') || 'check';
    let name = base;
    for (let n = 2; usedNames.has(name); n++) name = `${base}${n}`;
    usedNames.add(name);
    nameOfExpression.set(expression, name);
    constants.push(`${name in roots ? 'export ' : ''}const ${name}: Check = ${expression};`);
    return name;
  }

  function unsupported(where: string, what: string): never {
    throw new Error(`fast-path-generator: ${where}: ${what} has no zod-free equivalent here; add one to fast-path-runtime.ts and to this generator`);
  }

  function expressionOf(schema: z.ZodType, where: string, hint: string): string {
    const def = defOf(schema);
    const checks = (def.checks ?? []).map((c) => ({ check: c, def: c._zod.def }));
    switch (def.type) {
      case 'string': {
        let min = 0;
        let max = Infinity;
        const tests: string[] = [];
        const rules: string[] = [];
        if (def.format !== undefined) tests.push(formatTest(def.format, def.pattern, where));
        for (const { check, def: c } of checks) {
          if (c.check === 'min_length') min = Math.max(min, part(c.minimum, where, 'minimum'));
          else if (c.check === 'max_length') max = Math.min(max, part(c.maximum, where, 'maximum'));
          else if (c.check === 'string_format') tests.push(formatTest(part(c.format, where, 'format'), c.pattern, where));
          else if (c.check === 'custom') rules.push(stringRuleOf(check, where));
          else unsupported(where, `string check "${c.check}"`);
          if (c.check === 'custom') tests.push(`rule('${rules.at(-1)}')`);
        }
        // Named by what they check where that is short (`string1to128Identifier`, `ipv4`), else by the field.
        const formatName = def.format === 'ipv4' || def.format === 'ipv6' ? def.format : undefined;
        const named = tests.length === rules.length ? `string${min}to${max}${rules.map((r) => r[0].toUpperCase() + r.slice(1)).join('')}` : undefined;
        return hoist(`string(${min}, ${max}, [${tests.join(', ')}])`, formatName ?? named ?? hint);
      }
      case 'number': {
        let safeInteger = false;
        const bounds: string[] = [];
        for (const { def: c } of checks) {
          if (c.check === 'number_format' && c.format === 'safeint') safeInteger = true;
          else if (c.check === 'greater_than') bounds.push(`['${c.inclusive ? '>=' : '>'}', ${c.value}]`);
          else if (c.check === 'less_than') bounds.push(`['${c.inclusive ? '<=' : '<'}', ${c.value}]`);
          else unsupported(where, `number check "${c.check}${c.format ? ` ${c.format}` : ''}"`);
        }
        const range = (checks.find(({ def: c }) => c.check === 'greater_than')?.def.value ?? '') + 'to' + (checks.find(({ def: c }) => c.check === 'less_than')?.def.value ?? 'Max');
        return hoist(`number(${safeInteger}, [${bounds.join(', ')}])`, `${safeInteger ? 'int' : 'number'}${String(range).replace('-', 'Minus')}`);
      }
      case 'boolean':
        noChecks(checks, where);
        return 'boolean';
      case 'literal':
        noChecks(checks, where);
        return hoist(`oneOf(${JSON.stringify(def.values)})`, hint);
      case 'enum':
        noChecks(checks, where);
        return hoist(`oneOf(${JSON.stringify(Object.values(part(def.entries, where, 'entries')))})`, hint);
      case 'union': {
        noChecks(checks, where);
        const options = part(def.options, where, 'options').map((o, i) => expressionOf(o, `${where}|${i}`, hint));
        return hoist(`union([${options.join(', ')}])`, options.map((o, i) => (i === 0 ? o : o[0].toUpperCase() + o.slice(1))).join('Or'));
      }
      case 'optional':
        noChecks(checks, where);
        return hoist(`optionalValue(${expressionOf(part(def.innerType, where, 'innerType'), where, hint)})`, hint);
      case 'array': {
        let min = 0;
        let max = Infinity;
        for (const { def: c } of checks) {
          if (c.check === 'min_length') min = Math.max(min, part(c.minimum, where, 'minimum'));
          else if (c.check === 'max_length') max = Math.min(max, part(c.maximum, where, 'maximum'));
          else unsupported(where, `array check "${c.check}"`);
        }
        return hoist(`array(${expressionOf(part(def.element, where, 'element'), `${where}[]`, `${hint}Item`)}, ${min}, ${max})`, `${hint}List`);
      }
      case 'object': {
        if (def.catchall === undefined || defOf(def.catchall).type !== 'never') unsupported(where, 'an object that is not strict');
        const fields = Object.entries(part(def.shape, where, 'shape')).map(([key, field]) => {
          const fieldDef = defOf(field);
          const isOptional = fieldDef.type === 'optional' && (fieldDef.checks ?? []).length === 0;
          const inner = isOptional ? part(fieldDef.innerType, where, 'innerType') : field;
          return `${isOptional ? 'optional' : 'required'}('${key}', ${expressionOf(inner, `${where}.${key}`, key)})`;
        });
        let expression = `strictObject([\n  ${fields.join(',\n  ')},\n])`;
        for (const { check, def: c } of checks) {
          const named = c.check === 'custom' ? CONTRACT_RULE_OF_CHECK.get(check) : undefined;
          if (named?.kind !== 'snapshot') unsupported(where, `object check "${c.check}" that is not a named snapshot rule`);
          expression = `withSnapshotRule(${expression}, '${named.name}')`;
        }
        return hoist(expression, hint);
      }
      default:
        return unsupported(where, `zod type "${def.type}"`);
    }
  }

  function formatTest(format: string, pattern: RegExp | undefined, where: string): string {
    // zod's ipv6 check is a URL parse (isValidIPv6), not its pattern; every other format used here is its pattern.
    if (format === 'ipv6') return 'ipv6Syntax';
    if (!['regex', 'ipv4', 'uuid', 'datetime'].includes(format) || pattern === undefined) unsupported(where, `string format "${format}"`);
    if (pattern.global || pattern.sticky) unsupported(where, `a ${pattern.flags} pattern`);
    return `matches(${pattern.toString()})`;
  }

  function stringRuleOf(check: object, where: string): string {
    const named = CONTRACT_RULE_OF_CHECK.get(check);
    if (named?.kind !== 'string') unsupported(where, 'a refinement that is not a named rule of contract-rules.ts');
    return named.name;
  }

  function noChecks(checks: unknown[], where: string): void {
    if (checks.length > 0) unsupported(where, 'a check on this type');
  }

  for (const [name, schema] of Object.entries(roots)) {
    if (expressionOf(schema, name, name) !== name) throw new Error(`fast-path-generator: the export "${name}" was named for another schema first`);
  }

  const body = constants.join('\n');
  const used = RUNTIME_NAMES.filter((n) => new RegExp(`(?<![\\w'])${n}(?![\\w'])`).test(body));
  return [
    `// GENERATED by fast-path-generator.ts from snapshot-schema.ts: do not edit.`,
    `// Regenerate: ${UPDATE_COMMAND}`,
    `import { ${used.map((n) => (n === 'Check' ? 'type Check' : n)).join(', ')} } from './fast-path-runtime';`,
    '',
    ...constants,
    '',
  ].join('\n');
}
