import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { defaultMigrationsDir, readMigrations } from './migration-runner';
import { checkSchemaDrift, driftDatamodel, parseSchemaExtras } from './testing/schema-drift';
import { describeEachDatabase } from './testing/test-databases';

const schemaPath = join(dirname(defaultMigrationsDir()), 'schema.prisma');

describe('schema.prisma as the drift check reads it', () => {
  it('gets the full DMMF offline from the prisma CLI wasm, @@ignore\'d models (fact) included', async () => {
    const datamodel = driftDatamodel(await readFile(schemaPath, 'utf8'));
    expect(datamodel.models.map((m) => m.dbName)).toEqual(['node', 'snapshot', 'fact', 'retention_cutoff', 'fact_attrs', 'coverage', 'api_token', 'server_secret', 'finding', 'cluster_object', 'silence', 'audit_log', 'probe', 'cluster_checks_leader', 'cluster_check_queue']);
    expect(datamodel.indexes).toContainEqual(
      expect.objectContaining({ model: 'Fact', type: 'unique', dbName: 'fact_current_key' }),
    );
  });

  it('finds the partial-index predicate the DMMF leaves out', async () => {
    const { predicates } = parseSchemaExtras(await readFile(schemaPath, 'utf8'));
    expect([...predicates]).toEqual([
      ['Fact|unique|nodeId,ns,kind,key,validTo', 'valid_to IS NULL'],
      ['Fact|normal|attrsId', 'valid_to IS NULL'],
      ['ApiToken|unique|name', 'revoked_at IS NULL'],
      ['Finding|unique|rule,nodeId,subject', 'resolved_at IS NULL'],
      ['ClusterObject|unique|kind,key', 'valid_to IS NULL'],
      ['Probe|unique|node', "state IN ('queued', 'dispatched')"],
    ]);
  });
});

describeEachDatabase('schema drift', (db) => {
  it('the migrations produce exactly what schema.prisma describes', async () => {
    expect(await db().withExecutor((sql) => checkSchemaDrift(sql))).toEqual([]);
  });
});

/** Edits of a migration (the init one unless `migration` names another), each of which the drift check must name. */
const mutations: { what: string; from: RegExp | string; to: string; expect: RegExp; migration?: string }[] = [
  {
    what: 'an index removed',
    migration: 'fact_week_partitions',
    from: /CREATE INDEX "fact_valid_to_idx"[^\n]*\n/,
    to: '',
    expect: /^index fact_valid_to_idx on fact\(valid_to\): missing$/,
  },
  {
    what: 'the partial index without its predicate',
    migration: 'fact_week_partitions',
    from: ' NULLS NOT DISTINCT WHERE valid_to IS NULL;',
    to: ' NULLS NOT DISTINCT;',
    expect: /^unique index fact_current_key on fact\(node_id, ns, kind, key, valid_to\): predicate is \(none\), schema says \(valid_to IS NULL\)$/,
  },
  {
    what: 'a column type changed',
    migration: 'fact_week_partitions',
    from: '"valid_from" TIMESTAMPTZ(3) NOT NULL',
    to: '"valid_from" TIMESTAMP(3) NOT NULL',
    expect: /^column fact\.valid_from \(Fact\.validFrom\): type is timestamp\(3\) without time zone, schema says timestamp\(3\) with time zone$/,
  },
  {
    what: 'a nullable column made NOT NULL',
    from: '"revoked_at" TIMESTAMPTZ(3),',
    to: '"revoked_at" TIMESTAMPTZ(3) NOT NULL,',
    expect: /^column api_token\.revoked_at \(ApiToken\.revokedAt\): is NOT NULL, schema says nullable$/,
  },
  {
    what: 'a default changed',
    from: 'DEFAULT 30000',
    to: 'DEFAULT 1000',
    expect: /^column node\.interval_ms \(Node\.intervalMs\): default is 1000, schema says 30000$/,
  },
  {
    what: 'a referential action changed',
    migration: 'fact_week_partitions',
    from: /(ALTER TABLE "fact" ADD CONSTRAINT "fact_node_id_fkey" [^\n]*)ON DELETE CASCADE/,
    to: '$1ON DELETE RESTRICT',
    expect: /^foreign key fact_node_id_fkey on fact\(node_id\): ON DELETE RESTRICT, schema says CASCADE$/,
  },
  {
    what: 'a unique index turned into a plain one',
    from: 'CREATE UNIQUE INDEX "api_token_token_hash_key"',
    to: 'CREATE INDEX "api_token_token_hash_key"',
    expect: /^unique index api_token_token_hash_key on api_token\(token_hash\): is not unique$/,
  },
  {
    what: 'an index schema.prisma declares as a SQL index built with another method',
    migration: 'finding_open_during_index',
    from: 'USING gist',
    to: 'USING btree',
    expect: /^index finding_open_during_idx on finding: uses btree, schema says gist$/,
  },
  {
    what: 'an index schema.prisma declares as a SQL index removed',
    migration: 'finding_open_during_index',
    from: /CREATE INDEX "finding_open_during_idx"[^\n]*\n/,
    to: 'SELECT 1;\n',
    expect: /^index finding_open_during_idx on finding \(sql index of model Finding\): missing$/,
  },
];

describeEachDatabase(
  'schema drift check can fail',
  (db) => {
    let tmp: string;
    beforeEach(async () => {
      tmp = await mkdtemp(join(tmpdir(), 'rs-drift-'));
      await cp(defaultMigrationsDir(), tmp, { recursive: true });
    });
    afterEach(() => rm(tmp, { recursive: true, force: true }));

    it.each(mutations)('names $what', async ({ from, to, expect: expected, migration }) => {
      // The init migration is the first; edit it (or the named one) in the temp copy only.
      const migrations = await readMigrations(tmp);
      const target = migration ? migrations.find((m) => m.file.includes(migration)) : migrations[0];
      if (!target) throw new Error(`no migration ${migration}`);
      const edited = target.script.replace(from, to);
      expect(edited).not.toBe(target.script); // the mutation must apply, or this test proves nothing
      await writeFile(target.file, edited);
      await db().migrate({ migrationsDir: tmp });

      const drift = await db().withExecutor((sql) => checkSchemaDrift(sql));
      expect(drift).toEqual([expect.stringMatching(expected)]);
    });
  },
  { migrate: false, fresh: 'each' },
);
