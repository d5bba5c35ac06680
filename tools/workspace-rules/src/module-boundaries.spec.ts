import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

// Lints probe files given as text with the workspace's real ESLint config (lint-probes.mjs), so
// the Nx project graph and the tags in every project.json decide, exactly as in `npm run lint`.
// Probes are declared while the suite is collected and linted together in one ESLint process.
const root = resolve(__dirname, '../../..');

interface LintMessage {
  ruleId: string | null;
  message: string;
}

const declared: Array<{ file: string; source: string; messages?: LintMessage[] }> = [];

/** Declares a probe file; the returned function gives the messages of `rules` once linted. */
function probe(fileInProject: string, source: string): (rules?: string[]) => string[] {
  const entry: (typeof declared)[number] = { file: fileInProject, source };
  declared.push(entry);
  return (rules = ['@nx/enforce-module-boundaries']) => {
    if (!entry.messages) throw new Error(`${fileInProject} was not linted`);
    return entry.messages.filter((m) => rules.includes(m.ruleId ?? '')).map((m) => m.message);
  };
}

beforeAll(() => {
  const result = spawnSync(process.execPath, [resolve(__dirname, 'lint-probes.mjs')], {
    cwd: root,
    input: JSON.stringify(declared.map(({ file, source }) => ({ file, source }))),
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0 || !result.stdout.startsWith('[')) throw new Error(`eslint failed (${result.status}): ${result.stderr}${result.stdout.slice(0, 2000)}`);
  const reports = JSON.parse(result.stdout) as LintMessage[][];
  declared.forEach((entry, i) => (entry.messages = reports[i]));
});

describe('Nx module boundaries', () => {
  const collectorUsesLib = probe('apps/collector/src/boundary-probe.ts', "import { validateSnapshot } from '@routescope/snapshot';\nexport const probe = validateSnapshot;\n");
  it('let the collector import a shared library', () => {
    expect(collectorUsesLib()).toEqual([]);
  });

  const collectorUsesApi = probe('apps/collector/src/boundary-probe.ts', "import { appModule } from '@routescope/api';\nexport const probe = appModule;\n");
  it('reject the collector importing the API application', () => {
    expect(collectorUsesApi().join('\n')).toMatch(/Imports of apps are forbidden/);
  });

  const prismaOutside = ['apps/collector/src/boundary-probe.ts', 'libs/snapshot/src/boundary-probe.ts'].map(
    (file) => [file, probe(file, "import { PrismaClient } from '@prisma/client';\nexport const probe = PrismaClient;\n")] as const,
  );
  const prismaInDb = probe('libs/db/src/boundary-probe.ts', "import { PrismaPg } from '@prisma/adapter-pg';\nexport const probe = PrismaPg;\n");
  it('reject Prisma anywhere outside the API and libs/db', () => {
    for (const [file, messages] of prismaOutside) {
      expect({ file, messages: messages().join('\n') }).toEqual({ file, messages: expect.stringMatching(/is not allowed to import "@prisma\/client"/) });
    }
    expect(prismaInDb()).toEqual([]);
  });

  const libUsesApp = probe('libs/diff/src/boundary-probe.ts', "import { main } from '@routescope/collector';\nexport const probe = main;\n");
  it('reject a library importing an application', () => {
    // The import is refused either as a tag violation or, since the collector uses every lib, as a cycle.
    expect(libUsesApp().join('\n')).toMatch(/can only depend on|Circular dependency/);
  });

  const relativeReach = probe('libs/snapshot/src/boundary-probe.ts', "import { main } from '../../../apps/collector/src/main';\nexport const probe = main;\n");
  it('reject reaching into another project by a relative path', () => {
    expect(relativeReach().join('\n')).toMatch(/relative or absolute path/);
  });

  const apiEntry = "import type { IngestResult } from '@routescope/api';\nexport type Probe = IngestResult;\n";
  const benchLoader = probe('bench/src/api-under-test.ts', apiEntry);
  const benchOther = probe('bench/src/boundary-probe.ts', apiEntry);
  it("let only the bench's loader type the API's public entry", () => {
    expect(benchLoader()).toEqual([]);
    expect(benchOther().join('\n')).toMatch(/Imports of apps are forbidden/);
  });

  const testing = "import { freePort } from '@routescope/testing';\nexport const probe = freePort;\n";
  const testingInSources = ['apps/api/src/boundary-probe.ts', 'libs/checks/src/boundary-probe.ts'].map((file) => [file, probe(file, testing)] as const);
  const testingInTests = ['apps/api/src/boundary-probe.spec.ts', 'apps/api/e2e/support/boundary-probe.ts', 'tools/soak/src/boundary-probe.ts'].map((file) => [file, probe(file, testing)] as const);
  it('keep @routescope/testing out of the sources: specs, e2e support and tools may import it', () => {
    for (const [file, messages] of testingInSources) {
      expect({ file, messages: messages(['no-restricted-imports']).join('\n') }).toEqual({ file, messages: expect.stringMatching(/test support only/) });
    }
    for (const [file, messages] of testingInTests) {
      expect({ file, messages: messages(['no-restricted-imports', '@nx/enforce-module-boundaries']) }).toEqual({ file, messages: [] });
    }
  });

  const dashboardFile = 'apps/dashboard/app/ui/boundary-probe.tsx';
  const dashboardRules = [
    "import { checkNode } from '@routescope/checks';\nexport const probe = checkNode;\n",
    "import { DEFAULT_FLAP_THRESHOLD } from '../../../libs/checks/src/history-rules';\nexport const probe = DEFAULT_FLAP_THRESHOLD;\n",
  ].map((source) => probe(dashboardFile, source));
  const dashboardParser = probe(dashboardFile, "import { lookupRoute } from '@routescope/snapshot';\nexport const probe = lookupRoute;\n");
  const dashboardTesting = probe(dashboardFile, testing);
  it('reject the dashboard importing rule logic or thresholds from libs/checks (it renders the API’s findings)', () => {
    for (const messages of dashboardRules) expect(messages(['no-restricted-imports']).join('\n')).toMatch(/rules live in libs\/checks/);
    expect(dashboardParser(['no-restricted-imports'])).toEqual([]);
    // the dashboard's own restriction keeps the test-support one
    expect(dashboardTesting(['no-restricted-imports']).join('\n')).toMatch(/test support only/);
  });
});
