// Drift check: does the database the migrations produce match what schema.prisma (and so the
// generated client) expects? The expectation is derived from Prisma's DMMF, never hand-listed;
// the database side is read from pg_catalog (format_type gives the exact type with its
// precision, pg_get_expr the canonical default and index predicate; information_schema and
// pg_indexes are views over the same catalogs).
//
// A partitioned table is compared as its parent: its partitions (pg_class.relispartition: fact's
// weeks and fact_open) and the indexes and foreign keys they inherit are the parent's, created by
// migrations and the API's partition job, not models of their own.
//
// Only what schema.prisma can state is compared: the hand-written CHECK constraints of the
// migrations are invisible to Prisma and ignored here. Anything the checker does not know how
// to compare (enums, multi-schema, sort orders…) is reported as a difference, so that growing
// the schema past it fails loudly instead of passing silently.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultMigrationsDir, MIGRATIONS_TABLE } from '../migration-runner';
import type { SqlExecutor } from '../sql-executor';
import { getDatamodel, type Datamodel, type DmmfField, type DmmfModel } from './prisma-dmmf';

/** Postgres's identifier limit; Prisma truncates default constraint names to fit it. */
const MAX_IDENTIFIER = 63;

export interface DriftOptions {
  /** Default: prisma/schema.prisma next to the repository's prisma/migrations. */
  schemaPath?: string;
}

