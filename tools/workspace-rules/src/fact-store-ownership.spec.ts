import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

// The fact tables (prisma/schema.prisma: Fact → fact, FactAttrs → fact_attrs, Coverage → coverage,
// Snapshot → snapshot, RetentionCutoff → retention_cutoff) have one owner: the API's history module. Everything else goes through its FactStore. This
// scans every non-test source file of the workspace for SQL or Prisma model calls that name
// one of those tables, and fails on any outside apps/api/src/history/.
const root = resolve(__dirname, '../../..');

export const FACT_TABLES = ['fact', 'fact_attrs', 'coverage', 'snapshot', 'retention_cutoff'] as const;
const OWNER = 'apps/api/src/history/';

/**
 * Files outside history/ that still touch the tables, each with the reason. The bench loads
 * synthetic history in bulk and reads table sizes (its move onto the store's entry points is
 * tracked in issue #15); a file listed here that no longer touches a table fails the test, so
 * the list only shrinks.
 */
const KNOWN_EXCEPTIONS: Record<string, string> = {
  'bench/src/history-generator.ts': 'bulk-loads synthetic history for the storage benchmark',
  'bench/src/retention-bench.ts': 'inserts expired rows for the retention benchmark',
  'bench/src/main.ts': 'reports table sizes and row counts',
};

const SCANNED_ROOTS = ['apps', 'libs', 'tools', 'bench'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.next', 'generated', 'e2e', 'testing', 'coverage', 'out-tsc']);
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
// Tests assert what was written, so they may read the tables; the scan is about product code.
const TEST = /\.(spec|test)\.[cm]?[jt]sx?$/;

const tables = FACT_TABLES.join('|');
/** SQL naming a fact table after a keyword that reads or writes it, and Prisma model calls on one. */
export const TABLE_ACCESS = [
  new RegExp(`\\b(?:from|join|into|update|table|truncate|using)\\s+(?:only\\s+)?(?:"?public"?\\.)?"?(?:${tables})"?(?![\\w-])`, 'i'),
  new RegExp(`\\.(?:${tables})\\s*\\.\\s*(?:find\\w*|create\\w*|update\\w*|delete\\w*|upsert|count|aggregate|groupBy)\\s*\\(`),
];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) out.push(...sourceFiles(join(dir, entry.name)));
    } else if (SOURCE.test(entry.name) && !TEST.test(entry.name)) {
      out.push(join(dir, entry.name));
    }
  }
  return out;
}

/** The source without comments, so that prose ("taken from snapshot records") is not SQL. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

export function touchesFactTables(text: string): boolean {
  const code = withoutComments(text);
  return TABLE_ACCESS.some((pattern) => pattern.test(code));
}

describe('fact store ownership', () => {
  const touching = SCANNED_ROOTS.flatMap((dir) => sourceFiles(join(root, dir)))
    .filter((file) => touchesFactTables(readFileSync(file, 'utf8')))
    .map((file) => relative(root, file));

  it('no source outside apps/api/src/history/ reads or writes the fact, coverage or snapshot table', () => {
    expect(touching.filter((file) => !file.startsWith(OWNER) && !(file in KNOWN_EXCEPTIONS))).toEqual([]);
  });

  it('the history module does hold the store (the scan finds its SQL)', () => {
    for (const table of FACT_TABLES) expect(touching.filter((file) => file.startsWith(OWNER)).some((file) => new RegExp(`\\b${table}\\b`).test(readFileSync(join(root, file), 'utf8')))).toBe(true);
  });

  it('every listed exception still touches a table (remove it from the list once it does not)', () => {
    expect(Object.keys(KNOWN_EXCEPTIONS).filter((file) => !touching.includes(file))).toEqual([]);
  });

  it('recognises SQL and Prisma calls on the tables, and not prose or other tables', () => {
    expect(touchesFactTables('await tx.$executeRaw`UPDATE fact SET valid_to = ${at} WHERE id = 1`;')).toBe(true);
    expect(touchesFactTables('sql`SELECT count(*) FROM "snapshot" s JOIN node n ON n.id = s.node_id`')).toBe(true);
    expect(touchesFactTables("db.$executeRawUnsafe('insert into coverage (node_id) values ($1)', 1)")).toBe(true);
    expect(touchesFactTables('await prisma.fact.findMany({ where: { nodeId: 1 } })')).toBe(true);
    expect(touchesFactTables('// counted from snapshot records\nconst a = 1;')).toBe(false);
    expect(touchesFactTables('sql`SELECT * FROM finding f JOIN node n ON n.id = f.node_id`')).toBe(false);
    expect(touchesFactTables('sql`SELECT * FROM fact_archive`')).toBe(false);
    expect(touchesFactTables('sql`SELECT attrs FROM fact_attrs WHERE id = $1`')).toBe(true);
  });
});
