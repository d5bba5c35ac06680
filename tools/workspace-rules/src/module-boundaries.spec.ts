import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

// Runs the real ESLint CLI with the workspace config on a probe file given on stdin, so the
// Nx project graph and the tags in every project.json decide, exactly as in `npm run lint`.
const root = resolve(__dirname, '../../..');

function lintProbe(fileInProject: string, source: string, rules = ['@nx/enforce-module-boundaries']): string[] {
  const result = spawnSync(process.execPath, [resolve(root, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', '--stdin', '--stdin-filename', fileInProject], {
    cwd: root,
    input: source,
    encoding: 'utf8',
  });
  if (!result.stdout.startsWith('[')) throw new Error(`eslint failed: ${result.stderr}`);
  const [report] = JSON.parse(result.stdout) as { messages: { ruleId: string | null; message: string }[] }[];
  return report.messages.filter((m) => rules.includes(m.ruleId ?? '')).map((m) => m.message);
}

describe('Nx module boundaries', () => {
  it('let the collector import a shared library', () => {
    expect(lintProbe('apps/collector/src/boundary-probe.ts', "import { validateSnapshot } from '@routescope/snapshot';\nexport const probe = validateSnapshot;\n")).toEqual([]);
  });

  it('reject the collector importing the API application', () => {
    const messages = lintProbe('apps/collector/src/boundary-probe.ts', "import { appModule } from '@routescope/api';\nexport const probe = appModule;\n");
    expect(messages.join('\n')).toMatch(/Imports of apps are forbidden/);
  });

  it('reject Prisma anywhere outside the API and libs/db', () => {
    for (const file of ['apps/collector/src/boundary-probe.ts', 'libs/snapshot/src/boundary-probe.ts']) {
      const messages = lintProbe(file, "import { PrismaClient } from '@prisma/client';\nexport const probe = PrismaClient;\n");
      expect({ file, messages: messages.join('\n') }).toEqual({ file, messages: expect.stringMatching(/is not allowed to import "@prisma\/client"/) });
    }
    expect(lintProbe('libs/db/src/boundary-probe.ts', "import { PrismaPg } from '@prisma/adapter-pg';\nexport const probe = PrismaPg;\n")).toEqual([]);
  });

  it('reject a library importing an application', () => {
    const messages = lintProbe('libs/diff/src/boundary-probe.ts', "import { main } from '@routescope/collector';\nexport const probe = main;\n");
    // The import is refused either as a tag violation or, since the collector uses every lib, as a cycle.
    expect(messages.join('\n')).toMatch(/can only depend on|Circular dependency/);
  });

  it('reject reaching into another project by a relative path', () => {
    const messages = lintProbe('libs/snapshot/src/boundary-probe.ts', "import { main } from '../../../apps/collector/src/main';\nexport const probe = main;\n");
    expect(messages.join('\n')).toMatch(/relative or absolute path/);
  });

  it("let only the bench's loader type the API's public entry", () => {
    const probe = "import type { IngestResult } from '@routescope/api';\nexport type Probe = IngestResult;\n";
    expect(lintProbe('bench/src/api-under-test.ts', probe)).toEqual([]);
    expect(lintProbe('bench/src/boundary-probe.ts', probe).join('\n')).toMatch(/Imports of apps are forbidden/);
  });

  it('keep @routescope/testing out of the sources: specs, e2e support and tools may import it', () => {
    const probe = "import { freePort } from '@routescope/testing';\nexport const probe = freePort;\n";
    for (const file of ['apps/api/src/boundary-probe.ts', 'libs/checks/src/boundary-probe.ts']) {
      expect({ file, messages: lintProbe(file, probe, ['no-restricted-imports']).join('\n') }).toEqual({ file, messages: expect.stringMatching(/test support only/) });
    }
    for (const file of ['apps/api/src/boundary-probe.spec.ts', 'apps/api/e2e/support/boundary-probe.ts', 'tools/soak/src/boundary-probe.ts']) {
      expect({ file, messages: lintProbe(file, probe, ['no-restricted-imports', '@nx/enforce-module-boundaries']) }).toEqual({ file, messages: [] });
    }
  });

  it('reject the dashboard importing rule logic or thresholds from libs/checks (it renders the API’s findings)', () => {
    for (const source of [
      "import { checkNode } from '@routescope/checks';\nexport const probe = checkNode;\n",
      "import { DEFAULT_FLAP_THRESHOLD } from '../../../libs/checks/src/history-rules';\nexport const probe = DEFAULT_FLAP_THRESHOLD;\n",
    ]) {
      expect(lintProbe('apps/dashboard/app/ui/boundary-probe.tsx', source, ['no-restricted-imports']).join('\n')).toMatch(/rules live in libs\/checks/);
    }
    expect(lintProbe('apps/dashboard/app/ui/boundary-probe.tsx', "import { lookupRoute } from '@routescope/snapshot';\nexport const probe = lookupRoute;\n", ['no-restricted-imports'])).toEqual([]);
    // the dashboard's own restriction keeps the test-support one
    expect(lintProbe('apps/dashboard/app/ui/boundary-probe.tsx', "import { freePort } from '@routescope/testing';\nexport const probe = freePort;\n", ['no-restricted-imports']).join('\n')).toMatch(/test support only/);
  });
});