/** Differences between schema.prisma and the connected database; empty when they agree. */
export async function checkSchemaDrift(sql: SqlExecutor, options: DriftOptions = {}): Promise<string[]> {
  const schemaPath = options.schemaPath ?? join(dirname(defaultMigrationsDir()), 'schema.prisma');
  const source = readFileSync(schemaPath, 'utf8');
  const datamodel = driftDatamodel(source);
  const extras = parseSchemaExtras(source);
  const expected = expectations(datamodel, extras);
  const actual = await readCatalog(sql);
  const drift: string[] = [...expected.unsupported];

  for (const table of expected.tables) {
    const columns = actual.columns.filter((c) => c.table === table.name);
    if (columns.length === 0) {
      drift.push(`table ${table.name}: missing (model ${table.model})`);
      continue;
    }
    for (const want of table.columns) {
      const have = columns.find((c) => c.column === want.name);
      const label = `column ${table.name}.${want.name} (${table.model}.${want.field})`;
      if (!have) {
        drift.push(`${label}: missing`);
        continue;
      }
      if (have.type !== want.type) drift.push(`${label}: type is ${have.type}, schema says ${want.type}`);
      if (have.notNull !== want.notNull) {
        drift.push(`${label}: is ${have.notNull ? 'NOT NULL' : 'nullable'}, schema says ${want.notNull ? 'NOT NULL' : 'nullable'}`);
      }
      const defaultProblem = compareDefault(have.default, want.default);
      if (defaultProblem) drift.push(`${label}: ${defaultProblem}`);
    }
    for (const extra of columns.filter((c) => !table.columns.some((w) => w.name === c.column))) {
      drift.push(`column ${table.name}.${extra.column}: exists in the database, not in the schema`);
    }
  }

  const modelTables = new Set(expected.tables.map((t) => t.name));
  for (const table of new Set(actual.columns.map((c) => c.table))) {
    if (!modelTables.has(table)) drift.push(`table ${table}: exists in the database, not in the schema`);
  }

  for (const want of expected.indexes) {
    const have = actual.indexes.find((i) => i.table === want.table && i.name === want.name);
    const label = `${want.kind} ${want.name} on ${want.table}(${want.columns.join(', ')})`;
    if (!have) {
      drift.push(`${label}: missing`);
      continue;
    }
    if (have.columns.join(',') !== want.columns.join(',')) drift.push(`${label}: columns are (${have.columns.join(', ')})`);
    if (want.kind === 'primary key' && !have.primary) drift.push(`${label}: is not the primary key`);
    if (want.kind === 'unique index' && !have.unique) drift.push(`${label}: is not unique`);
    if (want.kind === 'index' && have.unique) drift.push(`${label}: is unique, schema says it is not`);
    if (have.method !== 'btree') drift.push(`${label}: uses ${have.method}, schema says btree`);
    const wantPredicate = want.predicate === null ? null : await canonicalPredicate(sql, want.table, want.columns, want.predicate);
    if (have.predicate !== wantPredicate) {
      drift.push(`${label}: predicate is ${have.predicate ?? '(none)'}, schema says ${wantPredicate ?? '(none)'}`);
    }
  }
  // indexes Prisma cannot state (expressions, other access methods), declared by name and method
  const sqlIndexes = extras.sqlIndexes.map((i) => ({ ...i, table: expected.tables.find((t) => t.model === i.model)?.name ?? i.model }));
  for (const want of sqlIndexes) {
    const have = actual.indexes.find((i) => i.table === want.table && i.name === want.name);
    if (!have) drift.push(`index ${want.name} on ${want.table} (sql index of model ${want.model}): missing`);
    else if (have.method !== want.method) drift.push(`index ${want.name} on ${want.table}: uses ${have.method}, schema says ${want.method}`);
  }
  for (const extra of actual.indexes.filter(
    (i) =>
      modelTables.has(i.table) &&
      !expected.indexes.some((w) => w.table === i.table && w.name === i.name) &&
      !sqlIndexes.some((w) => w.table === i.table && w.name === i.name),
  )) {
    drift.push(`index ${extra.name} on ${extra.table}(${extra.columns.join(', ')}): exists in the database, not in the schema`);
  }

  for (const want of expected.foreignKeys) {
    const have = actual.foreignKeys.find((f) => f.table === want.table && f.name === want.name);
    const label = `foreign key ${want.name} on ${want.table}(${want.columns.join(', ')})`;
    if (!have) {
      drift.push(`${label}: missing`);
      continue;
    }
    const target = `${want.referencedTable}(${want.referencedColumns.join(', ')})`;
    const haveTarget = `${have.referencedTable}(${have.referencedColumns.join(', ')})`;
    if (have.columns.join(',') !== want.columns.join(',') || haveTarget !== target) {
      drift.push(`${label}: is (${have.columns.join(', ')}) → ${haveTarget}, schema says → ${target}`);
    }
    if (have.onDelete !== want.onDelete) drift.push(`${label}: ON DELETE ${ACTION_NAMES[have.onDelete] ?? have.onDelete}, schema says ${ACTION_NAMES[want.onDelete]}`);
    if (have.onUpdate !== want.onUpdate) drift.push(`${label}: ON UPDATE ${ACTION_NAMES[have.onUpdate] ?? have.onUpdate}, schema says ${ACTION_NAMES[want.onUpdate]}`);
  }
  for (const extra of actual.foreignKeys.filter(
    (f) => modelTables.has(f.table) && !expected.foreignKeys.some((w) => w.table === f.table && w.name === f.name),
  )) {
    drift.push(`foreign key ${extra.name} on ${extra.table}: exists in the database, not in the schema`);
  }
  return drift;
}

/** Stand-in primary key name given to @@ignore'd models by driftDatamodel (never compared). */
const STAND_IN_ID = '__routescope_drift_stand_in_pkey';

/**
 * The DMMF the drift check compares, @@ignore'd models included. Prisma leaves an ignored model
 * out of the DMMF (and out of the client); we ignore Fact only because Prisma wants every model to
 * have a unique criterion of required columns, which a table partitioned on the nullable valid_to
 * cannot have (its unique indexes must hold valid_to). Its columns, indexes and foreign key are
 * still ours to check: the copy of the schema read here un-ignores such models, giving each a
 * stand-in @@id (named STAND_IN_ID and dropped from the result) to pass Prisma's validation.
 */
export function driftDatamodel(source: string): Datamodel {
  const ignored = [...source.matchAll(/^model\s+(\w+)\s*\{[^}]*^\s*@@ignore\s*$/gm)].map((m) => m[1]);
  if (ignored.length === 0) return getDatamodel(source);
  let visible = source;
  for (const model of ignored) {
    visible = visible.replace(new RegExp(`^(model\\s+${model}\\s*\\{[^}]*?)^\\s*@@ignore\\s*$`, 'm'), `$1  @@id([id], map: "${STAND_IN_ID}")`);
    // relation fields pointing at it carry @ignore too
    visible = visible.replace(new RegExp(`^(\\s+\\w+\\s+${model}(\\[\\]|\\?)?\\s.*?)\\s@ignore\\b`, 'gm'), '$1');
  }
  const datamodel = getDatamodel(visible);
  return { ...datamodel, indexes: datamodel.indexes.filter((index) => index.dbName !== STAND_IN_ID) };
}

// ---------------------------------------------------------------------------------------------
// What the schema expects

type ExpectedDefault =
  | { kind: 'none' }
  | { kind: 'sequence' } // @default(autoincrement()): SERIAL's nextval(…)
  | { kind: 'any' } // dbgenerated(…): present, value not compared
  | { kind: 'value'; text: string };

interface ExpectedColumn {
  field: string;
  name: string;
  type: string;
  notNull: boolean;
  default: ExpectedDefault;
}

interface ExpectedIndex {
  kind: 'primary key' | 'unique index' | 'index';
  table: string;
  name: string;
  columns: string[];
  predicate: string | null;
}

interface ExpectedForeignKey {
  table: string;
  name: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: string;
  onUpdate: string;
}

interface Expectations {
  tables: { model: string; name: string; columns: ExpectedColumn[] }[];
  indexes: ExpectedIndex[];
  foreignKeys: ExpectedForeignKey[];
  unsupported: string[];
}

/** pg_constraint.confdeltype/confupdtype codes of Prisma's referential actions. */
const ACTION_CODES: Record<string, string> = { Cascade: 'c', Restrict: 'r', NoAction: 'a', SetNull: 'n', SetDefault: 'd' };
const ACTION_NAMES: Record<string, string> = { c: 'CASCADE', r: 'RESTRICT', a: 'NO ACTION', n: 'SET NULL', d: 'SET DEFAULT' };

function expectations(datamodel: Datamodel, extras: SchemaExtras): Expectations {
  const unsupported: string[] = [];
  if (datamodel.enums.length > 0) unsupported.push('schema has enums, which the drift check does not compare yet (extend testing/schema-drift.ts)');
  const tableOf = (model: DmmfModel) => model.dbName ?? model.name;
  const modelByName = new Map(datamodel.models.map((m) => [m.name, m]));
  const columnOf = (model: DmmfModel, fieldName: string) => {
    const field = model.fields.find((f) => f.name === fieldName);
    return field?.dbName ?? fieldName;
  };

  const tables = datamodel.models.map((model) => {
    if (model.schema) unsupported.push(`model ${model.name} uses @@schema, which the drift check does not handle`);
    const columns = model.fields
      .filter((f) => f.kind === 'scalar' || f.kind === 'enum')
      .map((field): ExpectedColumn => {
        const type = columnType(field);
        if (type === null) unsupported.push(`${model.name}.${field.name}: type ${field.type} ${JSON.stringify(field.nativeType)} is not mapped in the drift check`);
        const expectedDefault = defaultOf(field);
        if (expectedDefault === null) unsupported.push(`${model.name}.${field.name}: default ${JSON.stringify(field.default)} is not mapped in the drift check`);
        return {
          field: field.name,
          name: field.dbName ?? field.name,
          type: type ?? '?',
          // Prisma renders scalar lists without NOT NULL even when required.
          notNull: field.isRequired && !field.isList,
          default: expectedDefault ?? { kind: 'any' },
        };
      });
    return { model: model.name, name: tableOf(model), columns };
  });

  const indexes: ExpectedIndex[] = [];
  for (const index of datamodel.indexes) {
    const model = modelByName.get(index.model);
    if (!model) continue;
    const table = tableOf(model);
    const columns = index.fields.map((f) => columnOf(model, f.name));
    if (index.type === 'fulltext' || index.algorithm || index.fields.some((f) => f.sortOrder || f.length || f.operatorClass)) {
      unsupported.push(`${index.model} ${index.type} index on (${columns.join(', ')}): options the drift check does not compare`);
    }
    const kind = index.type === 'id' ? 'primary key' : index.type === 'unique' ? 'unique index' : 'index';
    const suffix = index.type === 'id' ? '_pkey' : index.type === 'unique' ? '_key' : '_idx';
    // Prisma's default names: <table>_pkey, <table>_<columns>_key / _idx (ConstraintNames in psl).
    const name = index.dbName ?? (index.type === 'id' ? truncate(table, suffix) : truncate(`${table}_${columns.join('_')}`, suffix));
    const predicate = extras.predicates.get(predicateKey(index.model, index.type, index.fields.map((f) => f.name))) ?? null;
    indexes.push({ kind, table, name, columns, predicate });
  }

  const foreignKeys: ExpectedForeignKey[] = [];
  for (const model of datamodel.models) {
    for (const field of model.fields.filter((f) => f.kind === 'object' && f.relationFromFields?.length)) {
      const target = modelByName.get(field.type);
      if (!target) continue;
      const table = tableOf(model);
      const columns = (field.relationFromFields ?? []).map((f) => columnOf(model, f));
      // psl defaults: onDelete Restrict for a required relation, SetNull for an optional one; onUpdate Cascade.
      const onDelete = field.relationOnDelete ?? (field.isRequired ? 'Restrict' : 'SetNull');
      const onUpdate = field.relationOnUpdate ?? 'Cascade';
      foreignKeys.push({
        table,
        name: extras.foreignKeyNames.get(`${model.name}.${field.name}`) ?? truncate(`${table}_${columns.join('_')}`, '_fkey'),
        columns,
        referencedTable: tableOf(target),
        referencedColumns: (field.relationToFields ?? []).map((f) => columnOf(target, f)),
        onDelete: ACTION_CODES[onDelete] ?? onDelete,
        onUpdate: ACTION_CODES[onUpdate] ?? onUpdate,
      });
    }
  }
  return { tables, indexes, foreignKeys, unsupported };
}

function truncate(base: string, suffix: string): string {
  return base.slice(0, MAX_IDENTIFIER - suffix.length) + suffix;
}

/** format_type() of the column Prisma creates for a field, or null if not mapped here. */
function columnType(field: DmmfField): string | null {
  const base = field.nativeType ? nativeType(field.nativeType[0], field.nativeType[1]) : SCALAR_TYPES[field.type] ?? null;
  return base === null ? null : field.isList ? `${base}[]` : base;
}

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  Boolean: 'boolean',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};

function nativeType(name: string, args: string[]): string | null {
  const mod = args.length > 0 ? `(${args.join(',')})` : '';
  switch (name) {
    case 'Text': return 'text';
    case 'Uuid': return 'uuid';
    case 'VarChar': return `character varying${mod}`;
    case 'Char': return `character${mod}`;
    case 'SmallInt': return 'smallint';
    case 'Integer': return 'integer';
    case 'BigInt': return 'bigint';
    case 'Real': return 'real';
    case 'DoublePrecision': return 'double precision';
    case 'Decimal': return `numeric${mod}`;
    case 'Boolean': return 'boolean';
    case 'Date': return 'date';
    case 'Timestamp': return `timestamp${mod} without time zone`;
    case 'Timestamptz': return `timestamp${mod} with time zone`;
    case 'Time': return `time${mod} without time zone`;
    case 'Timetz': return `time${mod} with time zone`;
    case 'Json': return 'json';
    case 'JsonB': return 'jsonb';
    case 'ByteA': return 'bytea';
    case 'Inet': return 'inet';
    default: return null;
  }
}

function defaultOf(field: DmmfField): ExpectedDefault | null {
  if (!field.hasDefaultValue) return { kind: 'none' };
  const value = field.default;
  if (typeof value === 'number' || typeof value === 'boolean') return { kind: 'value', text: String(value) };
  if (typeof value === 'string') return { kind: 'value', text: `'${value.replaceAll("'", "''")}'` };
  if (value && typeof value === 'object' && 'name' in value) {
    switch ((value as { name: string }).name) {
      case 'autoincrement': return { kind: 'sequence' };
      case 'now': return { kind: 'value', text: 'CURRENT_TIMESTAMP' };
      case 'dbgenerated': return { kind: 'any' };
      // Generated by the client, not by the database.
      case 'uuid': case 'cuid': case 'nanoid': case 'ulid': return { kind: 'none' };
    }
  }
  return null;
}

function compareDefault(actual: string | null, want: ExpectedDefault): string | null {
  switch (want.kind) {
    case 'none':
      return actual === null ? null : `has default ${actual}, schema says none`;
    case 'any':
      return actual === null ? 'has no default, schema says dbgenerated(…)' : null;
    case 'sequence':
      return actual?.startsWith('nextval(') ? null : `default is ${actual ?? '(none)'}, schema says autoincrement()`;
    case 'value': {
      // pg_get_expr adds casts ('[]'::jsonb) and quotes negative numbers ('-1'::integer).
      const bare = actual?.replace(/(::[a-z_ ]+(\(\d+(,\d+)?\))?(\[\])?)+$/i, '').replace(/^'(-?[\d.]+)'$/, '$1');
      return bare === want.text ? null : `default is ${actual ?? '(none)'}, schema says ${want.text}`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// What the DMMF leaves out: partial-index predicates (`where: raw("…")`, partialIndexes preview)
// and foreign-key names given with @relation(map: …). Read from the schema text.

interface SchemaExtras {
  predicates: Map<string, string>;
  foreignKeyNames: Map<string, string>;
  /** `/// sql index NAME using METHOD: why` lines of a model: an index its migration creates in SQL */
  sqlIndexes: Array<{ model: string; name: string; method: string }>;
}

const predicateKey = (model: string, type: string, fields: string[]) => `${model}|${type}|${fields.join(',')}`;

export function parseSchemaExtras(source: string): SchemaExtras {
  const predicates = new Map<string, string>();
  const foreignKeyNames = new Map<string, string>();
  const sqlIndexes: SchemaExtras['sqlIndexes'] = [];
  for (const [, model, body] of source.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    for (const rawLine of body.split('\n')) {
      const sqlIndex = /^\s*\/\/\/\s*sql index (\w+) using (\w+):/.exec(rawLine);
      if (sqlIndex) sqlIndexes.push({ model, name: sqlIndex[1], method: sqlIndex[2] });
      const line = rawLine.replace(/\/\/.*$/, '').trim();
      const block = /^@@(unique|index)\(\s*(?:fields:\s*)?\[([^\]]*)\](.*)\)$/.exec(line);
      if (block) {
        const [, attribute, list, rest] = block;
        const fields = list.split(',').map((f) => f.trim().replace(/\(.*$/, '')).filter(Boolean);
        const where = /where:\s*raw\(\s*"((?:[^"\\]|\\.)*)"\s*\)/.exec(rest);
        if (where) predicates.set(predicateKey(model, attribute === 'unique' ? 'unique' : 'normal', fields), where[1].replace(/\\(.)/g, '$1'));
        else if (/\bwhere:/.test(rest)) throw new Error(`drift check: only where: raw("…") predicates are supported (model ${model}: ${line})`);
        continue;
      }
      if (/^\w+\s.*@unique\(.*\bwhere:/.test(line)) throw new Error(`drift check: field-level partial @unique is not supported (model ${model}: ${line})`);
      const relation = /^(\w+)\s.*@relation\((.*)\)/.exec(line);
      const map = relation && /\bmap:\s*"([^"]+)"/.exec(relation[2]);
      if (relation && map) foreignKeyNames.set(`${model}.${relation[1]}`, map[1]);
    }
  }
  return { predicates, foreignKeyNames, sqlIndexes };
}

/**
 * The predicate as Postgres stores it (pg_get_expr), e.g. `valid_to IS NULL` becomes
 * `(valid_to IS NULL)` and `status = 'on'` becomes `(status = 'on'::text)`. Asking the database
 * (an index created and rolled back) beats guessing its normalisation rules.
 */
async function canonicalPredicate(sql: SqlExecutor, table: string, columns: string[], predicate: string): Promise<string> {
  const probe = '__routescope_drift_probe';
  const rollback = new Error('rollback');
  let canonical = '';
  try {
    await sql.transaction(async (tx) => {
      await tx.exec(`CREATE INDEX ${quote(probe)} ON ${quote(table)}(${columns.map(quote).join(', ')}) WHERE ${predicate}`);
      const [row] = await tx.query<{ predicate: string }>(
        `SELECT pg_get_expr(ix.indpred, ix.indrelid) AS predicate FROM pg_index ix
          WHERE ix.indexrelid = to_regclass($1)`,
        [quote(probe)],
      );
      canonical = row.predicate;
      throw rollback;
    });
  } catch (error) {
    if (error !== rollback) return `<schema predicate "${predicate}" does not parse: ${(error as Error).message}>`;
  }
  return canonical;
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

// ---------------------------------------------------------------------------------------------
// What the database has (current schema only, which is where the unqualified DDL goes)

interface CatalogColumn {
  table: string;
  column: string;
  type: string;
  notNull: boolean;
  default: string | null;
}
interface CatalogIndex {
  table: string;
  name: string;
  unique: boolean;
  primary: boolean;
  method: string;
  predicate: string | null;
  columns: string[];
}
interface CatalogForeignKey {
  table: string;
  name: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: string;
  onUpdate: string;
}

async function readCatalog(sql: SqlExecutor) {
  const columns = await sql.query<CatalogColumn>(
    `SELECT c.relname::text AS "table", a.attname::text AS "column",
            format_type(a.atttypid, a.atttypmod) AS "type", a.attnotnull AS "notNull",
            pg_get_expr(d.adbin, d.adrelid) AS "default"
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> $1
        AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
    [MIGRATIONS_TABLE],
  );
  // json_agg: an array both drivers parse the same way (name[] is not parsed by pg).
  const indexes = await sql.query<CatalogIndex>(
    `SELECT t.relname::text AS "table", i.relname::text AS name, ix.indisunique AS "unique",
            ix.indisprimary AS "primary", am.amname::text AS method,
            pg_get_expr(ix.indpred, ix.indrelid) AS predicate,
            (SELECT coalesce(json_agg(a.attname::text ORDER BY k.ord), '[]')
               FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
               LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum) AS columns
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_am am ON am.oid = i.relam
      WHERE n.nspname = current_schema() AND NOT t.relispartition AND t.relname <> $1`,
    [MIGRATIONS_TABLE],
  );
  const foreignKeys = await sql.query<CatalogForeignKey>(
    `SELECT t.relname::text AS "table", con.conname::text AS name, rt.relname::text AS "referencedTable",
            (SELECT json_agg(a.attname::text ORDER BY k.ord)
               FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS columns,
            (SELECT json_agg(a.attname::text ORDER BY k.ord)
               FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS "referencedColumns",
            con.confdeltype::text AS "onDelete", con.confupdtype::text AS "onUpdate"
       FROM pg_constraint con
       JOIN pg_class t ON t.oid = con.conrelid
       JOIN pg_class rt ON rt.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE con.contype = 'f' AND n.nspname = current_schema() AND NOT t.relispartition`,
  );
  return { columns, indexes, foreignKeys };
}
